#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run.sh — the test command: install what is missing, build Unbound with dynlib and
# dnsrep (a normal build, a sanitizer build and a clang build of the fuzz harnesses),
# run `make check` in the first two (the sanitizer build runs the unit tests: an
# instrumented plugin cannot load into an uninstrumented Unbound), build the Debian
# packages and try them in a throwaway Debian root (tests/package/debs.test), run the fuzz
# harnesses for FUZZ_SECONDS (default 10) each over their seed corpora, and print
# "N passed, N failed, N skipped" as the last line, summed over every test case of
# every suite.
#
# Usage: tests/run.sh            (from anywhere; exit status 0 when nothing failed)
# Environment: JOBS (default: nproc), KEEP_TMP=1 keeps the integration temp dirs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# 1. Packages, then Unbound built from the distribution's source with dynlib.
contrib/install-deps.sh test
unbound_src=$(contrib/build-unbound.sh | tail -n 1)
contrib/fetch-test-data.sh   # IdnaTest.txt from Debian's libidn2 source (skipped if unavailable)

# 2. The build system, when it is not there yet or configure.ac/Makefile.am changed.
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  mkdir -p m4
  autoreconf -fi
fi

# build DIR CONFIGURE_ARGS...: configure (once) and build in build/DIR.
build() {
  dir=$1; shift
  mkdir -p "build/$dir"
  if [ ! -f "build/$dir/Makefile" ] || [ configure -nt "build/$dir/Makefile" ]; then
    (cd "build/$dir" && "$top/configure" --with-unbound-src="$unbound_src" "$@" > configure.out) ||
      { cat "build/$dir/configure.out" "build/$dir/config.log" | tail -40; return 1; }
  fi
  make -C "build/$dir" -j"$jobs" >/dev/null || return 1
}

status=0
if build release; then
  make -C build/release -j"$jobs" check || status=1
else
  echo "run.sh: the release build failed"; status=1
fi
# The Debian packages: built from the distribution's source of unbound and this clone
# (one smoke run, ~10 minutes), checked with lintian, installed into a throwaway root.
if contrib/debian/build-packages.sh > build/debs.log 2>&1; then
  make -C build/release check TESTS=tests/package/debs.test || status=1
else
  echo "run.sh: contrib/debian/build-packages.sh failed (the end of build/debs.log:)"
  tail -25 build/debs.log; status=1
fi
if build sanitizers --enable-sanitizers; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    make -C build/sanitizers -j"$jobs" check || status=1
else
  echo "run.sh: the sanitizer build failed"; status=1
fi
fuzz_progs="tests/fuzz/fuzz_feed tests/fuzz/fuzz_name tests/fuzz/fuzz_config tests/fuzz/fuzz_snapshot"
fuzz_progs="$fuzz_progs tests/fuzz/fuzz_report tests/fuzz/fuzz_redis tests/fuzz/fuzz_lookalike"
if build fuzz --enable-fuzzing --disable-werror CC=clang; then
  make -C build/fuzz -j"$jobs" check TESTS=tests/fuzz/fuzz.test check_PROGRAMS="$fuzz_progs" || status=1
else
  echo "run.sh: the fuzz build (clang) failed"; status=1
fi

# 3. Count every test case: the TAP driver writes one :test-result: line per case.
#    A suite that crashed or lost its plan shows up as ERROR: counted as failed.
count() { cat build/release/tests/*/*.trs build/sanitizers/tests/*/*.trs build/fuzz/tests/*/*.trs 2>/dev/null | grep -c "^:test-result: $1" || true; }
passed=$(( $(count PASS) + $(count XFAIL) ))
failed=$(( $(count FAIL) + $(count XPASS) + $(count ERROR) ))
skipped=$(count SKIP)
if [ "$failed" -gt 0 ]; then
  echo "Failed cases:"
  grep -h "^\(FAIL\|ERROR\|XPASS\):" build/release/tests/*/*.log build/sanitizers/tests/*/*.log \
    build/fuzz/tests/*/*.log 2>/dev/null || true
fi
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1  # make failed outside any test case
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
