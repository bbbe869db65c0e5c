#!/usr/bin/env bash
# The Debian packages: `cpack -G DEB` builds signaal, signaal-node and
# signaal-broker into OUT; each holds what it should and nothing else, depends
# on Debian's runtime libraries (dpkg-shlibdeps) and on signaal, carries its
# maintainer scripts; and the daemons unpacked from them (dpkg -x) run
# `init` and `run --check` on the reference data from the signaal package.
# deb_maintainer_scripts_test.sh then installs the same files with dpkg.
#
#   deb_packages_test.sh BUILD_DIR OUT_DIR VERSION
set -euo pipefail
build=$1 out=$2 version=$3
release="$version-1"
arch=$(dpkg --print-architecture)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

rm -rf "$out"
mkdir -p "$out"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  exit 1
fi
rm -rf "$out/_CPack_Packages"
(cd "$out" && ls -l ./*.deb)

# Every file of each package, and only those (directories aside).
declare -A expected=(
  [signaal]="./usr/bin/signaal ./usr/share/doc/signaal/OPERATIONS.md ./usr/share/doc/signaal/README.md
             ./usr/share/signaal/areas.csv ./usr/share/signaal/municipalities.csv ./usr/share/signaal/reference.toml
             ./usr/share/signaal/themes.csv
             ./usr/share/signaal/scrub/achternamen.txt ./usr/share/signaal/scrub/naam-en-woord.txt
             ./usr/share/signaal/scrub/organisaties.txt ./usr/share/signaal/scrub/plaatsen.txt
             ./usr/share/signaal/scrub/relaties.txt ./usr/share/signaal/scrub/straattypen.txt
             ./usr/share/signaal/scrub/straatwoorden.txt ./usr/share/signaal/scrub/titels.txt
             ./usr/share/signaal/scrub/tussenvoegsels.txt ./usr/share/signaal/scrub/voornamen.txt"
  [signaal-node]="./lib/systemd/system/signaal-node.service ./usr/bin/signaal-node
                  ./usr/share/doc/signaal-node/examples/node.toml"
  [signaal-broker]="./lib/systemd/system/signaal-broker.service ./usr/bin/signaal-broker
                    ./usr/share/doc/signaal-broker/examples/broker.toml"
)
for pkg in signaal signaal-node signaal-broker; do
  deb="$out/${pkg}_${release}_${arch}.deb"
  [ -f "$deb" ] || { fail "$deb was not built"; continue; }
  [ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || fail "$deb: Package is not $pkg"
  files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort)
  want=$(tr -s ' \n' '\n' <<<"${expected[$pkg]}" | sed '/^$/d' | sort)
  if [ "$files" != "$want" ]; then
    fail "$pkg holds other files than expected:"
    diff <(echo "$want") <(echo "$files") || true
  fi
  # No file under /etc: keys and configs belong to the administrator (init).
  dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -q '^\./etc' && fail "$pkg installs into /etc"
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "$pkg Depends: $depends"
  for lib in libc6 libzmq5; do
    grep -q "$lib" <<<"$depends" || fail "$pkg: Depends lacks $lib (dpkg-shlibdeps)"
  done
  # The CLI reads .xlsx (minizip, expat) and writes the template
  # (libxlsxwriter); the node gets CSV text and never opens a zip. The
  # broker writes a digest's .xlsx for its digest mail (libxlsxwriter) and
  # sends it over SMTP (libcurl4), but reads no workbook.
  for lib in libminizip1 libexpat1 libxlsxwriter4; do
    if [ "$pkg" = signaal ]; then
      grep -q "$lib" <<<"$depends" || fail "signaal: Depends lacks $lib (the .xlsx import and template)"
    elif [ "$pkg" = signaal-broker ] && [ "$lib" = libxlsxwriter4 ]; then
      grep -q "$lib" <<<"$depends" || fail "signaal-broker: Depends lacks $lib (the digest mail's .xlsx)"
    else
      grep -q "$lib" <<<"$depends" && fail "$pkg: Depends on $lib, which only the CLI uses"
    fi
  done
  if [ "$pkg" = signaal-broker ]; then
    grep -q "libcurl4" <<<"$depends" || fail "signaal-broker: Depends lacks libcurl4 (the digest mail's SMTP)"
  elif grep -q "libcurl" <<<"$depends"; then
    fail "$pkg: Depends on libcurl, which only the broker uses"
  fi
  # The scrubber reads Debian's Dutch word list.
  [ "$pkg" != signaal ] || grep -q "wdutch" <<<"$depends" || fail "signaal: Depends lacks wdutch (the scrubber's word list)"
  if [ "$pkg" != signaal ]; then
    grep -q libsystemd0 <<<"$depends" || fail "$pkg: Depends lacks libsystemd0 (sd_notify)"
    grep -q "signaal (= $release)" <<<"$depends" || fail "$pkg: does not depend on signaal (= $release)"
    grep -q "adduser" <<<"$depends" || fail "$pkg: does not depend on adduser"
    dpkg-deb -e "$deb" "$tmp/control-$pkg"
    for script in postinst prerm postrm; do
      f="$tmp/control-$pkg/$script"
      [ -x "$f" ] || { fail "$pkg: no executable $script"; continue; }
      sh -n "$f" || fail "$pkg: $script: syntax error"
    done
  fi
  dpkg -x "$deb" "$tmp/root"
done

if ldd "$tmp/root"/usr/bin/* | grep 'not found'; then fail "a library is missing"; fi

# init and run --check from the unpacked files, as a volunteer would run them
# after installing (the data folder points into the unpacked tree; that the
# installed binaries find /usr/share/signaal by themselves is checked by
# deb_maintainer_scripts_test.sh).
export SIGNAAL_DATA_DIR="$tmp/root/usr/share/signaal"
bin="$tmp/root/usr/bin"
"$bin/signaal" --help >/dev/null || fail "signaal --help"
"$bin/signaal-broker" init --dir "$tmp/etc-broker" --data-dir "$tmp/var/signaal-broker" --json >"$tmp/broker.json" \
  || fail "signaal-broker init"
broker_key=$(sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$tmp/broker.json")
"$bin/signaal-broker" run --config "$tmp/etc-broker/broker.toml" --check || fail "signaal-broker run --check"
"$bin/signaal-node" init --dir "$tmp/etc-node" --data-dir "$tmp/var/signaal-node" --org "Cliëntenraad Heerlen" \
  --type clientenraad --municipality GM0917 --broker tcp://127.0.0.1:7450 --broker-key "$broker_key" >/dev/null \
  || fail "signaal-node init"
grep -q "data_dir = \"$tmp/var/signaal-node\"" "$tmp/etc-node/node.toml" || fail "init --data-dir was not used"
"$bin/signaal-node" run --config "$tmp/etc-node/node.toml" --check || fail "signaal-node run --check"

exit $failed
