#!/usr/bin/env bash
# Runs every benchmark of bench/ several times and prints a Markdown table of
# medians, each figure next to the baseline measured in the same run and the
# issue-7 target it answers (docs/PERFORMANCE.md shows a result).
#
#   tools/bench.sh [--build DIR] [--runs N] [--quick] [--only LIST] [--out DIR]
#
#   --build DIR   build folder with the bench targets (default: build-bench)
#   --runs N      repetitions of every benchmark (default 3; medians over them)
#   --quick       smaller sizes (minutes instead of most of an hour): 10 nodes,
#                 100k import rows, 500 scale nodes; not for the record
#   --only LIST   comma-separated of: ingest,import,summary,latency,footprint,digest,scale,
#                 federation (not run unless named: the national picture, issue 19)
#   --out DIR     where the raw results go (default: DIR/bench-results/<time>)
#
# Build first:
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-bench -j2 --target bench_ingest bench_import bench_summary \
#         bench_latency bench_footprint bench_digest bench_ingest_parts bench_import_parts \
#         bench_federation
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-bench"
runs=3
quick=0
only="ingest,import,summary,latency,footprint,digest,scale"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
bin="$build/bench"
[[ -x "$bin/bench_ingest" ]] || { echo "bench.sh: no benchmarks in $bin; build them first (see --help)" >&2; exit 2; }
out=${out:-"$build/bench-results/$(date +%Y%m%d-%H%M%S)"}
mkdir -p "$out"
raw="$out/runs.jsonl"
: > "$raw"

# 5,000 simulated nodes hold a connection each, in this process and in the
# broker: both need well over 10,000 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [[ $quick == 1 ]]; then
  ingest_args=(--nodes 10 --weeks 10 --cells 100)
  import_args=(--rows 100000)
  footprint_args=(--signals 20000 --starts 5)
  scale_args=(--nodes 500 --weeks 52 --cells 10 --window 2)
  latency_args=(--samples 20)
  digest_args=(--smoke)
  federation_args=(--smoke)
else
  ingest_args=(--nodes 50 --weeks 20 --cells 100)
  import_args=(--rows 1000000)
  footprint_args=(--signals 100000 --starts 5)
  scale_args=(--nodes 5000 --weeks 52 --cells 10 --window 2)
  latency_args=(--samples 50)
  digest_args=(--runs 3)
  federation_args=(--runs 3 --live 4)
fi

wanted() { [[ ",$only," == *",$1,"* ]]; }
run() {  # name, command...: one JSON line appended to runs.jsonl
  local name=$1; shift
  echo "bench.sh: $name: $*" >&2
  echo "$*" >> "$out/commands.txt"
  if ! "$@" >> "$raw" 2>> "$out/$name.stderr"; then
    echo "bench.sh: $name failed (see $out/$name.stderr)" >&2
  fi
}

for ((r = 1; r <= runs; ++r)); do
  echo "bench.sh: run $r of $runs" >&2
  wanted ingest && run ingest "$bin/bench_ingest" "${ingest_args[@]}"
  wanted import && run import "$bin/bench_import" "${import_args[@]}"
  wanted latency && run latency "$bin/bench_latency" "${latency_args[@]}"
  wanted footprint && run footprint "$bin/bench_footprint" "${footprint_args[@]}"
  wanted scale && run scale "$bin/bench_ingest" --name scale "${scale_args[@]}"
  wanted digest && run digest "$bin/bench_digest" "${digest_args[@]}"
  wanted federation && run federation "$bin/bench_federation" "${federation_args[@]}"
done
# Google Benchmark programs repeat themselves and report the median.
gb() {
  local name=$1; shift
  echo "bench.sh: $name: $*" >&2
  echo "$* --benchmark_repetitions=$runs" >> "$out/commands.txt"
  "$@" --benchmark_repetitions="$runs" --benchmark_format=json --benchmark_out="$out/$name.json" \
    --benchmark_out_format=json > /dev/null 2>> "$out/$name.stderr" || echo "bench.sh: $name failed" >&2
}
wanted summary && gb summary "$bin/bench_summary"
# Where the time per snapshot and per imported row goes.
wanted ingest && gb ingest_parts "$bin/bench_ingest_parts"
wanted import && gb import_parts "$bin/bench_import_parts"

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), \
$(. /etc/os-release && echo "$PRETTY_NAME"), disk $(df -h --output=source "${TMPDIR:-/tmp}" | tail -1)"
echo "$machine" > "$out/machine.txt"
python3 "$here/bench/bench_table.py" "$out" "$runs"
echo >&2
echo "bench.sh: raw results in $out" >&2
