#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ for a set time each.
#
#   tools/fuzz.sh [--update-corpus] [target...]     (targets: snapshot csv_import config control scrub)
#
# Builds with clang into build-fuzz (-DSIGNAAL_FUZZ=ON: libFuzzer + ASan +
# UBSan), then runs each target for $SECONDS_PER_TARGET seconds (default 60)
# on a copy of its seed corpus fuzz/corpus/<target>/, so the inputs the
# fuzzer finds stay out of the repository. With --update-corpus, the inputs
# that add coverage are merged back into fuzz/corpus/<target>/ afterwards.
#
# Prints per target the executions (libFuzzer's stat::number_of_executed_units)
# and whether it crashed; exits 1 if any did. A crashing input is kept under
# $FUZZ_WORK_DIR/artifacts/<target>/ (default build-fuzz/fuzz-work); replay it
# with build-fuzz/fuzz/fuzz_<target> <file>.
#
# Limits (see fuzz/README.md): inputs up to 16 KiB (8 KiB for configs), 2 GiB
# of RSS, 25 s per input (90 s for control). Environment: SECONDS_PER_TARGET, FUZZ_WORK_DIR,
# FUZZ_BUILD_JOBS (default 2), FUZZ_EXTRA_ARGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-60}
BUILD_DIR=build-fuzz
WORK=${FUZZ_WORK_DIR:-$BUILD_DIR/fuzz-work}
ALL_TARGETS=(snapshot csv_import config control scrub)
UPDATE_CORPUS=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --update-corpus) UPDATE_CORPUS=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *)
      if [[ ! " ${ALL_TARGETS[*]} " == *" $arg "* ]]; then
        echo "fuzz.sh: unknown target '$arg' (one of: ${ALL_TARGETS[*]})" >&2
        exit 2
      fi
      targets+=("$arg") ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DSIGNAAL_FUZZ=ON -DBUILD_TESTING=ON >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$BUILD_DIR" -j "${FUZZ_BUILD_JOBS:-2}" --target "${build_targets[@]}"

mkdir -p "$WORK"
declare -A EXECS RESULT
failed=0
for t in "${targets[@]}"; do
  bin="$BUILD_DIR/fuzz/fuzz_$t"
  corpus="$WORK/corpus/$t"
  artifacts="$WORK/artifacts/$t"
  log="$WORK/$t.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp -r "fuzz/corpus/$t/." "$corpus/"
  max_len=16384
  extra=()
  [[ $t == config ]] && max_len=8192
  # control runs ~100 inputs a second: let its inputs grow at once rather
  # than by libFuzzer's slow length schedule (which would keep imports tiny).
  # Its digest publication runs the disclosure audit, slow under ASan (up to
  # ~35 s for a quarter): 90 s per input before it counts as a hang.
  timeout=25
  [[ $t == control ]] && extra=(-len_control=0) && timeout=90
  dict=()
  [[ -f fuzz/dict/$t.dict ]] && dict=("-dict=fuzz/dict/$t.dict")
  echo "== fuzz_$t: ${SECONDS_PER_TARGET}s, log $log"
  rc=0
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -max_len="$max_len" \
    -rss_limit_mb=2048 -timeout="$timeout" -artifact_prefix="$artifacts/" "${dict[@]}" "${extra[@]}" \
    ${FUZZ_EXTRA_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?
  EXECS[$t]=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  found=$(find "$artifacts" -type f | head -5 | tr '\n' ' ')
  if [[ $rc -ne 0 || -n $found ]]; then
    RESULT[$t]="CRASHED (exit $rc) ${found}"
    failed=1
    grep -m1 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|ERROR: libFuzzer' "$log" || true
  else
    RESULT[$t]="ok"
  fi
  if [[ $UPDATE_CORPUS -eq 1 && $rc -eq 0 ]]; then
    "$bin" -merge=1 -max_len="$max_len" "fuzz/corpus/$t" "$corpus" >>"$log" 2>&1
    echo "   merged new inputs into fuzz/corpus/$t"
  fi
done

echo
printf '%-12s %14s  %s\n' target executions result
for t in "${targets[@]}"; do
  printf '%-12s %14s  %s\n' "$t" "${EXECS[$t]:-?}" "${RESULT[$t]}"
done
exit $failed
