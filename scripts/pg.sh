#!/usr/bin/env bash
# A private PostgreSQL cluster for this project, driven with the installed server binaries.
#
#   scripts/pg.sh start DIR   create (first time) and start a cluster whose data and socket live in DIR
#   scripts/pg.sh stop DIR    stop it
#   scripts/pg.sh url DIR DB  print the DATABASE_URL of database DB in that cluster
#   scripts/pg.sh createdb DIR DB  create database DB in that cluster unless it exists
#
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres" system user.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|url|createdb DIR [DB]}
dir=$(realpath -m "${2:?usage: pg.sh start|stop|url DIR [DB]}")
data="$dir/data"
sock="$dir/sock"
port=${PGPORT_PRIVATE:-5432}

bindir() {
  local b
  b=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$b" ] && [ -x "$b/pg_ctl" ]; then echo "$b"; return; fi
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$b" ] && [ -x "$b/pg_ctl" ]; then echo "$b"; return; fi
  echo "pg.sh: no PostgreSQL server found; install it (apt-get install postgresql)" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

urlencode_path() { printf '%s' "$1" | sed 's|%|%25|g; s|/|%2F|g'; }

superuser() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }

case "$cmd" in
  start)
    bin=$(bindir)
    if [ ${#sock} -gt 90 ]; then
      echo "pg.sh: socket path $sock is too long for a Unix socket; use a shorter folder" >&2
      exit 1
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      # The server user must be able to reach the folder and own its data.
      chown postgres: "$dir"
      chmod 0711 "$dir"
    fi
    if [ ! -s "$data/PG_VERSION" ]; then
      as_owner mkdir -p "$data" "$sock"
      as_owner "$bin/initdb" -D "$data" -U "$(superuser)" --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0770
port = $port
max_connections = 60
shared_buffers = 256MB
CONF
    fi
    if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      exit 0
    fi
    extra=${PG_EXTRA_OPTIONS:-}
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o "$extra" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    bin=$(bindir)
    if [ -s "$data/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  url)
    db=${3:?usage: pg.sh url DIR DB}
    echo "postgres://$(superuser)@$(urlencode_path "$sock"):$port/$db"
    ;;
  createdb)
    db=${3:?usage: pg.sh createdb DIR DB}
    bin=$(bindir)
    if ! "$bin/psql" -h "$sock" -p "$port" -U "$(superuser)" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      "$bin/createdb" -h "$sock" -p "$port" -U "$(superuser)" "$db"
    fi
    ;;
  *)
    echo "usage: pg.sh start|stop|url|createdb DIR [DB]" >&2
    exit 2
    ;;
esac
