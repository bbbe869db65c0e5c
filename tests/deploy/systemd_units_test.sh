#!/usr/bin/env bash
# The systemd units: `systemd-analyze verify` has nothing to say about them,
# and `systemd-analyze security --offline=true` rates each at most MAX.
# verify needs ExecStart= to exist, so it checks copies naming the built
# binaries instead of /usr/bin.
#
#   systemd_units_test.sh UNIT_DIR NODE_BINARY BROKER_BINARY MAX_EXPOSURE
set -euo pipefail
unit_dir=$1 node=$2 broker=$3 max=$4
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (apt-get install systemd)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for daemon in node broker; do
  unit=signaal-$daemon.service
  binary=$node
  [ "$daemon" = broker ] && binary=$broker
  sed "s#/usr/bin/signaal-$daemon#$binary#g" "$unit_dir/$unit" > "$tmp/$unit"
  grep -q "^ExecStart=$binary " "$tmp/$unit" || { echo "$unit: no ExecStart=/usr/bin/signaal-$daemon"; failed=1; }

  # verify exits 0 on many warnings ("Unknown key ..., ignoring"): any output fails.
  if ! out=$(cd "$tmp" && systemd-analyze verify "$tmp/$unit" 2>&1) || [ -n "$out" ]; then
    echo "systemd-analyze verify $unit:"
    echo "$out"
    failed=1
  fi

  out=$(cd "$tmp" && systemd-analyze security --offline=true "$tmp/$unit" 2>&1) || true
  score=$(sed -n "s/.*Overall exposure level for $unit: \([0-9.]*\).*/\1/p" <<<"$out")
  if [ -z "$score" ]; then
    echo "$out"
    echo "$unit: no exposure score"
    failed=1
  elif awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
    grep '✗' <<<"$out" || true
    echo "$unit: exposure $score, more than $max"
    failed=1
  else
    echo "$unit: verify clean, exposure $score (at most $max)"
  fi
done
exit $failed
