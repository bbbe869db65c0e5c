#!/usr/bin/env bash
# Installs the Debian 12 packages Signaalnet needs to build and test, if any
# are missing (wdutch: the Dutch word list of the personal-data scrubber;
# libminizip-dev, libexpat1-dev, libxlsxwriter-dev: the CLI's .xlsx import
# and template, and the .xlsx of the broker's digest mail; libcurl4-openssl-dev:
# the broker's SMTP). Quiet and quick when everything is already there.
#
#   deploy/install-deps.sh          what the build and the demo need
#   deploy/install-deps.sh --test   and what the test suite needs besides:
#                                   headless Chromium and a font, to look
#                                   at the HTML digest as a reader would,
#                                   and systemd-analyze for the units
set -euo pipefail
PACKAGES=(build-essential cmake pkg-config ca-certificates
  libzmq3-dev libsodium-dev cppzmq-dev libprotobuf-dev protobuf-compiler librocksdb-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libtomlplusplus-dev libspdlog-dev nlohmann-json3-dev
  libglpk-dev tzdata libsystemd-dev wdutch libmicrohttpd-dev
  libminizip-dev libexpat1-dev libxlsxwriter-dev libcurl4-openssl-dev)
# systemd: systemd-analyze for the unit tests; adduser: the packages' postinst;
# file: cpack's DEB generator needs it to find the libraries a package needs.
# openssl: the intake page's HTTPS test talks to the node with `openssl s_client`,
# and the mail test makes its SMTP server's certificate.
# python3-aiosmtpd, python3-openpyxl: the mail test's SMTP server and its
# reading of the mailed .xlsx (tests/integration/smtp_sink.py, mail_check.py).
[[ "${1:-}" == "--test" ]] && PACKAGES+=(chromium fonts-dejavu-core systemd adduser file openssl python3-aiosmtpd python3-openpyxl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO=sudo
  else
    echo "install-deps: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
