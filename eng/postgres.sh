#!/usr/bin/env bash
# A private PostgreSQL 15 for the tests: a temporary data folder, a loopback port, trust auth on loopback only.
#   source eng/postgres.sh && postgres_start   # exports DATAIMPORT_TEST_POSTGRES (an Npgsql connection string)
#   postgres_stop                               # stops the server and deletes its folder (safe to call twice)
# The server runs as the `postgres` system user when started by root (initdb refuses root), as the caller otherwise.
# Locally: `bash eng/test.sh` starts it, runs the PostgreSQL tests and stops it.

postgres_bin() {
  local dir
  for dir in "${PG_BIN:-}" /usr/lib/postgresql/15/bin /usr/local/pgsql/bin; do
    if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)" && return 0
  return 1
}

postgres_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
  local bin port
  bin=$(postgres_bin) || { echo "PostgreSQL 15 (pg_ctl) was not found; set PG_BIN to its bin folder." >&2; return 1; }
  PG_TMP=$(mktemp -d -t dataimport-pg.XXXXXX)
  export PG_TMP PG_BIN="$bin"
  chmod 755 "$PG_TMP"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_TMP"
  # A free loopback port: let the kernel pick one.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  postgres_as "$bin/initdb" -D "$PG_TMP/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  postgres_as "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_TMP -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
    || { cat "$PG_TMP/server.log" >&2; return 1; }
  postgres_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dataimport_test || return 1
  export DATAIMPORT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=dataimport_test;Pooling=true;Maximum Pool Size=100"
  echo "PostgreSQL started on 127.0.0.1:$port"
}

postgres_stop() {
  [ -n "${PG_TMP:-}" ] || return 0
  if [ -d "$PG_TMP/data" ]; then postgres_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$PG_TMP"
  unset PG_TMP
}
