#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for user postgres, installing and starting it when
# needed (Debian/Ubuntu, as root). Idempotent: on a machine where it already runs, it only checks.
set -euo pipefail

pg_ok() { PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -U "${PGUSER:-postgres}" -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

if command -v psql >/dev/null 2>&1 && pg_ok; then
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed; install it (apt-get install postgresql) or point QUARKUS_DATASOURCE_* at one." >&2
    exit 1
  fi
  echo "installing PostgreSQL..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  echo "starting PostgreSQL $version..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
fi

if ! pg_ok && [ "$(id -u)" = 0 ]; then
  # A fresh Debian cluster asks for passwords over TCP: let the local test user in from loopback only.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q '# overcast: loopback trust' "$hba"; then
    sed -i '1i host all postgres 127.0.0.1/32 trust # overcast: loopback trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || pg_ctlcluster "$version" main reload
  fi
fi

for _ in $(seq 1 30); do
  pg_ok && exit 0
  sleep 1
done
echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2
exit 1
