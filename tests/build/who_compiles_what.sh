#!/usr/bin/env bash
# Who compiles what (docs/ARCHITECTURE.md): each binary holds only the
# messages it speaks or keeps. Read off the binaries' own symbol tables, so a
# CMake change that links a schema into the wrong binary fails here.
#
#   who_compiles_what.sh NODE BROKER CLI   (the three binaries)
set -euo pipefail
declare -A path=([signaal-node]=$1 [signaal-broker]=$2 [signaal]=$3)
fail=0

# absent BINARY TYPE...: none of TYPE's code may be in BINARY.
absent() {
  local binary=$1; shift
  local symbols
  symbols=$(nm -C "${path[$binary]}" 2>/dev/null) || { echo "cannot read the symbols of ${path[$binary]}" >&2; exit 1; }
  for type in "$@"; do
    if grep -qE "::${type}(::|\b)" <<<"$symbols"; then
      echo "FAIL: $binary contains $type" >&2
      fail=1
    else
      echo "ok: $binary holds no $type"
    fi
  done
}
# present BINARY TYPE: the negative control — the check sees a type that is there.
present() {
  local symbols
  symbols=$(nm -C "${path[$1]}")
  if ! grep -qE "::$2(::|\b)" <<<"$symbols"; then
    echo "FAIL: $1 should contain $2: the check reads nothing" >&2
    fail=1
  fi
}

# A citizen's words: StoredSignal (on the node's disk) and SignalInput (as
# entered at the node) stay in the node.
absent signaal-broker StoredSignal SignalInput NodeRequest Sealer
absent signaal StoredSignal
# The broker's own records and controls stay out of the node.
absent signaal-node ReleaseRecord ControlRequest
present signaal-node StoredSignal
present signaal-broker ReleaseRecord
exit $fail
