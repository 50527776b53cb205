#!/usr/bin/env bash
# Builds Overcast and runs it on this machine: the control plane on the local PostgreSQL (database "overcast_demo"),
# with a bootstrap owner, a demo tenant, and one edge connector enrolled and connected. Ctrl-C stops both.
#
# State lives in ./run: the master key and the owner's password (mode 0600), logs, and the edge's identity.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=$PWD/run
mkdir -p "$RUN"
chmod 700 "$RUN"

scripts/postgres.sh
DB=overcast_demo
if [ ! -s "$RUN/master.key" ]; then
  # A new master key cannot open key material sealed under an old one: start the demo database afresh.
  psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -qc "drop database if exists $DB with (force)" >/dev/null
  rm -rf "$RUN/edge"
fi
scripts/create-db.sh $DB

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "building (./mvnw package, tests skipped; run scripts/test.sh for those)..."
  ./mvnw -B -q -ntp -DskipTests package
fi

umask 077
[ -s "$RUN/master.key" ] || head -c 32 /dev/urandom | base64 > "$RUN/master.key"
[ -s "$RUN/admin-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$RUN/admin-password"
umask 022
ADMIN=${OVERCAST_BOOTSTRAP_ADMIN_EMAIL:-admin@overcast.local}
PASSWORD=$(cat "$RUN/admin-password")
PORT=${QUARKUS_HTTP_SSL_PORT:-8443}
BASE=https://localhost:$PORT

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

OVERCAST_MASTER_KEY=$(cat "$RUN/master.key") \
OVERCAST_BOOTSTRAP_ADMIN_EMAIL=$ADMIN OVERCAST_BOOTSTRAP_ADMIN_PASSWORD=$PASSWORD \
QUARKUS_HTTP_SSL_PORT=$PORT \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/$DB \
  java -jar control-plane/target/quarkus-app/quarkus-run.jar > "$RUN/control-plane.log" 2>&1 &
pids+=($!)

echo -n "waiting for the control plane"
CA=$RUN/ca.pem
for _ in $(seq 1 90); do
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo; tail -20 "$RUN/control-plane.log"; exit 1; fi
  # The CA is public: fetch it once without verification, then verify everything against it.
  if curl -sfk "$BASE/api/v1/pki/ca.pem" -o "$CA" && curl -sf --cacert "$CA" "$BASE/q/health/ready" >/dev/null; then break; fi
  echo -n .; sleep 1
done
echo

api() { curl -sf --cacert "$CA" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

TOKEN=$(curl -sf --cacert "$CA" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" | json 'd["accessToken"]')
TENANT=$(api "$BASE/api/v1/tenants" | json 'next((t["id"] for t in d if t["name"]=="demo"), "")')
[ -n "$TENANT" ] || TENANT=$(api -d '{"name":"demo"}' "$BASE/api/v1/tenants" | json 'd["id"]')

EDGE=$RUN/edge
if [ ! -s "$EDGE/state.json" ]; then
  ENROLL=$(api -d '{"name":"demo edge","maxUses":1,"expiresInSeconds":600,"tags":["demo"]}' \
    "$BASE/api/v1/tenants/$TENANT/enrollment-tokens" | json 'd["token"]')
  java -jar edge-connector/target/edge-connector.jar enroll --server "$BASE" --token "$ENROLL" \
    --state-dir "$EDGE" --name demo-edge --product ntopng --monitor-version demo
fi
java -jar edge-connector/target/edge-connector.jar run --state-dir "$EDGE" --product ntopng \
  --monitor-version demo > "$RUN/edge.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 30); do
  STATUS=$(api "$BASE/api/v1/tenants/$TENANT/instances" | json 'd["items"][0]["status"] if d["items"] else ""')
  [ "$STATUS" = ONLINE ] && break
  sleep 1
done

cat <<INFO

Overcast is running.
  Console           $BASE/   (the certificate is from the deployment CA: $CA)
  Sign in           $ADMIN / $(cat "$RUN/admin-password")
  API + Swagger UI  $BASE/q/swagger-ui
  Demo tenant       $TENANT
  Demo edge         $STATUS   (state in $EDGE, log in $RUN/edge.log)
  Metrics, health   $BASE/q/metrics   $BASE/q/health
  Logs              $RUN/control-plane.log

Try: curl --cacert $CA -H "Authorization: Bearer \$TOKEN" $BASE/api/v1/tenants/$TENANT/instances
Ctrl-C stops the control plane and the edge.
INFO
wait "${pids[0]}"
