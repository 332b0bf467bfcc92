#!/usr/bin/env bash
# Starts the release server twice — on a fresh demo database, and on an empty database without
# demo data (a real installation's first start, on the next port) — runs Playwright, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
addr="$1"; db="$2"
empty_addr="${addr%:*}:$(( ${addr##*:} + 1 ))"
empty_db="$(dirname "$db")/empty.db"
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT

# start <demo 0|1> <address> <database file>
start() {
  local demo="$1" at="$2" file="$3" log="${3%.db}.log"
  rm -f "$file" "$file-wal" "$file-shm"
  mkdir -p "$(dirname "$file")"
  HELPDESK_DEMO="$demo" HELPDESK_ADDR="$at" DATABASE_URL="sqlite://$file" ./target/release/server >"$log" 2>&1 &
  local server=$!
  servers+=("$server")
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://$at/login" && return 0
    kill -0 "$server" 2>/dev/null || { cat "$log"; echo "The server on $at did not start." >&2; exit 1; }
    sleep 0.2
  done
  echo "The server on $at did not answer." >&2
  exit 1
}

start 1 "$addr" "$db"
start 0 "$empty_addr" "$empty_db"
cd end2end
BASE_URL="http://$addr" EMPTY_URL="http://$empty_addr" npx playwright test "${@:3}"
