#!/bin/sh
# db-replica (docker compose --profile scale): on a new volume, copy the primary with
# pg_basebackup (which creates the replication slot and writes the standby's recovery
# settings), then run PostgreSQL as a hot standby streaming from it.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready --host "$PRIMARY_HOST" --username "$REPLICATION_USER" --quiet; do
        sleep 1
    done
    PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup --host "$PRIMARY_HOST" \
        --username "$REPLICATION_USER" --pgdata "$PGDATA" --write-recovery-conf \
        --wal-method stream --create-slot --slot db_replica --checkpoint fast
    chmod 0700 "$PGDATA"
fi

exec postgres -c hot_standby=on -c hot_standby_feedback=on
