#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on 127.0.0.1.
#
#   scripts/with-postgres.sh <command...>
#
# initdb into a temp dir, start on a free port, export TEST_DATABASE_URL, run the
# command, then stop the server and delete the dir. Installs Debian's postgresql
# package only when no server binaries are found.
#
# KEHOU_PG_DIR=<dir> keeps the server's data in <dir> instead (initdb only the first
# time; the dir is kept after the command): `make bench` keeps its generated data
# (the reports benchmark's term of 18 M attendance rows) in .bench-data/.
set -euo pipefail

find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

BINDIR=$(find_bindir || true)
if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql package..." >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BINDIR=$(find_bindir)
fi

# initdb refuses to run as root; run the server as an unprivileged user.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres
  id "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
  RUN_AS=(runuser -u "$PGUSER_OS" --)
fi

KEEP="${KEHOU_PG_DIR:-}"
if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  DATA=$(cd "$KEEP" && pwd)
else
  DATA=$(mktemp -d /tmp/kehou-pg.XXXXXX)
fi
[ ${#RUN_AS[@]} -gt 0 ] && chown "$PGUSER_OS" "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  if [ -n "$KEEP" ]; then
    "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null 2>&1 || true
  else
    "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
  fi
}
trap cleanup EXIT

if [ ! -f "$DATA/db/PG_VERSION" ]; then
  "${RUN_AS[@]}" "$BINDIR/initdb" -D "$DATA/db" -U kehou --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
  -o "-h 127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U kehou -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kehou_test'" \
  | grep -q 1 || "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U kehou kehou_test

export TEST_DATABASE_URL="postgresql+psycopg://kehou@127.0.0.1:$PORT/kehou_test"
echo "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
