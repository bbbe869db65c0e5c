#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# This is the README's test command and what CI runs (.ci/run).
#
#   deploy/test.sh             the suite, optimised build (build/)
#   deploy/test.sh --sanitize  the suite again under AddressSanitizer and
#                              UndefinedBehaviorSanitizer (build-asan/); any
#                              report from a test, a daemon or the CLI fails it
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
if [[ "${1:-}" == "--sanitize" ]]; then
  BUILD=${SIGNAAL_BUILD_DIR:-build-asan}
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=ON -DSIGNAAL_SANITIZE=ON
  cmake --build "$BUILD" -j2
  # Daemons run as child processes and are stopped by signals, so their
  # reports would end up in their logs; every process writes its report to a
  # file here instead, and any file there fails the run.
  reports="$PWD/$BUILD/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
  # print_suppressions=0: a suppressed leak must not leave a report file behind.
  export LSAN_OPTIONS="suppressions=$PWD/deploy/lsan.supp:print_suppressions=0"
  # The long-running property tests already ran in full in the normal suite;
  # here they only need to cover the code paths: one attacker campaign (its
  # integer programmes run many times slower under ASan).
  export SIGNAAL_ATTACK_SCENARIOS=${SIGNAAL_ATTACK_SCENARIOS:-1}
  export SIGNAAL_CRASH_CYCLES=${SIGNAAL_CRASH_CYCLES:-10}
  status=0
  ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 900 || status=$?
  if compgen -G "$reports/*" > /dev/null; then
    echo "sanitizer reports:" >&2
    for f in "$reports"/*; do echo "== $f" >&2; cat "$f" >&2; done
    exit 1
  fi
  exit $status
fi
BUILD=${SIGNAAL_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=ON
cmake --build "$BUILD" -j2
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600
