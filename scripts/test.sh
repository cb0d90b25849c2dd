#!/usr/bin/env bash
# make test: lint, then the whole suite on SQLite and on PostgreSQL (with a real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium and Noto fonts from Debian's packages…"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi

# The congress reports' PDF (WeasyPrint) lays text out with Debian's pango.
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  echo "Installing pango and Noto fonts from Debian's packages (PDF reports)…"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core >/dev/null
fi

# The login tests start a real OpenID Connect provider (panva/oidc-provider) from tests/oidc.
if [ ! -d tests/oidc/node_modules/oidc-provider ]; then
  echo "Installing the test OpenID Connect provider (npm ci in tests/oidc)…"
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi

# The handbook's audits (tests/browser/test_handbook_audit.py): axe-core and Lighthouse 12.2.3
# (13 needs a newer Node), run against Debian's Chromium.
if [ ! -d tests/audit/node_modules/lighthouse ] || [ ! -d tests/audit/node_modules/axe-core ]; then
  echo "Installing the audit tools (npm ci in tests/audit)…"
  (cd tests/audit && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== lint (ruff, mypy, import-linter)"
$PY -m ruff check .
$PY -m ruff format --check .
# mypy's Django plugin loads the settings, which refuse to start without a key outside DEBUG.
SECRET_KEY=lint-only $PY -m mypy . --no-error-summary
# The floors run one way (.importlinter, docs/architecture.md).
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

# The rules under lib/ compiled with mypyc, as deployments run them (docs/deployment.md): the
# SQLite run tests them as pure Python, the PostgreSQL run as compiled (if a C compiler is here).
echo "== compiled rules"
./scripts/compile.sh

echo "== tests on SQLite (pure Python rules)"
DATABASE_URL="sqlite:///:memory:" PARTYORG_COMPILED=0 $PY -m pytest -n 2 -q "$@"

PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/partyorg_test}"
case "$PG_URL" in postgres*) ;; *) PG_URL="postgres://postgres@127.0.0.1:5432/partyorg_test" ;; esac
if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres", connect_timeout=3).close()
except Exception as e:
    print(f"PostgreSQL not reachable: {e}")
    sys.exit(1)
PYEOF
then
  echo "== tests on PostgreSQL ($($PY -c 'import partyorg.compiled as c; print("compiled rules" if c.in_use() else "pure Python rules")'))"
  DATABASE_URL="$PG_URL" $PY -m pytest -n 2 -q "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true ($PG_URL)"; exit 1
else
  echo "PostgreSQL is not reachable at $PG_URL: ran SQLite only."
fi
