#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# fetch-test-data.sh — conformance data the unit tests use when it is there:
# Unicode's IdnaTest.txt as Debian's libidn2 source ships it (tests/IdnaTest.txt of
# the source package; no binary package ships it), into build/testdata/.  Uses
# apt-get source (the deb-src entry contrib/build-unbound.sh makes sure of).  A
# failure is not fatal: the test that reads the file then says it is skipped.
#
# Usage: contrib/fetch-test-data.sh        (idempotent)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/testdata"
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
