#!/usr/bin/env bash
# The whole suite on PostgreSQL + Redis (as production runs), then a smoke test of the embedded default
# (SQLite + filesystem broker) so that neither rots.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo project (config/, forum/) is not part of the installed package: it is found in the checkout.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=.venv/bin/python
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Both parts always run (a failure in the first does not hide the second); the exit status is the worst.
echo "== suite on PostgreSQL + Redis"
status=0
$PY -m pytest -q "$@" || status=$?
echo "== embedded default (SQLite, filesystem broker) smoke test"
DJANGO_SETTINGS_MODULE=config.settings.embedded_test $PY -m pytest -q -p no:cacheprovider tests/embedded || status=$?
exit "$status"
