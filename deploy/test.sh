#!/usr/bin/env bash
# Installs dependencies, builds mkvfleet and runs the whole test suite with ctest.
# Usage: ./deploy/test.sh [extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
# The browser test's npm packages (puppeteer-core driving Debian's chromium); without them that
# one test reports itself skipped.
if command -v npm >/dev/null 2>&1; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "test.sh: npm ci failed; the browser test will be skipped"
fi
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" "$@"
