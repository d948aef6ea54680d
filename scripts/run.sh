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
VAR="${VAR_DIR:-$PWD/.var}"
mkdir -p "$VAR"
prefix="${CELERY_QUEUE_PREFIX:-aidisclosure}"
. scripts/lib/supervise.sh
: >"$VAR/worker.log"
# restarted whenever it exits (scripts/lib/supervise.sh); its pid is in $VAR/worker.pid
supervise "$VAR/worker.log" "$VAR/worker.pid" .venv/bin/celery -A config worker -B -l info --concurrency 2 \
  -Q "$prefix.fast,$prefix.slow,$prefix.webhooks"
trap 'kill $SUPERVISOR 2>/dev/null; wait $SUPERVISOR 2>/dev/null' EXIT INT TERM
cat <<MSG

  Demo forum:        http://127.0.0.1:$PORT/
  Moderation queue:  http://127.0.0.1:$PORT/moderation/
  API docs:          http://127.0.0.1:$PORT/api/v1/docs
  Admin:             http://127.0.0.1:$PORT/admin/
  Demo logins (password "demo" — demo only): author, newbie, reader, moderator
  Worker log:        $VAR/worker.log   (restarted if it exits; database: ${DATABASE_URL:-$VAR/db.sqlite3}, broker: ${REDIS_URL:-filesystem $VAR/broker})

MSG
$PY manage.py runserver "127.0.0.1:$PORT"
