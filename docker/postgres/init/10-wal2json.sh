#!/bin/bash
# Runs once, when the container initialises an empty data directory.
# No `set -u`: the image sources (instead of running) init scripts that lost their exec bit.
set -eo pipefail

tap_sql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" -tA -c "$1"
}

# Minor releases from late 2026 only load output plugins listed in output_plugin_libraries.
# Older minors do not know the setting and refuse unknown names at start, so it cannot go on the
# command line: ask the server first. It is a list setting: the names must stay unquoted (one
# quoted string would become a single item, "pgoutput, test_decoding, wal2json", and allow nothing).
if [ "$(tap_sql "SELECT 1 FROM pg_settings WHERE name = 'output_plugin_libraries'")" = "1" ]; then
  tap_sql "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json"
  tap_sql "SELECT pg_reload_conf()"
  echo "10-wal2json.sh: output_plugin_libraries = pgoutput, test_decoding, wal2json"
else
  echo "10-wal2json.sh: this minor release has no output_plugin_libraries; wal2json loads as is"
fi

# Physical replication connections match only 'replication' lines; logical ones match 'all'.
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
