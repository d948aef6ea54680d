#!/usr/bin/env bash
# Set up and serve Spirit (django-spirit) with the plugin, and a Celery worker (and beat) beside it.
# Embedded default as for `make run`: SQLite and kombu's filesystem broker, under their own VAR_DIR
# (.var/spirit), so this never shares a database with the demo forum. DATABASE_URL / REDIS_URL as usual.
# DJANGO_SETTINGS_MODULE may name settings that extend integrations.spirit.settings (the browser test does).
set -euo pipefail
cd "$(dirname "$0")/.."
# integrations/ and config/ are found in the checkout, not in the installed package.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PORT="${PORT:-8000}"
export VAR_DIR="${VAR_DIR:-$PWD/.var/spirit}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-integrations.spirit.settings}"
# A demo, as `make run`: DEBUG on (outside DEBUG the checks refuse the demo key and users), local webhooks allowed.
export DEBUG="${DEBUG:-1}" ALLOW_PRIVATE_WEBHOOK_URLS="${ALLOW_PRIVATE_WEBHOOK_URLS:-1}"
PY=.venv/bin/python
mkdir -p "$VAR_DIR"
$PY manage.py migrate --noinput -v0
$PY manage.py createcachetable
$PY manage.py seed_spirit_demo
$PY manage.py spirit_backfill >/dev/null  # an upgraded demo database: what earlier versions did not store
prefix="${CELERY_QUEUE_PREFIX:-aidisclosure}"
. scripts/lib/supervise.sh
: >"$VAR_DIR/worker.log"
# restarted whenever it exits (scripts/lib/supervise.sh); its pid is in $VAR_DIR/worker.pid
supervise "$VAR_DIR/worker.log" "$VAR_DIR/worker.pid" $PY -m celery -A config worker -B -l info \
  --concurrency "${WORKER_CONCURRENCY:-2}" -s "$VAR_DIR/celerybeat-schedule" -Q "$prefix.fast,$prefix.slow,$prefix.webhooks"
trap 'kill $SUPERVISOR 2>/dev/null; wait $SUPERVISOR 2>/dev/null' EXIT INT TERM
cat <<MSG

  Spirit with the plugin: http://127.0.0.1:$PORT/
  Review queue:           http://127.0.0.1:$PORT/moderation/   (Spirit moderators)
  Demo logins (password "demo" — demo only): author (regular), newbie (new), moderator (Spirit moderator)
  Worker log:             $VAR_DIR/worker.log   (restarted if it exits; database: ${DATABASE_URL:-$VAR_DIR/db.sqlite3}, broker: ${REDIS_URL:-filesystem $VAR_DIR/broker})

MSG
$PY manage.py runserver --noreload "127.0.0.1:$PORT"
