#!/usr/bin/env bash
# Set up and serve the demo forum with a Celery worker (and beat) beside it.
# Embedded default: SQLite under .var/ and kombu's filesystem broker under .var/broker — no servers needed.
# Set DATABASE_URL / REDIS_URL to use PostgreSQL / Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo project (config/, forum/) is not part of the installed package: it is found in the checkout.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
# The demo: DEBUG on (demo logins shown, the demo key accepted), webhooks to this laptop allowed.
# Production uses config.settings.production, where the system checks refuse all three.
export DEBUG="${DEBUG:-1}" ALLOW_PRIVATE_WEBHOOK_URLS="${ALLOW_PRIVATE_WEBHOOK_URLS:-1}"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo
mkdir -p .var
prefix="${CELERY_QUEUE_PREFIX:-aidisclosure}"
.venv/bin/celery -A config worker -B -l info --concurrency 2 \
  -Q "$prefix.fast,$prefix.slow,$prefix.webhooks" >.var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
cat <<MSG

  Demo forum:        http://127.0.0.1:$PORT/
  Moderation queue:  http://127.0.0.1:$PORT/moderation/
  API docs:          http://127.0.0.1:$PORT/api/v1/docs
  Admin:             http://127.0.0.1:$PORT/admin/
  Demo logins (password "demo" — demo only): author, newbie, reader, moderator
  Worker log:        .var/worker.log   (database: ${DATABASE_URL:-.var/db.sqlite3}, broker: ${REDIS_URL:-filesystem .var/broker})

MSG
$PY manage.py runserver "127.0.0.1:$PORT"
