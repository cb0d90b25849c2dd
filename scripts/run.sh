#!/usr/bin/env bash
# make run: migrate the embedded SQLite database, load the demo city, create the demo logins,
# then start a background worker and the web server, and print where to go.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" PARTYORG_DEMO="${PARTYORG_DEMO:-1}"
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p var
$PY manage.py migrate --noinput -v 0
$PY manage.py demo --scale "${SCALE:-city}" --seed "${SEED:-1}"
$PY manage.py worker >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "partyorg: http://127.0.0.1:${PORT}/  (Ctrl+C để dừng / to stop; worker log: var/worker.log)"
$PY -m uvicorn partyorg.asgi:application --host 127.0.0.1 --port "$PORT" --log-level warning
