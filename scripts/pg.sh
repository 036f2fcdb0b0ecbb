#!/usr/bin/env bash
# A private PostgreSQL cluster for this project, driven with the installed server binaries.
#
#   scripts/pg.sh start DIR         create (first time) and start the cluster named DIR
#   scripts/pg.sh stop DIR          stop it
#   scripts/pg.sh url DIR DB        print the DATABASE_URL of database DB in that cluster
#   scripts/pg.sh createdb DIR DB   create database DB in that cluster unless it exists
#   scripts/pg.sh where DIR         print the folder holding the cluster's data
#   scripts/pg.sh remove DIR        stop it and delete its data, its socket folder and DIR
#
# DIR may be any folder: under a parent of mode 0700, with spaces, as long as you like.
#
# The data lives in DIR/data. PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" system user, which may not be allowed into DIR (root's home is mode 0700): then the
# data lives in that user's home folder instead, in promotion-reviews/NAME-HASH/data, NAME being
# made of the names of DIR's parent and DIR, HASH the start of the SHA-256 of DIR's absolute path.
#
# The Unix socket lives in /tmp/promotion-reviews-pg-HASH, a folder of the server's user of mode
# 0700: a socket's path may not exceed 107 bytes, and the URL's host must be lower case
# (dj-database-url lowercases it), which this one is whatever DIR is.
set -euo pipefail

usage="usage: pg.sh start|stop|where|remove DIR, or pg.sh url|createdb DIR DB"
cmd=${1:?$usage}
dir=$(realpath -m "${2:?$usage}")
port=${PGPORT_PRIVATE:-5432}
hash=$(printf '%s' "$dir" | sha256sum | cut -c1-12)
sock=/tmp/promotion-reviews-pg-$hash

if [ "$(id -u)" = 0 ]; then
  user=postgres
  pghome=$(getent passwd postgres | cut -d: -f6) || true
  if [ -z "$pghome" ]; then
    echo "pg.sh: there is no postgres user; install PostgreSQL (apt-get install postgresql)" >&2
    exit 1
  fi
  name=$(printf '%s_%s' "$(basename "$(dirname "$dir")")" "$(basename "$dir")" \
    | tr -c 'A-Za-z0-9._-' '_' | cut -c1-60)
  home=$pghome/promotion-reviews/$name-$hash
else
  user=$(id -un)
  home=$dir
fi
data=$home/data

bindir() {
  local b
  b=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$b" ] && [ -x "$b/pg_ctl" ]; then echo "$b"; return; fi
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$b" ] && [ -x "$b/pg_ctl" ]; then echo "$b"; return; fi
  echo "pg.sh: no PostgreSQL server found; install it (apt-get install postgresql)" >&2
  exit 1
}

as_server() {
  if [ "$(id -u)" = 0 ]; then
    # From /: the postgres user may not be allowed into the current folder.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

urlencode() {
  local LC_ALL=C s=$1 i c
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) printf '%s' "$c" ;;
      *) printf '%%%02X' "'$c" ;;
    esac
  done
}

make_home() {
  if [ "$(id -u)" != 0 ]; then
    mkdir -p "$home"
    return
  fi
  if ! as_server test -d "$pghome" -a -w "$pghome"; then
    echo "pg.sh: as root the cluster's data is kept in the postgres user's home folder, $pghome," \
      "which is missing or not writable by postgres; create it:" \
      "install -d -o postgres -g postgres $pghome" >&2
    exit 1
  fi
  as_server mkdir -p -m 0700 "$home"
}

# /tmp is shared: the socket folder must be the server user's own, or anyone could pose as the server.
make_socket_folder() {
  as_server mkdir -m 0700 "$sock" 2>/dev/null || true
  if [ -L "$sock" ] || [ ! -d "$sock" ] || [ "$(stat -c %u "$sock")" != "$(id -u "$user")" ]; then
    echo "pg.sh: $sock, the folder for the cluster's socket, is not $user's own folder;" \
      "remove it and start again" >&2
    exit 1
  fi
  as_server chmod 0700 "$sock"
}

running() { [ -s "$data/PG_VERSION" ] && as_server "$1/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    bin=$(bindir)
    make_home
    make_socket_folder
    if [ ! -s "$data/PG_VERSION" ]; then
      out=$(as_server "$bin/initdb" -D "$data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 2>&1) \
        || { echo "$out" >&2; exit 1; }
      as_server tee -a "$data/postgresql.conf" >/dev/null <<CONF
listen_addresses = ''
unix_socket_permissions = 0770
port = $port
max_connections = 60
shared_buffers = 256MB
CONF
    fi
    if running "$bin"; then
      exit 0
    fi
    # The socket folder is given at each start rather than in postgresql.conf: it follows DIR's path.
    as_server "$bin/pg_ctl" -D "$data" -l "$home/server.log" -w -t 60 \
      -o "-k $sock ${PG_EXTRA_OPTIONS:-}" start >/dev/null \
      || { tail -n 20 "$home/server.log" >&2; exit 1; }
    ;;
  stop | remove)
    if [ "$cmd" = remove ]; then
      case "$PWD/" in
        "$dir"/*)
          echo "pg.sh: will not remove $dir, which holds the current folder" >&2
          exit 1
          ;;
      esac
    fi
    if [ -s "$data/PG_VERSION" ]; then
      bin=$(bindir)
      as_server "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
      if running "$bin"; then
        echo "pg.sh: the cluster in $data did not stop; see $home/server.log" >&2
        exit 1
      fi
    fi
    if [ "$cmd" = remove ]; then
      if [ -d "$sock" ] && [ "$(stat -c %u "$sock")" = "$(id -u "$user")" ]; then
        rm -rf "$sock"
      fi
      rm -rf "$home" "$dir"
    fi
    ;;
  where)
    echo "$data"
    ;;
  url)
    db=${3:?$usage}
    echo "postgres://$(urlencode "$user")@$(urlencode "$sock"):$port/$(urlencode "$db")"
    ;;
  createdb)
    db=${3:?$usage}
    bin=$(bindir)
    if ! "$bin/psql" -h "$sock" -p "$port" -U "$user" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      "$bin/createdb" -h "$sock" -p "$port" -U "$user" "$db"
    fi
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
