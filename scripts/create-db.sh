#!/usr/bin/env bash
# Creates the named databases on the local PostgreSQL when they are missing.
set -euo pipefail
for db in "$@"; do
  if ! psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -Atqc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -qc "create database \"$db\"" >/dev/null
    echo "created database $db"
  fi
done
