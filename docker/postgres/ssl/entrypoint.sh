#!/bin/bash
# Entrypoint of the postgres-ssl service: makes a self-signed server certificate on the first start
# (the server is started with ssl=on, already during initialisation, so the files must exist
# before the image's own entrypoint runs), then hands over to that entrypoint.
set -euo pipefail

certs=/var/lib/postgresql/certs
if [ ! -s "$certs/server.key" ]; then
  mkdir -p "$certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,DNS:postgres-ssl,IP:127.0.0.1" \
    -keyout "$certs/server.key" -out "$certs/server.crt" 2>/dev/null
  chown -R postgres:postgres "$certs"
  chmod 600 "$certs/server.key"
  chmod 644 "$certs/server.crt"
fi

# Only this service gets the hostssl-only client rules.
cp /usr/local/share/tap-postgres-ssl/20-hostssl-only.sh /docker-entrypoint-initdb.d/20-hostssl-only.sh

exec docker-entrypoint.sh "$@"
