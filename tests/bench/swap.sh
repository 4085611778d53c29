#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# swap.sh — the swap benchmark (not a test): what a new blocklist costs a resolver
# whose message cache is full, while it answers a steady load from that cache.
#
# NSD serves CACHED names (600k) under the root, and the DELTA names the swap will
# block; one Unbound (num-threads 2) with the plugin, a 100k-name file:// feed
# (poll-interval 1s), caches big enough for them all.  Every one of those names is
# asked once (dnsperf -n 1), so the message cache holds them (its count is read from
# `unbound-control stats_noreset`).  Then tests/bench/loadgen sends
# A queries for cached names at RATE per second (open loop: the schedule does not wait
# for answers) for DURATION seconds; SWAP_AT seconds in, the feed file is replaced by a
# version with DELTA names removed and DELTA added, and the plugin swaps and walks the
# caches for the names that changed.  Reported, from loadgen's record of every query:
#   - the steady rate (median 100-ms bin before the change) and the lowest 100-ms bin
#     from the change to 1 s after the walk ended (target: none below 90% of steady)
#   - p50, p99, p99.9 and the maximum latency of the queries sent in that window, and of
#     those sent before it (target: p99.9 at most 10 ms)
#   - queries lost; the walk's own time and what it removed (from Unbound's log); and
#     whether the newly blocked names (every 500th is asked after the walk) are blocked
# When OLD_PLUGIN names another build of the plugin (e.g. of an earlier commit), the same
# run is made with it too, side by side.
#
#   make -C build/release bench-swap
#   sh tests/bench/swap.sh [BUILD_DIR]
# Environment: UNBOUND_PREFIX, CACHED (600000), LISTED (100000), DELTA (10000), RATE
# (20000), DURATION (20), SWAP_AT (8), OLD_PLUGIN, SWAP_MD (tests/bench/SWAP.md), KEEP_TMP.
# Needs nsd, dig, dnsperf. Takes about 3 minutes (5 with OLD_PLUGIN).
set -u
NAME=swap
. "$(dirname "$0")/benchlib.sh"
bench_setup "${1:-build/release}"
CACHED=${CACHED:-600000} LISTED=${LISTED:-100000} DELTA=${DELTA:-10000} RATE=${RATE:-20000}
DURATION=${DURATION:-20} SWAP_AT=${SWAP_AT:-8} OLD_PLUGIN=${OLD_PLUGIN:-}
SWAP_MD=${SWAP_MD:-$top_srcdir/tests/bench/SWAP.md}
GENFEED="$build/tests/bench/genfeed"
LOADGEN="$build/tests/bench/loadgen"
FREEPORT="$build/tests/integration/freeport"
for f in "$UNBOUND" "$UNBOUND_CONTROL" "$GENFEED" "$LOADGEN" "$FREEPORT"; do
  [ -x "$f" ] || die "missing $f (make -C $build bench-swap builds what is needed)"
done
need_dnsperf
for c in nsd dig dnsperf; do command -v "$c" > /dev/null 2>&1 || die "missing $c"; done

say "swap benchmark in $dir (load average $(cut -d' ' -f1-3 /proc/loadavg))"
# the names: LISTED + DELTA for the feed's two versions, then CACHED for the cache
"$GENFEED" $((LISTED + DELTA + CACHED)) > "$dir/all.txt" || die "genfeed failed"
head -n "$LISTED" "$dir/all.txt" > "$dir/v1.txt"
sed -n "$((DELTA + 1)),$((LISTED + DELTA))p" "$dir/all.txt" > "$dir/v2.txt"
sed -n "$((LISTED + DELTA + 1)),\$p" "$dir/all.txt" > "$dir/cached.txt"
sed -n "$((LISTED + 1)),$((LISTED + DELTA))p" "$dir/all.txt" > "$dir/added.txt"
# the cache holds the load's names and the names the swap will block (their answers
# must go): NSD answers both
cat "$dir/cached.txt" "$dir/added.txt" > "$dir/nsd.names"
awk '{ print $0 " A" }' "$dir/nsd.names" > "$dir/cached.dnsperf"

set -- $("$FREEPORT" 3 | tr '\n' ' ')
port=$2 cport=$3
bench_nsd "$1" "$dir/nsd.names"
say "NSD serves $CACHED names on :$nsd_port"

# run NAME PLUGIN: one whole measurement with that plugin; writes $dir/NAME.result
run() {
  rd=$dir/$1
  mkdir -p "$rd"
  cp "$dir/v1.txt" "$rd/feed.txt"
  cat > "$rd/dnsrep.conf" <<EOF
dnsrep:
  resolver-id: "bench"
  log-file: "$rd/blocks.jsonl"
  snapshot-file: "$rd/dnsrep.snapshot"
  poll-interval: 1s
feed:
  name: bench
  source: "file://$rd/feed.txt"
  format: plain
  category: seized
EOF
  cat > "$rd/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$rd"
  pidfile: "$rd/unbound.pid"
  logfile: "$rd/unbound.log"
  use-syslog: no
  log-time-ascii: yes
  verbosity: 1
  num-threads: 2
  so-rcvbuf: 8m
  msg-cache-size: 1g
  rrset-cache-size: 2g
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  extended-statistics: yes
  module-config: "dynlib validator iterator"
remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $cport
  control-use-cert: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@$nsd_port
dynlib:
  dynlib-file: "$2"
EOF
  DNSREP_CONF="$rd/dnsrep.conf" "$UNBOUND" -d -c "$rd/unbound.conf" > "$rd/unbound.out" 2>&1 &
  upid=$!
  track "$upid"
  i=0
  until grep -q "start of service" "$rd/unbound.log" 2>/dev/null; do
    kill -0 "$upid" 2>/dev/null || { cat "$rd/unbound.log" "$rd/unbound.out"; die "$1: Unbound exited"; }
    i=$((i + 1)); [ $i -lt 600 ] || die "$1: Unbound did not start"
    sleep 0.1
  done
  say "$1: filling the cache with $CACHED names"
  dnsperf -s 127.0.0.1 -p "$port" -d "$dir/cached.dnsperf" -c 4 -q 500 -T 1 -n 1 > "$rd/fill.dnsperf" 2>&1
  msgs=$("$UNBOUND_CONTROL" -c "$rd/unbound.conf" stats_noreset | sed -n 's/^msg.cache.count=//p')
  rrsets=$("$UNBOUND_CONTROL" -c "$rd/unbound.conf" stats_noreset | sed -n 's/^rrset.cache.count=//p')
  say "$1: message cache $msgs entries, RRset cache $rrsets ($(sed -n 's/^ *Queries per second: *//p' "$rd/fill.dnsperf") q/s filling)"
  n0=$(grep -c 'new blocklist in place' "$rd/unbound.log")
  "$LOADGEN" "$port" "$RATE" "$DURATION" "$dir/cached.txt" "$rd/load" &
  lg=$!
  track "$lg"
  t_load=$(now)
  sleep "$SWAP_AT"
  t_change=$(now)
  cp "$dir/v2.txt" "$rd/feed.new" && mv "$rd/feed.new" "$rd/feed.txt"
  i=0
  while [ "$(grep -c 'new blocklist in place' "$rd/unbound.log")" -le "$n0" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || die "$1: no new blocklist in 60 s"
    sleep 0.05
  done
  t_inplace=$(now)
  wait "$lg"; forget "$lg"
  # after the walk: every newly blocked name that was cached must be blocked now
  leaked=0
  for n in $(awk 'NR % 500 == 1' "$dir/added.txt"); do
    dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$n" A 2>/dev/null | grep -q 'status: NXDOMAIN' || leaked=$((leaked + 1))
  done
  echo "$leaked" > "$rd/leaked"
  # the walk after the swap, as the plugin logs it
  walk=$(grep -E 'dnsrep: (cache walk|removed [0-9]+)' "$rd/unbound.log" | tail -n 1)
  alive=no; kill -0 "$upid" 2>/dev/null && alive=yes
  stop "$upid"
  # the window: from the change to 1 s after the new list was in place (the walk runs
  # before that line is written)
  ws=$(awk -v a="$t_change" -v b="$t_load" 'BEGIN { printf "%d", (a - b) * 1000 }')
  we=$(awk -v a="$t_inplace" -v b="$t_load" 'BEGIN { printf "%d", (a - b) * 1000 + 1000 }')
  awk -v ws="$ws" '$1 + 100 <= ws && $1 >= 1000 { print $3 * 10 }' "$rd/load.bins" | sort -n > "$rd/steady.bins"
  awk -v ws="$ws" -v we="$we" '$1 + 100 > ws && $1 < we { print $3 * 10, $1 }' "$rd/load.bins" | sort -n > "$rd/window.bins"
  awk -v ws="$ws" -v we="$we" '$1 >= ws && $1 < we { print $2 }' "$rd/load.lat" | sort -n > "$rd/window.lat"
  awk -v ws="$ws" '$1 < ws && $1 >= 1000 { print $2 }' "$rd/load.lat" | sort -n > "$rd/before.lat"
  # pct FILE P: the P-quantile of a sorted file of microseconds, in ms
  pct() { awk -v p="$2" '{ a[NR] = $1 } END { i = int(p * NR); if (i >= NR) i = NR - 1; printf "%.2f", NR ? a[i + 1] / 1000 : 0 }' "$1"; }
  steady=$(awk '{ a[NR] = $1 } END { print NR ? (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) : 0 }' "$rd/steady.bins")
  low=$(head -n 1 "$rd/window.bins" | cut -d' ' -f1)
  echo "$steady ${low:-0} $(awk -v a="${low:-0}" -v b="$steady" 'BEGIN { printf "%.3f", b ? a / b : 0 }') $(head -n 1 "$rd/window.bins" | cut -d' ' -f2) \
$(pct "$rd/window.lat" 0.5) $(pct "$rd/window.lat" 0.99) $(pct "$rd/window.lat" 0.999) $(pct "$rd/window.lat" 1) \
$(pct "$rd/before.lat" 0.5) $(pct "$rd/before.lat" 0.99) $(pct "$rd/before.lat" 0.999)" > "$rd/window"
  echo "$msgs $rrsets $(cat "$rd/load.sum") $(awk -v a="$t_inplace" -v b="$t_change" 'BEGIN { printf "%.2f", a - b }') $alive" > "$rd/cache"
  echo "$walk" > "$rd/walk"
  say "$1: steady/lowest q/s, ratio, window p50/p99/p99.9/max ms: $(cut -d' ' -f1-3,5-8 "$rd/window"); sent/answered/lost: $(cat "$rd/load.sum")"
  say "$1: $walk"
}

run new "$build/plugin/dnsrep.so"
[ -n "$OLD_PLUGIN" ] && run old "$OLD_PLUGIN"

{
  echo "# The swap benchmark: a new blocklist while the message cache is full"
  echo
  echo "Written by \`tests/bench/swap.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) in $(( $(date +%s) - T_START )) s; load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at the end. A benchmark, not a test: one run on a shared 2-core machine."
  echo
  echo "Setup: Unbound $("$UNBOUND" -V | sed -n 's/^Version //p') (num-threads 2, msg-cache-size 1g, rrset-cache-size 2g) with the plugin and a"
  echo "$LISTED-name file:// feed; $CACHED names asked once so that the message cache holds them; then"
  echo "\`tests/bench/loadgen\` sends A queries for cached names at $RATE/s (open loop) for $DURATION s, and $SWAP_AT s in the"
  echo "feed is replaced by a version with $DELTA names removed and $DELTA added: the plugin swaps snapshots and"
  echo "walks the caches for the names that changed. *Window*: from the change to 1 s after the new list is in place."
  echo
  echo "| figure | $( [ -n "$OLD_PLUGIN" ] && echo 'this plugin | the earlier plugin' || echo 'this plugin') |"
  echo "|---|---$( [ -n "$OLD_PLUGIN" ] && echo '|---')|"
  row() { # row LABEL FILE FIELD...
    label=$1 file=$2; shift 2
    printf '| %s |' "$label"
    for r in new old; do
      [ "$r" = old ] && [ -z "$OLD_PLUGIN" ] && continue
      printf ' %s |' "$(cut -d' ' -f"$1" "$dir/$r/$file" | tr ' ' '/')"
    done
    echo
  }
  row "message / RRset cache entries before the swap" cache 1,2
  row "queries sent / answered / lost" cache 3,4,5
  row "change to new list in place, s" cache 6
  row "newly blocked names answered from the cache after the walk (of $((DELTA / 500)) asked)" leaked 1
  row "steady rate, q/s (median 100-ms bin before)" window 1
  row "lowest 100-ms bin in the window, q/s" window 2
  row "lowest / steady (target ≥ 0.90)" window 3
  row "window latency p50 / p99 / p99.9 / max, ms (target p99.9 ≤ 10)" window 5,6,7,8
  row "before the change p50 / p99 / p99.9, ms" window 9,10,11
  echo
  for r in new old; do
    [ "$r" = old ] && [ -z "$OLD_PLUGIN" ] && continue
    echo "- $r: Unbound's log: \`$(sed 's/^.*dnsrep: //' "$dir/$r/walk")\`"
  done
} > "$SWAP_MD"
say "wrote $SWAP_MD"
