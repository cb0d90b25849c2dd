#!/usr/bin/env bash
# Copies the front-end libraries we serve from npm packages into static/vendor/ (no JS build step).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund bootstrap@5.3.8 htmx.org@2.0.8 echarts@6.1.0 >/dev/null)
mkdir -p static/vendor
cp "$tmp/node_modules/bootstrap/dist/css/bootstrap.min.css" static/vendor/
cp "$tmp/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js" static/vendor/
cp "$tmp/node_modules/htmx.org/dist/htmx.min.js" static/vendor/
cp "$tmp/node_modules/echarts/dist/echarts.min.js" static/vendor/
ls -la static/vendor
