#!/bin/bash
# postgres-ssl only (copied in by ssl/entrypoint.sh): TCP clients must use SSL, or they are refused.
set -eo pipefail

cat > "$PGDATA/pg_hba.conf" <<'HBA'
# TYPE     DATABASE     USER  ADDRESS  METHOD
local      all          all            trust
local      replication  all            trust
hostssl    all          all   all      scram-sha-256
hostssl    replication  all   all      scram-sha-256
hostnossl  all          all   all      reject
hostnossl  replication  all   all      reject
HBA
echo "20-hostssl-only.sh: pg_hba.conf now accepts TCP connections over SSL only"
