#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# metrics.sh — what the metrics cost (a benchmark, not a test): blocked-name throughput
# of Unbounds with the plugin, identical but for the metrics, side by side in one run.
#
#   off   no metrics-listen and no Redis: the lookups are not counted at all
#   on    metrics-listen set: every lookup counted on its resolver thread, and the
#         endpoint scraped every SCRAPE_S seconds (default 1: fifteen times Prometheus's
#         default rate) throughout
#   ctl   a second 'off', the control: how far two identical Unbounds differ here
#
# Both with the same feed (SIZE names from tests/bench/genfeed, file://, no Redis), the
# block log on, the validator in the stack, one resolver thread pinned to CPU 1 and the
# load (dnsperf, the scraper) pinned to CPU 0 (PIN=no: unpinned, num-threads 2), so that
# the two do not take each other's core by turns.  Wall-clock rates on a shared
# two-core machine are noisy, so the same comparison is also made in instructions
# (CALLGRIND=yes, the default): each configuration once more under callgrind with one
# thread, counters zeroed after a warm-up, CG_QUERIES blocked lookups (the 'on' one
# scraped once among them), Unbound's instructions per lookup.  dnsperf sends A queries for
# NQUERIES listed names for DURATION seconds, RUNS rounds, the order rotating (off on ctl,
# on ctl off, ctl off on); each round's on/off and ctl/off, their medians, are printed
# and written to tests/bench/METRICS.md.
#
#   make -C build/release bench-metrics
#   sh tests/bench/metrics.sh [BUILD_DIR]
# Environment: UNBOUND_PREFIX, SIZE (100000), NQUERIES (10000), RUNS (12), DURATION (5),
# CLIENTS (4), OUTSTANDING (200), SCRAPE_S (1), PIN (yes), CALLGRIND (yes), CG_QUERIES (20000),
# RESULTS (tests/bench/METRICS.md), KEEP_TMP.
# About 4 minutes on 2 cores.
set -u
NAME=metrics
. "$(dirname "$0")/benchlib.sh"
bench_setup "${1:-build/release}"
SIZE=${SIZE:-100000} NQUERIES=${NQUERIES:-10000} RUNS=${RUNS:-12} DURATION=${DURATION:-5}
CLIENTS=${CLIENTS:-4} OUTSTANDING=${OUTSTANDING:-200} SCRAPE_S=${SCRAPE_S:-1}
RESULTS=${RESULTS:-$top_srcdir/tests/bench/METRICS.md}
CALLGRIND=${CALLGRIND:-yes} CG_QUERIES=${CG_QUERIES:-20000} PIN=${PIN:-yes}
# pinned: Unbound on CPU 1, its load on CPU 0 (taskset, util-linux)
threads=2 on_server="" on_load=""
if [ "$PIN" = yes ] && command -v taskset > /dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  threads=1 on_server="taskset -c 1" on_load="taskset -c 0"
fi
PLUGIN="$build/plugin/dnsrep.so"
GENFEED="$build/tests/bench/genfeed"
FREEPORT="$build/tests/integration/freeport"
for f in "$UNBOUND" "$GENFEED" "$FREEPORT"; do
  [ -x "$f" ] || die "missing $f (make -C $build bench-metrics builds what is needed)"
done
[ -f "$PLUGIN" ] || die "missing $PLUGIN (make -C $build)"
need_dnsperf
for c in curl python3; do command -v $c > /dev/null 2>&1 || die "missing $c"; done

"$GENFEED" "$SIZE" > "$dir/list.txt" || die "genfeed failed"
step=$((SIZE / NQUERIES)); [ "$step" -ge 1 ] || step=1
awk -v s="$step" -v m="$NQUERIES" 'NR % s == 0 && c < m { print $0 " A"; c++ }' "$dir/list.txt" > "$dir/blocked.txt"
set -- $("$FREEPORT" 2)
bench_nsd "$1" "$dir/list.txt"
set -- $("$FREEPORT" 4)
mport=$4
for c in off on ctl; do
  cdir=$dir/$c
  mkdir -p "$cdir"
  case $c in off) port=$1 ;; on) port=$2 ;; ctl) port=$3 ;; esac
  echo "$port" > "$cdir/port"
  cat > "$cdir/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$cdir"
  pidfile: "$cdir/unbound.pid"
  logfile: "$cdir/unbound.log"
  use-syslog: no
  verbosity: 1
  num-threads: $threads
  so-rcvbuf: 4m
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  module-config: "dynlib validator iterator"
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@$nsd_port
dynlib:
  dynlib-file: "$PLUGIN"
EOF
  cp "$dir/list.txt" "$cdir/feed.txt"
  {
    printf 'dnsrep:\n  resolver-id: "bench-%s"\n  log-file: "%s/blocks.jsonl"\n' "$c" "$cdir"
    printf '  snapshot-file: "%s/dnsrep.snapshot"\n  poll-interval: 60s\n' "$cdir"
    [ "$c" = on ] && printf '  metrics-listen: 127.0.0.1:%s\n' "$mport"
    printf 'feed:\n  name: bench\n  source: "file://%s/feed.txt"\n  format: plain\n  category: seized\n' "$cdir"
  } > "$cdir/dnsrep.conf"
  DNSREP_CONF="$cdir/dnsrep.conf" $on_server "$UNBOUND" -d -c "$cdir/unbound.conf" > "$cdir/unbound.out" 2>&1 &
  track $!
  i=0
  until dig +time=1 +tries=1 -p "$port" @127.0.0.1 "$(head -n 1 "$dir/list.txt")" A 2>/dev/null | grep -q NXDOMAIN; do
    i=$((i + 1)); [ $i -lt 600 ] || die "Unbound $c gave no NXDOMAIN in 60 s"
    sleep 0.1
  done
done
curl -s --max-time 3 "http://127.0.0.1:$mport/metrics" | grep -q '^dnsrep_lookups_judged_total' ||
  die "the 'on' Unbound serves no metrics"
say "two Unbounds with $SIZE names, $threads thread(s)${on_server:+, pinned to CPU 1 (the load to CPU 0)}; $NQUERIES blocked names; $RUNS rounds of ${DURATION}s"

# the scraper: one process on one kept-alive connection, as Prometheus scrapes, started
# once and running through every round (its start, on the load's CPU, would otherwise
# count against the 'on' runs alone)
$on_load python3 -c 'import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
while True:
    try:
        c.request("GET", "/metrics"); c.getresponse().read()
    except (OSError, http.client.HTTPException):
        c.close()  # the server closed an idle connection: a new one next time
    time.sleep(float(sys.argv[2]))' "$mport" "$SCRAPE_S" &
track $!
# one saturated run: the rate (queries per second) into $dir/C.rates
run() {
  c=$1
  $on_load dnsperf -s 127.0.0.1 -p "$(cat "$dir/$c/port")" -d "$dir/blocked.txt" -c "$CLIENTS" -q "$OUTSTANDING" \
    -T 1 -l "$DURATION" 2>&1 | awk '/Queries per second:/ { printf "%.0f\n", $4 }' >> "$dir/$c.rates"
  rm -f "$dir/$c/blocks.jsonl"   # the writer opens a new file at the same path
}
# a warm-up round for both, not counted
for c in off on ctl; do dnsperf -s 127.0.0.1 -p "$(cat "$dir/$c/port")" -d "$dir/blocked.txt" -T 1 -l 2 > /dev/null 2>&1; done
r=1
while [ $r -le "$RUNS" ]; do
  case $((r % 3)) in 1) run off; run on; run ctl ;; 2) run on; run ctl; run off ;; 0) run ctl; run off; run on ;; esac
  o=$(tail -n 1 "$dir/off.rates") n=$(tail -n 1 "$dir/on.rates") k=$(tail -n 1 "$dir/ctl.rates")
  calc %.4f "$n / $o" >> "$dir/on.ratios"
  calc %.4f "$k / $o" >> "$dir/ctl.ratios"
  say "round $r: off $o, on $n, ctl $k q/s"
  r=$((r + 1))
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
off=$(median "$dir/off.rates") on=$(median "$dir/on.rates") ctl=$(median "$dir/ctl.rates")
ratio=$(calc %.3f "$(median "$dir/on.ratios")") ctl_ratio=$(calc %.3f "$(median "$dir/ctl.ratios")")
scraped=$(curl -s --max-time 3 "http://127.0.0.1:$mport/metrics" | awk '$1 == "dnsrep_lookups_judged_total" { print $2 }')
met=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.98) ? "**met**" : "**NOT met**" }')
say "median blocked q/s: off $off, on $on, ctl $ctl; median of the rounds' on/off $ratio ($met, budget >= 0.98), ctl/off $ctl_ratio (two identical Unbounds); the 'on' Unbound counted $scraped lookups"

# ---- instructions per blocked lookup, under callgrind --------------------------------------
# cg_run C PORT: this configuration's Unbound (one thread) under callgrind; prints the
# instructions per lookup of CG_QUERIES blocked lookups after a warm-up pass
cg_run() {
  c=$1 cdir=$dir/cg-$1
  mkdir -p "$cdir"
  sed -e "s|^  num-threads: .*|  num-threads: 1|" -e "s|^  port: .*|  port: $2|" \
    -e "s|$dir/$c|$cdir|g" "$dir/$c/unbound.conf" > "$cdir/unbound.conf"
  sed -e "s|$dir/$c|$cdir|g" -e "s|127.0.0.1:$mport|127.0.0.1:$3|" "$dir/$c/dnsrep.conf" > "$cdir/dnsrep.conf"
  cp "$dir/$c/feed.txt" "$cdir/feed.txt"
  DNSREP_CONF="$cdir/dnsrep.conf" valgrind --tool=callgrind --callgrind-out-file="$cdir/cg.out" \
    "$UNBOUND" -d -c "$cdir/unbound.conf" > "$cdir/valgrind.log" 2>&1 &
  vp=$!
  track $vp
  i=0
  until dig +time=2 +tries=1 -p "$2" @127.0.0.1 "$(head -n 1 "$dir/list.txt")" A 2>/dev/null | grep -q NXDOMAIN; do
    i=$((i + 1)); [ $i -lt 600 ] || die "Unbound $c under callgrind gave no NXDOMAIN"
    sleep 0.5
  done
  dnsperf -s 127.0.0.1 -p "$2" -d "$dir/blocked.txt" -n 1 -q 20 > /dev/null 2>&1
  callgrind_control -z "$vp" > /dev/null 2>&1
  n=$(( (CG_QUERIES + NQUERIES - 1) / NQUERIES ))
  dnsperf -s 127.0.0.1 -p "$2" -d "$dir/blocked.txt" -n "$n" -q 20 > "$cdir/dnsperf.out" 2>&1
  [ "$c" = on ] && curl -s --max-time 30 -o /dev/null "http://127.0.0.1:$3/metrics"
  callgrind_control -d "$vp" > /dev/null 2>&1
  sleep 1
  stop "$vp"
  done_q=$(awk '/Queries completed:/ { print $3 }' "$cdir/dnsperf.out")
  ir=$(callgrind_annotate "$(ls -t "$cdir"/cg.out.* | head -n 1)" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  calc %.0f "$ir / $done_q"
}
cg_off="" cg_on="" cg_ratio=""
if [ "$CALLGRIND" = yes ]; then
  for c in valgrind callgrind_control callgrind_annotate; do
    command -v $c > /dev/null 2>&1 || die "missing $c (CALLGRIND=no to skip)"
  done
  set -- $("$FREEPORT" 3)
  say "callgrind: the same two configurations, one thread, $CG_QUERIES blocked lookups each"
  cg_off=$(cg_run off "$1" "$3")
  cg_on=$(cg_run on "$2" "$3")
  cg_ratio=$(calc %.4f "$cg_off / $cg_on")
  say "instructions per blocked lookup: off $cg_off, on $cg_on: off/on $cg_ratio (the throughput ratio they imply)"
fi
{
  echo "# Metrics on vs off: blocked-name throughput"
  echo
  echo "Written by \`tests/bench/metrics.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg))."
  echo "$SIZE names, $NQUERIES blocked names asked by dnsperf ($CLIENTS clients, $OUTSTANDING outstanding) for ${DURATION}s"
  echo "per run, $RUNS rounds (the order rotating: off on ctl, on ctl off, ctl off on); the 'on' endpoint scraped every ${SCRAPE_S}s throughout."
  echo "Unbound num-threads $threads${on_server:+, pinned to CPU 1, dnsperf and the scraper to CPU 0}."
  echo
  echo "| | off (not counted, no endpoint) | on (counted, scraped) | ctl (a second 'off') |"
  echo "|---|---|---|---|"
  echo "| runs, q/s | $(tr '\n' ' ' < "$dir/off.rates") | $(tr '\n' ' ' < "$dir/on.rates") | $(tr '\n' ' ' < "$dir/ctl.rates") |"
  echo "| median, q/s | $off | $on | $ctl |"
  echo "| each round / off | | $(tr '\n' ' ' < "$dir/on.ratios") | $(tr '\n' ' ' < "$dir/ctl.ratios") |"
  echo
  echo "**on/off: $ratio** (the median of the rounds' ratios; $met, budget ≥ 0.98); **ctl/off: $ctl_ratio** — what two"
  echo "identical Unbounds differ by on this machine, the noise floor of the first figure. The 'on' Unbound's"
  echo "dnsrep_lookups_judged_total at the end: $scraped."
  if [ -n "$cg_ratio" ]; then
    echo
    echo "Instructions (callgrind, one resolver thread, $CG_QUERIES blocked lookups after a warm-up, the 'on'"
    echo "Unbound scraped once among them): **off $cg_off, on $cg_on instructions per lookup**, so the"
    echo "counting and the scrape cost $(calc %.0f "$cg_on - $cg_off") instructions a lookup: the throughput they allow is"
    echo "**$cg_ratio×** ($(awk -v r="$cg_ratio" 'BEGIN { print (r >= 0.98) ? "met" : "NOT met" }'))."
    echo "Instruction counts do not depend on what else the machine runs; the rates above do."
  fi
} > "$RESULTS"
say "wrote $RESULTS"
