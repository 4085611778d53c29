#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# precision.sh — how many real names the lookalike detector flags, per technique:
# ~100k registered names nobody chose for dnsrep (EasyList and EasyPrivacy as Debian
# ships them, build/testdata/easylist-names.txt from contrib/fetch-test-data.sh),
# checked by `dnsrepctl check --protect` against (a) the bundled feed's 22 seized
# names and (b) 10,000 generated protected names (genfeed, seed 7: the benchmark
# generator's front-company and tech words, public suffixes weighted like
# registrations).  Prints a Markdown table; every flag is kept in $OUT/flags-*.txt.
#
# Usage: tests/bench/precision.sh BUILD_DIR     (make -C build/release bench-precision)
set -eu
build=${1:?usage: precision.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus="$top/build/testdata/easylist-names.txt"
[ -s "$corpus" ] || "$top/contrib/fetch-test-data.sh"
[ -s "$corpus" ] || { echo "precision.sh: no $corpus" >&2; exit 1; }
out=${OUT:-$build/precision}
mkdir -p "$out"
"$build/tests/bench/genfeed" 10000 7 > "$out/protected-10k.txt"
total=$(wc -l < "$corpus" | tr -d ' ')
techniques="tld-swap homoglyph typo affix contains level-squat dot-insertion tld-split"

row() { # row LABEL PROTECTED_FILE
  "$build/dnsrepctl" check --json --protect "$2" - < "$corpus" 2>/dev/null |
    jq -r 'select(.match == "lookalike") | "\(.technique)\t\(.name)\t\(.rule)"' > "$out/flags-$1.txt"
  n=$(wc -l < "$out/flags-$1.txt" | tr -d ' ')
  line="| $1 | $n ($(awk -v n="$n" -v t="$total" 'BEGIN { printf "%.3f%%", 100 * n / t }'))"
  for t in $techniques; do
    line="$line | $(awk -F'\t' -v t="$t" '$1 == t' "$out/flags-$1.txt" | wc -l | tr -d ' ')"
  done
  echo "$line |"
}

echo "Corpus: $total names ($(basename "$corpus")); $(date -u +%Y-%m-%dT%H:%MZ)"
echo
printf '| protected | flagged |'; for t in $techniques; do printf ' %s |' "$t"; done; echo
printf '|---|---|'; for t in $techniques; do printf -- '---|'; done; echo
row 22-bundled "$top/contrib/feeds/dprk-it-fronts.csv"
row 10k-generated "$out/protected-10k.txt"
