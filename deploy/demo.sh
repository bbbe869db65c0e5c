#!/usr/bin/env bash
# The demo network on loopback: installs what is missing, builds, starts one
# broker and three partner nodes, imports a few hundred synthetic signals per
# node over eight weeks, publishes, and delivers the zuid-limburg digest to a
# subscriber's folder as JSON and Markdown. Ends by printing where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

deploy/install-deps.sh
BUILD=${SIGNAAL_BUILD_DIR:-build}
echo "== building (this takes a few minutes the first time)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target signaal-broker signaal-node signaal signaal-gen >/dev/null

BROKER="$ROOT/$BUILD/broker/signaal-broker"
NODE="$ROOT/$BUILD/node/signaal-node"
SIGNAAL="$ROOT/$BUILD/cli/signaal"
GEN="$ROOT/$BUILD/tools/signaal-gen"
RUN="$ROOT/demo-run"

# A fresh run folder; stop daemons a previous demo left behind.
if [ -f "$RUN/pids" ]; then
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$RUN/pids"
  sleep 1
fi
rm -rf "$RUN"
mkdir -p "$RUN"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
fail() {
  echo "demo: $1" >&2
  for log in "$RUN"/*.log; do echo "--- $log" >&2; tail -n 15 "$log" >&2; done
  exit 1
}
json() { sed -n "s/^ *\"$1\": \"\(.*\)\",\{0,1\}$/\1/p" | head -n 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

LISTEN="tcp://127.0.0.1:$(free_port)"
CONTROL="tcp://127.0.0.1:$(free_port)"
echo "== broker for Limburg on $LISTEN"
"$BROKER" init --dir "$RUN/broker" --region limburg --listen "$LISTEN" --control "$CONTROL" --json >"$RUN/broker-init.json"
BROKER_KEY=$(json public_key <"$RUN/broker-init.json")
BCFG="$RUN/broker/broker.toml"
"$BROKER" run --config "$BCFG" >"$RUN/broker.log" 2>&1 &
PIDS+=($!); echo $! >>"$RUN/pids"
for _ in $(seq 50); do grep -q "signaal-broker ready" "$RUN/broker.log" && break; sleep 0.2; done
grep -q "signaal-broker ready" "$RUN/broker.log" || fail "the broker did not start"

TO=$(date +%G-W%V)
FROM=$(date -d "7 weeks ago" +%G-W%V)
start_node() {  # name, type, municipality, dir, generator municipalities, seed, extra generator flags
  local name=$1 type=$2 gm=$3 dir=$4 gms=$5 seed=$6; shift 6
  "$NODE" init --dir "$RUN/$dir" --org "$name" --type "$type" --municipality "$gm" \
    --broker "$LISTEN" --broker-key "$BROKER_KEY" --json >"$RUN/$dir-init.json"
  "$SIGNAAL" broker enroll "$RUN/$dir/enrolment.json" --config "$BCFG" >/dev/null
  "$NODE" run --config "$RUN/$dir/node.toml" >"$RUN/$dir.log" 2>&1 &
  PIDS+=($!); echo $! >>"$RUN/pids"
  for _ in $(seq 50); do grep -q "signaal-node ready" "$RUN/$dir.log" && break; sleep 0.2; done
  "$GEN" --rows 300 --seed "$seed" --municipalities "$gms" --from "$FROM" --weeks 8 --out "$RUN/$dir.csv" "$@"
  "$SIGNAAL" node signal import "$RUN/$dir.csv" --config "$RUN/$dir/node.toml"
  "$SIGNAAL" node publish --config "$RUN/$dir/node.toml" >/dev/null
}
echo "== three partner nodes, each importing its own CSV"
start_node "Cliëntenraad Heerlen" clientenraad GM0917 clientenraad-heerlen GM0917 1
start_node "Provinciale Helpdesk Sociale Zekerheid" helpdesk GM0935 helpdesk \
  GM0935,GM0917,GM1883,GM0928,GM0888,GM0983,GM0957,GM0988 2 --separator ';' --bom --dutch-dates
start_node "Zelfhulpnetwerk Sittard-Geleen" zelfhulp GM1883 zelfhulp-sittard GM1883 3

echo "== waiting until every node's outbox is acked"
for dir in clientenraad-heerlen helpdesk zelfhulp-sittard; do
  ok=""
  for _ in $(seq 100); do
    if "$SIGNAAL" node status --json --config "$RUN/$dir/node.toml" | grep -q '"outbox_depth": 0'; then ok=1; break; fi
    sleep 0.2
  done
  [ -n "$ok" ] || fail "node $dir did not deliver its snapshots"
done

echo "== a subscriber for the advisory councils of Zuid-Limburg"
"$SIGNAAL" keys generate --out "$RUN/adviesraad.key" --json >"$RUN/adviesraad.json"
SUB_KEY=$(json public_key <"$RUN/adviesraad.json")
"$SIGNAAL" broker enroll-subscriber --name "Adviesraden Zuid-Limburg" --regions zuid-limburg \
  --public-key "$SUB_KEY" --config "$BCFG"
"$SIGNAAL" digest subscribe --broker "$LISTEN" --broker-key "$BROKER_KEY" --key "$RUN/adviesraad.key" \
  --out "$RUN/digests" >"$RUN/subscriber.log" 2>&1 &
PIDS+=($!); echo $! >>"$RUN/pids"
sleep 1

echo "== an earlier advice of the Heerlen council, answered: the digest tells what came of it"
"$SIGNAAL" broker advice add --title "Wachttijden schuldhulpverlening" \
  --council "Adviesraad Sociaal Domein Heerlen" --addressee "college van B&W" --region GM0917 \
  --sent "$(date -d '-3 weeks' +%F)" --theme schulden --status reactie-ontvangen \
  --response "Het college trekt twee extra schuldhulpverleners aan. De wachttijd wordt elk kwartaal gemeten." \
  --response-date "$(date -d '-1 week' +%F)" --config "$BCFG" >/dev/null

PERIOD="$FROM..$TO"
"$SIGNAAL" broker digest publish --period "$PERIOD" --region zuid-limburg --config "$BCFG"
HTML="$RUN/digests/zuid-limburg/$PERIOD.html"
MD="${HTML%.html}.md"
for _ in $(seq 150); do [ -f "$HTML" ] && break; sleep 0.2; done
[ -f "$HTML" ] || fail "the subscriber did not receive the digest"

echo
"$SIGNAAL" broker themes --region zuid-limburg --weeks 2 --config "$BCFG"
echo
"$SIGNAAL" broker principals --config "$BCFG"
echo
# The partner in Heerlen received the same digest over its own connection,
# and the advice on its area with it.
for _ in $(seq 50); do
  "$SIGNAAL" node digests --json --config "$RUN/clientenraad-heerlen/node.toml" | grep -q 'Wachttijden' && break
  sleep 0.2
done
"$SIGNAAL" node digests --config "$RUN/clientenraad-heerlen/node.toml"
echo
for dir in clientenraad-heerlen helpdesk zelfhulp-sittard; do
  n=$("$SIGNAAL" node status --json --config "$RUN/$dir/node.toml" | sed -n 's/^ *"signals": \([0-9]*\).*/\1/p')
  echo "node $dir holds $n signals (they stay there)"
done
echo
echo "The Zuid-Limburg digest for $PERIOD is in:"
echo "  $HTML   (open this one in a browser)"
echo "  $MD"
echo "  ${HTML%.html}.json"
echo "  ${HTML%.html}.csv"
