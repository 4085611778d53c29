#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# install-deps.sh — install the Debian packages dnsrep needs to build, test and run.
#
# Usage: contrib/install-deps.sh [build|test|bench|package|all]   (default: all)
# Installs only what is missing; runs `apt-get update` first when it must install.
# Needs root (or sudo).  Debian packages only.
set -eu

what=${1:-all}

# Building Unbound from the distribution's source (contrib/build-unbound.sh).
UNBOUND_BUILD="dpkg-dev build-essential autoconf automake libtool pkg-config bison flex
  libevent-dev libexpat1-dev libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler
  libssl-dev libsystemd-dev"
# Building dnsrep itself.
DNSREP_BUILD="libldns-dev libhiredis-dev libunbound-dev libpsl-dev libidn2-dev
  libcurl4-openssl-dev zlib1g-dev libssl-dev publicsuffix libevent-dev libmicrohttpd-dev"
# Running the test suites: unit tests, and the real servers of the integration tests;
# rsyslog, prometheus (promtool) and python3 for tests/monitoring/; chromium and
# tesseract-ocr open and read report --html's page, python3 parses its DOM and --csv
# (tests/cli/report.test, report-html.test).
DNSREP_TEST="libcmocka-dev libtsan2 nsd redis-server redis-tools ldnsutils bind9-dnsutils jq curl openssl idn2
  clang libclang-rt-14-dev rsyslog prometheus python3 chromium tesseract-ocr"

# The benchmarks beyond the tests' packages (tests/bench/README.md): jansson for bench-jsonl.
DNSREP_BENCH="libjansson-dev"
# Debian packages (contrib/debian/build-packages.sh; Unbound's own build dependencies come
# from `apt-get build-dep unbound`) and their test in a throwaway Debian root.
DNSREP_PACKAGE="dpkg-dev debhelper dh-apparmor dh-python fakeroot lintian mmdebstrap apparmor"

case "$what" in
  build) pkgs="$UNBOUND_BUILD $DNSREP_BUILD" ;;
  test|all) pkgs="$UNBOUND_BUILD $DNSREP_BUILD $DNSREP_TEST" ;;
  bench) pkgs="$UNBOUND_BUILD $DNSREP_BUILD $DNSREP_TEST $DNSREP_BENCH" ;;
  package) pkgs="$UNBOUND_BUILD $DNSREP_BUILD $DNSREP_PACKAGE" ;;
  *) echo "usage: $0 [build|test|bench|package|all]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing="$missing $p"
  fi
done
[ -n "$missing" ] || exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install:$missing" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing:$missing"
$SUDO apt-get update -q
# nsd and redis-server start system services when installed; the tests start their own.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
