#!/usr/bin/env bash
# iperf3 through a WireGuard tunnel between two namespaces on this machine: two Java peers (overlay.jar) and two
# wireguard-go peers, one stream and four, in the same run; prints throughput, the Java/wireguard-go ratio and the
# CPU the two tunnel processes used per gigabit. Needs root, iperf3, wg, wireguard-go (see .ci/run).
#
#   bench/overlay.sh [seconds]            JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/overlay.sh 10
#   JFR=1 bench/overlay.sh 10             also records the Java sender with JFR and prints where its time goes
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
JAVA=${JAVA:-java}
JAR=$PWD/overlay/target/overlay.jar
OUT=$PWD/bench/target/overlay
mkdir -p "$OUT"
[[ -f $JAR ]] || { echo "build first: ./mvnw -DskipTests install" >&2; exit 1; }
TAG=$$
NS1=ovb1-$TAG NS2=ovb2-$TAG
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null || true; done
  for ns in $NS1 $NS2; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -f /var/run/wireguard/ovb?"$TAG".sock
}
trap cleanup EXIT

cpu_ticks() { # utime + stime of the given pids, in clock ticks
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}

wait_sock() {
  for _ in $(seq 1 600); do [[ -S /var/run/wireguard/$1.sock ]] && return 0; sleep 0.05; done
  echo "$1 did not come up" >&2; exit 1
}

setup() { # $1 = java|go
  ip netns add $NS1; ip netns add $NS2
  ip link add ovbv$TAG type veth peer name ovbw$TAG
  ip link set ovbv$TAG netns $NS1; ip link set ovbw$TAG netns $NS2
  ip -n $NS1 addr add 10.79.0.1/24 dev ovbv$TAG; ip -n $NS2 addr add 10.79.0.2/24 dev ovbw$TAG
  for ns in $NS1 $NS2; do ip -n $ns link set lo up; done
  ip -n $NS1 link set ovbv$TAG up; ip -n $NS2 link set ovbw$TAG up
  PIDS=()
  local i=1
  for ns in $NS1 $NS2; do
    if [[ $1 == java ]]; then
      local jfr=()
      [[ ${JFR:-0} == 1 && $ns == "$NS1" ]] && jfr=(-XX:StartFlightRecording=filename=$OUT/sender.jfr,settings=profile)
      ip netns exec $ns "$JAVA" "${jfr[@]}" -jar "$JAR" -f ovb$i$TAG > "$OUT/java-$i.log" 2>&1 &
    else
      ip netns exec $ns wireguard-go -f ovb$i$TAG > "$OUT/go-$i.log" 2>&1 &
    fi
    PIDS+=($!)
    wait_sock ovb$i$TAG
    i=$((i + 1))
  done
  (umask 077; wg genkey > "$OUT/k1"; wg genkey > "$OUT/k2")
  ip netns exec $NS1 wg set ovb1$TAG private-key "$OUT/k1" listen-port 51820 \
    peer "$(wg pubkey < "$OUT/k2")" allowed-ips 10.80.0.2/32 endpoint 10.79.0.2:51820
  ip netns exec $NS2 wg set ovb2$TAG private-key "$OUT/k2" listen-port 51820 \
    peer "$(wg pubkey < "$OUT/k1")" allowed-ips 10.80.0.1/32 endpoint 10.79.0.1:51820
  ip -n $NS1 addr add 10.80.0.1/24 dev ovb1$TAG; ip -n $NS1 link set ovb1$TAG up
  ip -n $NS2 addr add 10.80.0.2/24 dev ovb2$TAG; ip -n $NS2 link set ovb2$TAG up
  ip netns exec $NS1 ping -c 1 -W 5 10.80.0.2 > /dev/null
  ip netns exec $NS2 iperf3 -s -D -B 10.80.0.2 > /dev/null
  for _ in $(seq 1 100); do ip netns exec $NS2 ss -ltn | grep -q 10.80.0.2:5201 && break; sleep 0.05; done
}

teardown() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in $NS1 $NS2; do ip netns pids $ns | xargs -r kill 2>/dev/null || true; ip netns del $ns; done
}

measure() { # $1 = streams; prints "Mbit/s cpu-seconds-per-Gbit"
  local before after mbps
  ip netns exec $NS1 iperf3 -c 10.80.0.2 -t 2 -P "$1" > /dev/null # warm-up (JIT, TCP windows)
  before=$(cpu_ticks "${PIDS[@]}")
  mbps=$(ip netns exec $NS1 iperf3 -f m -c 10.80.0.2 -t "$SECONDS_PER_RUN" -P "$1" | awk '/receiver/ {v=$(NF-2)} END {print v}')
  after=$(cpu_ticks "${PIDS[@]}")
  local hz; hz=$(getconf CLK_TCK)
  awk -v m="$mbps" -v t=$((after - before)) -v hz="$hz" -v s="$SECONDS_PER_RUN" \
    'BEGIN { gbit = m * s / 1000; printf "%.0f %.2f\n", m, (t / hz) / gbit }'
}

declare -A RESULT
for impl in go java; do
  setup $impl
  RESULT[$impl-1]=$(measure 1)
  RESULT[$impl-4]=$(measure 4)
  teardown
done

echo "java: $("$JAVA" -version 2>&1 | head -1); $(nproc) cpus; $SECONDS_PER_RUN s per run"
printf "%-8s %-16s %-16s %-7s %-18s %-18s\n" streams "java Mbit/s" "go Mbit/s" ratio "java CPU-s/Gbit" "go CPU-s/Gbit"
for s in 1 4; do
  read -r jm jc <<< "${RESULT[java-$s]}"
  read -r gm gc <<< "${RESULT[go-$s]}"
  printf "%-8s %-16s %-16s %-7s %-18s %-18s\n" "$s" "$jm" "$gm" "$(awk -v a="$jm" -v b="$gm" 'BEGIN{printf "%.2f", a/b}')" "$jc" "$gc"
done

if [[ ${JFR:-0} == 1 && -f $OUT/sender.jfr ]]; then
  JFRBIN=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jfr
  echo "JFR, Java sender, top frames of execution samples:"
  "$JFRBIN" print --events jdk.ExecutionSample "$OUT/sender.jfr" \
    | awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); print}' \
    | sort | uniq -c | sort -rn | head -15
fi
