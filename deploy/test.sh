#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
BUILD=${SIGNAAL_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=ON
cmake --build "$BUILD" -j2
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600
