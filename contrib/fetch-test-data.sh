#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# fetch-test-data.sh — data from the wild the tests use when it is there, into
# build/testdata/:
#   IdnaTest.txt          Unicode's IDNA conformance data, as Debian's libidn2 source
#                         ships it (tests/IdnaTest.txt; no binary package has it),
#                         by apt-get source (the deb-src entry build-unbound.sh adds)
#   easylist-names.txt    ~100k real registered names nobody chose for dnsrep: every
#                         name of EasyList and EasyPrivacy as Debian's uBlock Origin
#                         package ships them (webext-ublock-origin-firefox), taken
#                         from element-hiding rules (the sites, "a.com,b.org##...")
#                         and from "||name^" network rules (ad and tracking hosts);
#                         the lookalike precision test and benchmark read it
# A failure is not fatal: the test that reads a file then says it is skipped.
#
# Usage: contrib/fetch-test-data.sh        (idempotent)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/testdata"
mkdir -p "$out"

# easylist-names.txt: the names of EasyList and EasyPrivacy (see above)
if [ ! -s "$out/easylist-names.txt" ]; then
  rm -rf "$out/ub" && mkdir -p "$out/ub"
  if (cd "$out/ub" && apt-get download -q webext-ublock-origin-firefox > fetch.log 2>&1 &&
      dpkg-deb -x webext-ublock-origin-firefox_*.deb x); then
    lists=$(find "$out/ub/x" -path '*thirdparties/easylist/*' \( -name easylist.txt -o -name easyprivacy.txt \))
    if [ -n "$lists" ]; then
      # shellcheck disable=SC2086
      { grep -hE '^[a-z0-9.,~-]+#[@?$%]?#' $lists | cut -d'#' -f1 | tr ',' '\n' | sed 's/^~//'
        grep -hoE '^[|][|][a-z0-9.-]+[\^]' $lists | sed 's/^||//; s/\^$//'
      } | tr 'A-Z' 'a-z' | grep -E '^[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z][a-z0-9-]*$' | LC_ALL=C sort -u \
        > "$out/easylist-names.txt.new" && mv "$out/easylist-names.txt.new" "$out/easylist-names.txt"
      echo "fetch-test-data: $out/easylist-names.txt ($(wc -l < "$out/easylist-names.txt") names)" >&2
    else
      echo "fetch-test-data: no EasyList in webext-ublock-origin-firefox" >&2
    fi
  else
    echo "fetch-test-data: apt-get download webext-ublock-origin-firefox failed (see $out/ub/fetch.log)" >&2
  fi
  [ -s "$out/easylist-names.txt" ] && rm -rf "$out/ub"
fi

[ -s "$out/IdnaTest.txt" ] && exit 0
mkdir -p "$out/src"
cd "$out/src" || exit 0
if ! apt-get source -q --download-only libidn2 > fetch.log 2>&1; then
  echo "fetch-test-data: apt-get source libidn2 failed (see $out/src/fetch.log)" >&2
  exit 0
fi
tarball=$(ls libidn2_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "fetch-test-data: no libidn2 source tarball" >&2; exit 0; }
member=$(tar tf "$tarball" | grep '/tests/IdnaTest.txt$' | head -n 1)
[ -n "$member" ] || { echo "fetch-test-data: $tarball has no tests/IdnaTest.txt" >&2; exit 0; }
tar xf "$tarball" -O "$member" > "$out/IdnaTest.txt.new" && mv "$out/IdnaTest.txt.new" "$out/IdnaTest.txt"
rm -rf "$out/src"
echo "fetch-test-data: $out/IdnaTest.txt (from $tarball)" >&2
