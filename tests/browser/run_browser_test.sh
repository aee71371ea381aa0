#!/usr/bin/env bash
# ctest entry for the browser test (label: browser). Skips (exit 77, shown as "Skipped" by ctest)
# with a clear message when Debian's chromium or the npm packages are missing; deploy/test.sh
# installs both (chromium via install-deps.sh, puppeteer-core via `npm ci` in tests/browser).
# Usage: run_browser_test.sh FIXTURE_SERVER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIPPED browser test: $chromium not found (apt-get install chromium)"
  exit 77
fi
if [ ! -d "$here/node_modules/puppeteer-core" ] || ! command -v node >/dev/null; then
  echo "SKIPPED browser test: node or tests/browser/node_modules missing (cd tests/browser && npm ci)"
  exit 77
fi
export FIXTURE_SERVER=${1:?usage: run_browser_test.sh FIXTURE_SERVER_BINARY}
export CHROMIUM=$chromium
cd "$here"
exec node --test dashboard.test.mjs
