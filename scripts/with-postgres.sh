#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster on a free loopback port.
# Usage: scripts/with-postgres.sh python -m pytest tests/quizzes
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres=()
if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
  chown postgres "$dir"
  as_postgres=(runuser -u postgres --)
fi
pg() {  # run a PostgreSQL program from the cluster's folder (the postgres user may not enter the checkout)
  (cd "$dir" && "${as_postgres[@]}" "$bindir/$@")
}
pg initdb -D "$dir/data" -U deeprecall --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null
trap 'pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null; rm -rf "$dir"' EXIT
pg createdb -h 127.0.0.1 -p "$port" -U deeprecall deeprecall

DATABASE_URL="postgres://deeprecall@127.0.0.1:$port/deeprecall" "$@"
