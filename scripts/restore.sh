#!/usr/bin/env bash
# Put a backup made by scripts/backup.sh back into the app's database, replacing what is there.
#
#   DATABASE_URL=postgres://user@host:5432/promotions scripts/restore.sh backups/promotions-….dump
#
# Stop the web processes and the worker first. The restore runs in one transaction: if any part
# fails, the database is left as it was.
set -euo pipefail

file=${1:-}
if [ -z "$file" ]; then
  echo "usage: scripts/restore.sh FILE (a backup made by scripts/backup.sh)" >&2
  exit 2
fi
if [ ! -f "$file" ]; then
  echo "scripts/restore.sh: no backup at $file" >&2
  exit 2
fi
url=${DATABASE_URL:?scripts/restore.sh: set DATABASE_URL to the database to restore into}

# The installed server's own client when there is one, so that versions match.
pg_restore=pg_restore
for bin in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
  if [ -n "$bin" ] && [ -x "$bin/pg_restore" ]; then pg_restore="$bin/pg_restore"; break; fi
done

"$pg_restore" --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$url" "$file"
echo "Restored $file"
