#!/usr/bin/env bash
# Meter events flushed per second from a backlog of N usage records (default 100,000) to a local Stripe stand-in.
#   bench/meter.sh [N] [concurrency]
# Needs a built tree (./mvnw -DskipTests install) and the local PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/postgres.sh
java -cp bench/target/loadgen.jar io.overcast.bench.MeterFlushBench --count "${1:-100000}" --concurrency "${2:-8}"
