#!/usr/bin/env bash
# Session benchmark: N enrolled edges holding mTLS WebSocket sessions against one control-plane process.
#   bench/sessions.sh [N] [heartbeat-interval-seconds]
# Prints enrolments/s, sessions held, control-plane RSS per idle session, heartbeat handling p50/p99 (the control
# plane's own timer), and how long it takes from killing every edge at once to all of them OFFLINE.
# ROLLOVER=1 also measures the midnight rollover of DAILY leases: every held session asks for its lease at the
# same instant; prints leases/s, and the usage records written (one per instance: none lost, none twice).
# Needs a built tree (./mvnw -DskipTests install) and the local PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
INTERVAL=${2:-15}
WARMUP=${WARMUP:-0}   # edges enrolled (and not connected) before the measured ones, to warm the JIT
DB=overcast_bench
PORT=${BENCH_PORT:-9443}
OUT=bench/target/run-$N
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"  # this sandbox caps it at 20000 per process

scripts/postgres.sh
psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $DB with (force)" -c "create database $DB" >/dev/null

OVERCAST_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
OVERCAST_BOOTSTRAP_ADMIN_EMAIL=bench@example.test OVERCAST_BOOTSTRAP_ADMIN_PASSWORD=bench-password-123 \
OVERCAST_EDGE_HEARTBEAT_INTERVAL=${INTERVAL}s \
QUARKUS_HTTP_SSL_PORT=$PORT QUARKUS_HTTP_PORT=$((PORT + 1)) \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/$DB \
QUARKUS_LOG_CATEGORY__IO_OVERCAST__LEVEL=WARN \
  java ${CP_JAVA_OPTS:--Xms256m -Xmx2g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20} -jar control-plane/target/quarkus-app/quarkus-run.jar > "$OUT/control-plane.log" 2>&1 &
CP=$!
LG=
trap 'kill $CP $LG 2>/dev/null || true' EXIT
BASE=https://127.0.0.1:$PORT
CA=$OUT/ca.pem
for _ in $(seq 1 90); do
  curl -sfk "$BASE/api/v1/pki/ca.pem" -o "$CA" && curl -sf --cacert "$CA" "$BASE/q/health/ready" >/dev/null && break
  sleep 1
done
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
TOKEN=$(curl -sf --cacert "$CA" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.test","password":"bench-password-123"}' "$BASE/api/v1/auth/login" | json 'd["accessToken"]')
api() { curl -sf --cacert "$CA" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
TENANT=$(api -d '{"name":"bench"}' "$BASE/api/v1/tenants" | json 'd["id"]')
ENROLL=$(api -d "{\"name\":\"bench\",\"maxUses\":$((N + WARMUP)),\"expiresInSeconds\":86400}" \
  "$BASE/api/v1/tenants/$TENANT/enrollment-tokens" | json 'd["token"]')
online() { api "$BASE/api/v1/tenants/$TENANT/instances?status=ONLINE&size=1" | json 'd["total"]'; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/$CP/status; }
settle() { jcmd $CP GC.run >/dev/null 2>&1 || true; sleep 2; }

heap_kb() {
  curl -sf --cacert "$CA" "$BASE/q/metrics" | awk '/^jvm_memory_used_bytes\{/ && /area="heap"/ {s += $NF} END {printf "%d", s / 1024}'
}
SOURCES=$(( (N + 19999) / 20000 ))
GO=$OUT/go
rm -f "$GO"
ROLL=$OUT/rollover
rm -f "$ROLL"
ROLLOVER_ARGS=()
if [ "${ROLLOVER:-0}" = 1 ]; then
  api -d '{"planId":"ntopng-el-daily"}' "$BASE/api/v1/tenants/$TENANT/licenses" >/dev/null
  ROLLOVER_ARGS=(--rollover-file "$ROLL" --lease ntopng:enterprise_l)
fi
java -Xmx4g -jar bench/target/loadgen.jar --server "$BASE" --token "$ENROLL" --count "$N" --warmup "$WARMUP" --sources "$SOURCES" \
  --go-file "$GO" "${ROLLOVER_ARGS[@]}" > "$OUT/loadgen.log" 2>&1 &
LG=$!
until grep -q WAITING "$OUT/loadgen.log"; do
  kill -0 $LG 2>/dev/null || { cat "$OUT/loadgen.log"; exit 1; }
  sleep 1
done
# Baseline after enrolment, before any session: what the sessions add is measured from here.
settle
RSS0=$(rss_kb)
HEAP0=$(heap_kb)
touch "$GO"
until grep -q HOLDING "$OUT/loadgen.log"; do
  kill -0 $LG 2>/dev/null || { cat "$OUT/loadgen.log"; exit 1; }
  sleep 1
done
# Two full heartbeat intervals with every session up, so the timer has a steady-state window.
sleep $((INTERVAL * 2 + 2))
HELD=$(online)
settle
RSSN=$(rss_kb)
HEAPN=$(heap_kb)
METRICS=$(curl -sf --cacert "$CA" "$BASE/q/metrics")
P50=$(echo "$METRICS" | awk -F' ' '/^overcast_heartbeat_handling_seconds\{quantile="0.5"/ {printf "%.3f", $2*1000}')
P99=$(echo "$METRICS" | awk -F' ' '/^overcast_heartbeat_handling_seconds\{quantile="0.99"/ {printf "%.3f", $2*1000}')
BEATS=$(echo "$METRICS" | awk '/^overcast_heartbeats_total/ {print $2}')

if [ "${ROLLOVER:-0}" = 1 ]; then
  touch "$ROLL"
  until grep -q ROLLOVER "$OUT/loadgen.log"; do
    kill -0 $LG 2>/dev/null || { cat "$OUT/loadgen.log"; exit 1; }
    sleep 0.5
  done
  USAGE=$(psql -h 127.0.0.1 -U postgres -d $DB -tAc "select count(*) || ' usage records for ' || count(distinct instance_id) || ' instances' from usage_days")
fi

kill -9 $LG
T0=$(date +%s.%N)
while [ "$(online)" != 0 ]; do sleep 0.1; done
T1=$(date +%s.%N)

echo
echo "== N=$N, heartbeat every ${INTERVAL}s, $(nproc) cores, $(java -version 2>&1 | head -1)"
grep -E "WARMUP|ENROLLED|HOLDING" "$OUT/loadgen.log"
echo "sessions ONLINE in the API: $HELD"
echo "control-plane RSS: $((RSS0 / 1024)) MiB before the sessions, $((RSSN / 1024)) MiB with $HELD: $(( (RSSN - RSS0) / (HELD > 0 ? HELD : 1) )) KiB per session"
echo "control-plane heap after GC: $((HEAP0 / 1024)) MiB before, $((HEAPN / 1024)) MiB with $HELD: $(( (HEAPN - HEAP0) / (HELD > 0 ? HELD : 1) )) KiB per session"
echo "heartbeat handling: p50 ${P50} ms, p99 ${P99} ms over $BEATS heartbeats"
python3 -c "print('kill all edges -> all OFFLINE: %.2f s' % ($T1 - $T0))"
if [ "${ROLLOVER:-0}" = 1 ]; then
  grep ROLLOVER "$OUT/loadgen.log"
  echo "after the rollover: $USAGE"
fi
