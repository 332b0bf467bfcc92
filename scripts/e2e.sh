#!/usr/bin/env bash
# Starts the release server on a fresh demo database, runs Playwright against it, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
addr="$1"; db="$2"
rm -f "$db" "$db-wal" "$db-shm"
mkdir -p "$(dirname "$db")"
log="$(dirname "$db")/server.log"
HELPDESK_DEMO=1 HELPDESK_ADDR="$addr" DATABASE_URL="sqlite://$db" ./target/release/server >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://$addr/login" && break
  kill -0 $server 2>/dev/null || { cat "$log"; echo "The server did not start." >&2; exit 1; }
  sleep 0.2
done
cd end2end
BASE_URL="http://$addr" npx playwright test "${@:3}"
