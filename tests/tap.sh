# SPDX-License-Identifier: BSD-3-Clause
# tap.sh — the TAP helpers every shell test suite sources (cli/, service/,
# integration/ through lib.sh, fuzz/): one line per case, so each case counts.
#
#   tap_ok DESC | tap_not_ok DESC | tap_skip DESC WHY | tap_diag LINE...
#   tap_check DESC COMMAND...   ok when COMMAND succeeds
#   tap_done                    the plan, last
tap_n=0
tap_failed=0
tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
tap_not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
tap_check() {
  desc=$1; shift
  if "$@"; then tap_ok "$desc"; else tap_not_ok "$desc"; fi
}
tap_done() { echo "1..$tap_n"; }
