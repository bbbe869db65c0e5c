#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# This is the README's test command and what CI runs (.ci/run).
#
#   deploy/test.sh             the suite, optimised build (build/)
#   deploy/test.sh --sanitize  the suite again under AddressSanitizer and
#                              UndefinedBehaviorSanitizer (build-asan/); any
#                              report from a test, a daemon or the CLI fails it
#   deploy/test.sh --tsan      the tests where threads meet, under
#                              ThreadSanitizer (build-tsan/); any report fails it
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
if [[ "${1:-}" == "--tsan" ]]; then
  # Only where threads meet: the broker's poll loop hands jobs and table
  # snapshots to its digest worker (broker/digest_worker.h), the node's loop
  # hands imports, erasures, backups and the purge to its store worker
  # (node/store_worker.h). The rest of each process is its one loop thread
  # and already ran twice, plain and under ASan; building and running the
  # whole suite a third time would take CI well over 50 minutes on its 2
  # cores. So: the daemons and the CLI the integration tests drive; the unit
  # tests of both workers and the DigestService's lanes (broker_ingest_test,
  # admission_test, store_worker_test); and the integration tests that keep a
  # worker busy while its loop goes on — snapshots acked during risk reports,
  # fetches, publishes, abandoned builds and shutdown (broker_protocol_test,
  # broker_load_test, digest_schedule_test); the broker's mail worker, through
  # a restart with mails queued and an SMTP server that is down (mail_test,
  # mail_worker_test);
  # and the node's intake page, whose
  # HTTP thread asks the node's loop over inproc (intake_page_test). Not yet the node's large import
  # (long_jobs_test): it has not run under TSan here; the store worker's own
  # test has.
  BUILD=${SIGNAAL_BUILD_DIR:-build-tsan}
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=OFF -DSIGNAAL_TSAN=ON
  cmake --build "$BUILD" -j2 --target signaal-broker signaal-node signaal signaal-gen broker_ingest_test \
    admission_test store_worker_test broker_protocol_test broker_load_test digest_schedule_test intake_page_test \
    mail_test mail_mime_test mail_worker_test
  reports="$PWD/$BUILD/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  # deploy/tsan.supp: third-party libraries only, each with its reason.
  export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/deploy/tsan.supp:print_suppressions=0"
  export SIGNAAL_ATTACK_SCENARIOS=${SIGNAAL_ATTACK_SCENARIOS:-1}
  status=0
  # Not the 4 MB-filter and long catch-up tests: they involve no second
  # thread, and their bulk (ten filters of 450,000 strings; 2,000 digests
  # published) under TSan's allocator outlasts their timing bounds. Nor the
  # intake page's tests that load the scrubber's word lists (a quote, the
  # hint): under TSan that takes longer than the page waits for the loop (5 s);
  # the other seven drive the page's thread against the loop.
  ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 900 \
    -R '^(DigestWorker|Admission|SubscribeFilter|Lanes|GroupCommit|BrokerProtocol|BrokerLoad|DigestSchedule|StoreWorker|IntakePage|Mail)' \
    -E 'AHugeSubscribeFilter|ALongCatchUp|ScriptInEveryField|TheCoordinatorReviewsQuotes|TheHintMarks' || status=$?
  if compgen -G "$reports/*" > /dev/null; then
    echo "sanitizer reports:" >&2
    for f in "$reports"/*; do echo "== $f" >&2; cat "$f" >&2; done
    exit 1
  fi
  exit $status
fi
if [[ "${1:-}" == "--sanitize" ]]; then
  BUILD=${SIGNAAL_BUILD_DIR:-build-asan}
  # Warnings are the plain build's gate (-Werror there): at -O1 GCC's value
  # ranges differ and -Wformat-truncation and friends say other things about
  # the same code, so here they are shown, not fatal.
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=OFF -DSIGNAAL_SANITIZE=ON
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
# -g1 (line tables): backtraces keep file:line, and each file compiles in about
# two thirds of the time full debug information takes.
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNAAL_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build "$BUILD" -j2
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600
