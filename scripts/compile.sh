#!/usr/bin/env bash
# Compile the pure rules under lib/ to C with mypyc, into var/compiled (partyorg.compiled uses
# the build only while lib/'s sources are those it was built from). Optional: without a C
# compiler, or if mypyc fails, partyorg runs the same code as pure Python.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
OUT=var/compiled
# The modules a city's import spends its Python time in (parse, clean, match).
MODULES="lib/vn/text.py lib/vn/dates.py lib/vn/encodings.py lib/vn/cccd.py lib/vn/_cells.py
lib/vn/phones.py lib/vn/values.py lib/vn/messages.py lib/cleaning/rules.py lib/cleaning/fast.py
lib/cleaning/places.py lib/cleaning/match.py lib/cleaning/columns.py lib/cleaning/parse.py
lib/cleaning/typed.py lib/cleaning/staging.py"

digest=$($PY -c "from partyorg.compiled import sources_digest; print(sources_digest())")
if [ -f "$OUT/SOURCES" ] && [ "$(cat "$OUT/SOURCES")" = "$digest" ]; then
  echo "Compiled rules are up to date ($OUT)."
  exit 0
fi
if ! command -v cc >/dev/null 2>&1; then
  echo "No C compiler: the rules run as pure Python."
  exit 0
fi
echo "Compiling the cleaning rules with mypyc (about a minute)…"
mkdir -p var
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
cp -r lib "$OUT.tmp/"
find "$OUT.tmp" \( -name __pycache__ -o -name tests \) -prune -exec rm -rf {} +
# mypyc's own settings, not the project's (whose Django plugin wants settings lib/ never uses).
printf '[mypy]\npython_version = 3.12\nignore_missing_imports = True\n' >"$OUT.tmp/mypy.ini"
# shellcheck disable=SC2086
if ! (cd "$OUT.tmp" && "$PY" -m mypyc $MODULES) >var/compile.log 2>&1; then
  echo "mypyc failed (var/compile.log): the rules run as pure Python."
  rm -rf "$OUT.tmp"
  exit 0
fi
# Only the compiled modules stay (partyorg.compiled finds every other one in lib/ itself).
rm -rf "$OUT.tmp/build" "$OUT.tmp/mypy.ini" "$OUT.tmp/.mypy_cache"
find "$OUT.tmp" -name "*.py" -delete
echo "$digest" >"$OUT.tmp/SOURCES"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "Compiled rules in $OUT."
