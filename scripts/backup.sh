#!/usr/bin/env bash
# A backup of the app's database in pg_dump's custom format, written as
# $BACKUP_DIR/promotions-YYYYmmdd-HHMMSS.dump (UTC; BACKUP_DIR defaults to backups/).
#
#   DATABASE_URL=postgres://user@host:5432/promotions scripts/backup.sh
#
# Prints the file's path. `make backup` runs this against the database of `make run` unless
# DATABASE_URL is set. Restore with scripts/restore.sh FILE.
set -euo pipefail

url=${DATABASE_URL:?scripts/backup.sh: set DATABASE_URL to the database to back up}
dir=${BACKUP_DIR:-backups}

# The installed server's own client when there is one, so that versions match.
pg_dump=pg_dump
for bin in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
  if [ -n "$bin" ] && [ -x "$bin/pg_dump" ]; then pg_dump="$bin/pg_dump"; break; fi
done

mkdir -p "$dir"
file="$dir/promotions-$(date -u +%Y%m%d-%H%M%S).dump"
if [ -e "$file" ]; then
  echo "scripts/backup.sh: $file already exists; try again in a second" >&2
  exit 1
fi
# Written under a temporary name and renamed, so a dump that fails halfway never looks complete.
"$pg_dump" --format=custom --no-owner --dbname="$url" --file="$file.partial"
mv "$file.partial" "$file"
echo "$file"
