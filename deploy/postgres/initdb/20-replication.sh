#!/bin/sh
# The role a streaming replica connects as (docker compose's db-replica, with --profile scale),
# and the pg_hba.conf line that lets it replicate. Runs once, when the db service's volume is
# first initialised, and only when PRIVACYDESK_REPLICATION_PASSWORD is set.
set -eu

if [ -z "${PRIVACYDESK_REPLICATION_PASSWORD:-}" ]; then
    exit 0
fi

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="${PRIVACYDESK_REPLICATION_USER:-replicator}" \
    -v password="$PRIVACYDESK_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"role" WITH REPLICATION LOGIN PASSWORD :'password';
SQL

echo "host replication ${PRIVACYDESK_REPLICATION_USER:-replicator} all scram-sha-256" \
    >> "$PGDATA/pg_hba.conf"
