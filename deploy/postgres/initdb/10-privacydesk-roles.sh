#!/bin/sh
# The database roles of the docker compose deployment. The postgres image runs this once, when
# the db service's data volume is first initialised (it is mounted on
# /docker-entrypoint-initdb.d), as the superuser POSTGRES_USER.
#
#   owner (PRIVACYDESK_DB_OWNER): owns the schema and every table; the migrate service runs as
#       it. Only an owner can switch the audit trail's triggers off.
#   app (PRIVACYDESK_DB_APP): web, worker and beat. Everything on the tables migrations create,
#       except the audit trail and its anchors, where audit migration 0006 leaves it INSERT and
#       SELECT only (so it can neither change, delete nor truncate what the trail holds).
#
# tests/audit/test_audit_roles.py runs this script against a scratch database.
set -eu

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner="${PRIVACYDESK_DB_OWNER:-privacydesk_owner}" \
    -v owner_password="$PRIVACYDESK_DB_OWNER_PASSWORD" \
    -v app="${PRIVACYDESK_DB_APP:-privacydesk}" \
    -v app_password="$PRIVACYDESK_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
-- The owner may act as the app role, never the other way round: a table later handed to the
-- app role stays within reach of migrations.
GRANT :"app" TO :"owner";

ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";

GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- CREATE: the app makes tables at run time (each month's usage-event partition), and only a
-- table's owner may add, detach or drop its partitions, so such a table is the app's.
GRANT USAGE, CREATE ON SCHEMA public TO :"app";

-- Every table and sequence the owner creates from now on (that is, every migration).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT ALL ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT ALL ON SEQUENCES TO :"app";
SQL
