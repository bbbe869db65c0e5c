#!/usr/bin/env bash
# The maintainer scripts, run for real by dpkg, without touching this
# machine: a private mount namespace overlays a throwaway tmpfs on / and dpkg
# runs chrooted into the overlay (adduser, deb-systemd-helper and all; no
# systemd runs there, as in an image build). Checks: the `signaal` user and
# folders with their owners and modes; `init` as that user and `run --check`
# from /usr/bin with the data from /usr/share/signaal; the node answering
# `signaal node status` on its control socket; a reinstall leaving keys,
# configs, the store and an administrator's own folder mode untouched;
# `remove` keeping the state; `purge` deleting only the store (not keys,
# configs or backups).
# Skipped (77) where a private mount namespace or an overlay mount is not
# allowed (not root, no CAP_SYS_ADMIN, a chroot whose / is no mount point).
#
#   deb_maintainer_scripts_test.sh PACKAGE_DIR SOURCE_DATA_DIR
#
# SOURCE_DATA_DIR (the source tree's data/, the binaries' last resort) is
# hidden in the overlay, so the installed daemons must find /usr/share/signaal.
set -euo pipefail

if [ "${1:-}" != --inside ]; then
  pkgs=$1 source_data=$2
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
  # Inside a chroot whose / is no mount point (a bare CI root), a private
  # mount namespace cannot be made, and without one the overlay's mounts
  # could reach the host's.
  if ! probe=$(unshare --mount --propagation private true 2>&1); then
    echo "SKIP: no private mount namespace here: $probe"
    exit 77
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  rc=0
  unshare --mount --propagation private "$0" --inside "$pkgs" "$tmp" "$source_data" || rc=$?
  exit $rc
fi

pkgs=$2 tmp=$3 source_data=$4
mount -t tmpfs tmpfs "$tmp"
mkdir "$tmp/upper" "$tmp/work" "$tmp/root"
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/root" 2>/dev/null; then
  echo "SKIP: overlay mounts are not allowed here"
  exit 77
fi
root=$tmp/root
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"  # no /run/systemd/system: systemd is not running
mount -t tmpfs tmpfs "$root/tmp"
[ -d "$root$source_data" ] && mount -t tmpfs tmpfs "$root$source_data"
cp "$pkgs"/*.deb "$root/tmp/"
debs=()
for deb in "$pkgs"/*.deb; do debs+=("/tmp/${deb##*/}"); done

failed=0
fail() { echo "FAIL: $*"; failed=1; }
in_root() { chroot "$root" env -u SIGNAAL_DATA_DIR -u SIGNAAL_NODE_CONFIG -u SIGNAAL_BROKER_CONFIG "$@"; }
as_signaal() { chroot --userspec=signaal:signaal "$root" env -u SIGNAAL_DATA_DIR HOME=/nonexistent "$@"; }
owner_mode() { in_root stat -c '%U:%G %a' "$1"; }
expect_owner_mode() { [ "$(owner_mode "$1")" = "$2" ] || fail "$1 is $(owner_mode "$1"), expected $2"; }
state() {  # owner, mode, mtime and content of everything init wrote
  in_root sh -c 'find /etc/signaal /var/lib/signaal-broker -type f -print0 | sort -z |
                 xargs -0 stat -c "%n %U:%G %a %Y"; find /etc/signaal /var/lib/signaal-broker -type f -print0 |
                 sort -z | xargs -0 sha256sum'
}

echo "== dpkg -i (first install)"
in_root dpkg -i "${debs[@]}" || { fail "dpkg -i"; exit 1; }
in_root getent passwd signaal >/dev/null || fail "no signaal user"
uid=$(in_root id -u signaal)
[ "$uid" -lt 1000 ] || fail "signaal is not a system user (uid $uid)"
in_root getent passwd signaal | grep -q ':/usr/sbin/nologin$' || fail "signaal can log in"
expect_owner_mode /etc/signaal "root:signaal 770"
expect_owner_mode /var/lib/signaal-node "signaal:signaal 700"
expect_owner_mode /var/lib/signaal-broker "signaal:signaal 700"
expect_owner_mode /var/backups/signaal-node "signaal:signaal 700"
expect_owner_mode /var/backups/signaal-broker "signaal:signaal 700"
for unit in signaal-node signaal-broker; do
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$unit.service" ] || fail "$unit is not enabled"
done

echo "== init and run --check as signaal"
as_signaal signaal-broker init --dir /etc/signaal --data-dir /var/lib/signaal-broker --json >"$tmp/broker.json" \
  || fail "signaal-broker init"
broker_key=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$tmp/broker.json")
as_signaal signaal-node init --dir /etc/signaal --data-dir /var/lib/signaal-node --org "Cliëntenraad Heerlen" \
  --type clientenraad --municipality GM0917 --broker tcp://127.0.0.1:7450 --broker-key "$broker_key" >/dev/null \
  || fail "signaal-node init"
as_signaal signaal-broker run --config /etc/signaal/broker.toml --check || fail "signaal-broker run --check"
as_signaal signaal-node run --config /etc/signaal/node.toml --check || fail "signaal-node run --check"
expect_owner_mode /etc/signaal/node.key "signaal:signaal 600"

echo "== the node serves the signaal command on its control socket"
as_signaal signaal-node run --config /etc/signaal/node.toml >"$tmp/node.log" 2>&1 &
node_pid=$!
status=""
for _ in $(seq 1 100); do
  status=$(in_root signaal node status --json 2>/dev/null) && break
  sleep 0.1
done
grep -q '"clientenraad-heerlen"' <<<"$status" || { fail "signaal node status"; cat "$tmp/node.log"; }
expect_owner_mode /var/lib/signaal-node/control "signaal:signaal 700"
kill "$node_pid"
wait "$node_pid" || true

echo "== dpkg -i again (reinstall): keys, configs and store untouched"
in_root chmod 0750 /etc/signaal  # an administrator's own choice
before=$(state)
in_root dpkg -i "${debs[@]}" || fail "dpkg -i (again)"
after=$(state)
[ "$before" = "$after" ] || { fail "reinstall changed keys, configs or the store"; diff <(echo "$before") <(echo "$after") || true; }
expect_owner_mode /etc/signaal "root:signaal 750"

echo "== dpkg -r: the state stays"
in_root dpkg -r signaal-node signaal-broker || fail "dpkg -r"
[ ! -e "$root/usr/bin/signaal-node" ] || fail "remove left /usr/bin/signaal-node"
[ -d "$root/var/lib/signaal-node" ] && [ -d "$root/var/lib/signaal-broker" ] || fail "remove deleted a store"
[ "$before" = "$(state)" ] || fail "remove changed keys, configs or the store"

echo "== dpkg -P: only the stores go"
in_root dpkg -P signaal-node signaal-broker signaal || fail "dpkg -P"
[ ! -e "$root/var/lib/signaal-node" ] && [ ! -e "$root/var/lib/signaal-broker" ] || fail "purge kept a store"
[ -d "$root/var/backups/signaal-node" ] && [ -d "$root/var/backups/signaal-broker" ] || fail "purge deleted backups"
for key in node.key node.toml broker.key admin.key broker.toml; do
  [ -f "$root/etc/signaal/$key" ] || fail "purge deleted /etc/signaal/$key"
done
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/signaal-node.service" ] || fail "purge left the unit enabled"

exit $failed
