#!/bin/sh
# Burnrate web container entrypoint: apply database migrations, then start Next.js.
set -eu

cd /app

attempt=1
until npm run --silent db:migrate; do
  if [ "$attempt" -ge "${MIGRATE_ATTEMPTS:-10}" ]; then
    echo "burnrate: database migration failed after $attempt attempts" >&2
    exit 1
  fi
  echo "burnrate: migration attempt $attempt failed; retrying in 3s" >&2
  attempt=$((attempt + 1))
  sleep 3
done

cd /app/apps/web
exec /app/node_modules/.bin/next start --hostname 0.0.0.0 --port "${PORT:-3000}"
