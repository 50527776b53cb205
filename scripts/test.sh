#!/usr/bin/env bash
# Runs every test: unit tests, @QuarkusTest on the real PostgreSQL, and the end-to-end tests that start the
# packaged control plane and the edge connector as processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/postgres.sh
scripts/create-db.sh overcast_test
exec ./mvnw -B -ntp verify "$@"
