#!/usr/bin/env bash
# make run: migrate the embedded SQLite database, start the web server at once, and meanwhile
# load the demo city and create the demo logins (printed here when ready), then a worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" PARTYORG_DEMO="${PARTYORG_DEMO:-1}"
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p var
# The congress reports' PDF (WeasyPrint) lays text out with Debian's pango.
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  echo "Installing pango and Noto fonts from Debian's packages (PDF reports)…"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core >/dev/null
fi

$PY manage.py migrate --noinput -v 0
# Loading the city takes a minute or two; the login page says so until the logins exist. The
# worker starts after it: both write, and the load holds SQLite's write lock throughout.
(
  $PY manage.py demo --scale "${SCALE:-city}" --seed "${SEED:-1}"
  echo
  echo "partyorg: http://127.0.0.1:${PORT}/  (Ctrl+C để dừng / to stop; worker log: var/worker.log)"
  exec $PY manage.py worker >var/worker.log 2>&1
) &
loader=$!
trap 'pkill -P $loader 2>/dev/null || true; kill $loader 2>/dev/null || true' EXIT INT TERM
echo
echo "partyorg: http://127.0.0.1:${PORT}/  (tài khoản trình diễn hiện dưới đây khi sẵn sàng / the demo logins appear below when ready)"
$PY -m uvicorn partyorg.asgi:application --host 127.0.0.1 --port "$PORT" --log-level warning
