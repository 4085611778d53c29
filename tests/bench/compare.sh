#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# compare.sh — dnsrep against Unbound's own blocking (local-zone, RPZ), one benchmark run
# (not a test): the same Unbound binary, the same names, the same load, back to back.
#
# Six Unbound configurations, each its own unbound.conf (num-threads 2, so-rcvbuf 4m,
# verbosity 1 to a log file, the validator in every module-config), all resolving
# through a local NSD that is authoritative for the root zone:
#   plain       no blocking ("validator iterator"): the pass-through baseline
#   localzone   `local-zone: "NAME" always_nxdomain` per name, from an include file
#   rpz         an RPZ zone (`rpz:` clause, zonefile) with `NAME CNAME .` and
#               `*.NAME CNAME .` per name (so names below are blocked too, as dnsrep does)
#   rpzlog      the same with `rpz-log: yes` (to Unbound's log file)
#   dnsrep      the plugin ("dynlib validator iterator"), the names as a file:// plain
#               feed, embedded (no Redis), every block written to the block log
#   dnsreplook  the same with `lookalike: yes` on the feed (lookalikes log-only)
# for lists of 100k and 1M names from tests/bench/genfeed (seeded). Figures:
#   - start to the first NXDOMAIN for a listed name (dig polled every 20 ms)
#   - VmRSS after the load; minus plain Unbound's, per name
#   - dnsperf rate and p50/p99 latency (from dnsperf -v's per-query lines) for A queries of
#     10k listed names, and of 10k unlisted names that NSD answers (asked once first, so
#     that the measured runs are answered from Unbound's cache, as repeats are in real life;
#     that cold first pass is reported too); RUNS runs each, round robin over the
#     configurations, medians reported
#   - through a refresh at the largest size (10k names removed, 10k added), dnsperf held at
#     half the lower of dnsrep's and RPZ's blocked rates: dnsrep's snapshot swap (the feed
#     file replaced, poll-interval 1s) against `unbound-control auth_zone_reload` of the RPZ
#     zone after the zonefile is replaced: the lowest one-second rate and the lost queries
#   - callgrind instruction counts per call of dnsrep_snapshot_match (bench_snapshot 20000)
#     and dnsrep_lookalike_check (bench_lookalike 10000)
# and writes tests/bench/RESULTS.md.
#
# Run from the source tree or a build tree:
#   make -C build/release bench-compare
#   sh tests/bench/compare.sh [BUILD_DIR]          (BUILD_DIR default build/release)
# Environment: UNBOUND_PREFIX (default build/unbound), SIZES ("100000 1000000"), RUNS (3:
# dnsperf runs per figure), LOAD_RUNS (3: starts per configuration below 1M names),
# LOAD_RUNS_1M (1: at 1M and more), DURATION (8: seconds per dnsperf run), NQUERIES (10000),
# CLIENTS (4), OUTSTANDING (200), DELTA (10000), SWAP_AT (6: the refresh, seconds into its
# load, which runs until 4 s after the new list is in place, REFRESH_MAX (120) at most),
# RCVBUF (4m), CALLGRIND (yes), CG_SNAPSHOT_SIZE (20000), CG_LOOKALIKE_SIZE (10000),
# RESULTS_MD (default tests/bench/RESULTS.md in the source tree), KEEP_TMP.
# Needs nsd, dig, dnsperf (installed with apt-get when missing and run as root), valgrind.
# Takes about 14 minutes on 2 cores.
set -u
NAME=compare
. "$(dirname "$0")/benchlib.sh"
bench_setup "${1:-build/release}"
SIZES=${SIZES:-100000 1000000} RUNS=${RUNS:-3} LOAD_RUNS=${LOAD_RUNS:-3} LOAD_RUNS_1M=${LOAD_RUNS_1M:-1}
DURATION=${DURATION:-8} NQUERIES=${NQUERIES:-10000} CLIENTS=${CLIENTS:-4} OUTSTANDING=${OUTSTANDING:-200}
DELTA=${DELTA:-10000} REFRESH_MAX=${REFRESH_MAX:-120} SWAP_AT=${SWAP_AT:-6} RCVBUF=${RCVBUF:-4m}
CALLGRIND=${CALLGRIND:-yes} CG_SNAPSHOT_SIZE=${CG_SNAPSHOT_SIZE:-20000} CG_LOOKALIKE_SIZE=${CG_LOOKALIKE_SIZE:-10000}
RESULTS_MD=${RESULTS_MD:-$top_srcdir/tests/bench/RESULTS.md}
CONFIGS="plain localzone rpz rpzlog dnsrep dnsreplook"

PLUGIN="$build/plugin/dnsrep.so"
GENFEED="$build/tests/bench/genfeed"
FREEPORT="$build/tests/integration/freeport"
BENCH_SNAPSHOT="$build/tests/bench/bench_snapshot"
BENCH_LOOKALIKE="$build/tests/bench/bench_lookalike"
for f in "$UNBOUND" "$UNBOUND_CONTROL" "$GENFEED" "$FREEPORT"; do
  [ -x "$f" ] || die "missing $f (make -C $build bench-compare builds what is needed)"
done
[ -f "$PLUGIN" ] || die "missing $PLUGIN (make -C $build)"
if [ "$CALLGRIND" = yes ]; then
  for f in "$BENCH_SNAPSHOT" "$BENCH_LOOKALIKE"; do
    [ -x "$f" ] || die "missing $f (make -C $build tests/bench/bench_snapshot tests/bench/bench_lookalike)"
  done
  for c in valgrind callgrind_annotate; do command -v $c > /dev/null 2>&1 || die "missing $c (CALLGRIND=no to skip)"; done
fi
need_dnsperf
for c in nsd dig dnsperf; do command -v "$c" > /dev/null 2>&1 || die "missing $c"; done

load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "compare benchmark in $dir (load average $load0)"

# ---- 1. instruction counts (callgrind), first, while none of our servers run ----------
# cg_per_call OUT FUNC [CALLEE]: "per-call total calls callee-per-call": FUNC's inclusive
# instructions divided by its calls (summed over its callers), from callgrind_annotate
# --inclusive=yes --tree=both, and the part of each call spent in CALLEE
cg_per_call() {
  callgrind_annotate --inclusive=yes --tree=both "$1" 2>/dev/null | awk -v f="$2" -v g="${3:-}" '
    function num(s) { gsub(",", "", s); return s + 0 }
    function xcount(s) { if (match(s, /\([0-9,]+x\)/)) return num(substr(s, RSTART + 1, RLENGTH - 3)); return 0 }
    /^$/ { ncall = 0; inblk = 0; next }
    match($0, /^ *[0-9,]+ \( *[0-9.]+%\) +/) {
      cost = $1; rest = substr($0, RLENGTH + 1); split(rest, w, " "); kind = w[1]; fn = w[2]
      if (kind == "<") { callers[++ncall] = rest; next }
      if (kind == "*") {
        inblk = 0
        # the entry with callers (inlined header code shows as a second, caller-less entry)
        if (fn ~ (":" f "$") && ncall > 0) { inblk = 1; ir = num(cost); calls = 0; gir = 0; for (i = 1; i <= ncall; i++) calls += xcount(callers[i]) }
        ncall = 0; next
      }
      if (kind == ">" && inblk && g != "" && fn ~ (":" g "$")) gir += num(cost)
    }
    END { printf "%.0f %.0f %d %.0f\n", calls ? ir / calls : 0, ir, calls, calls ? gir / calls : 0 }'
}
cg_snap="" cg_look="" cg_psl=""
if [ "$CALLGRIND" = yes ]; then
  say "callgrind: bench_snapshot $CG_SNAPSHOT_SIZE"
  (cd "$dir" && valgrind --tool=callgrind --callgrind-out-file=snap.cg "$BENCH_SNAPSHOT" "$CG_SNAPSHOT_SIZE" > snap.cg.out 2>&1) ||
    die "callgrind of bench_snapshot failed"
  cg_snap=$(cg_per_call "$dir/snap.cg" dnsrep_snapshot_match)
  say "  dnsrep_snapshot_match: $cg_snap (instructions per call, total, calls)"
  say "callgrind: bench_lookalike $CG_LOOKALIKE_SIZE (about 2.5 minutes)"
  (cd "$dir" && valgrind --tool=callgrind --callgrind-out-file=look.cg "$BENCH_LOOKALIKE" "$CG_LOOKALIKE_SIZE" > look.cg.out 2>&1) ||
    die "callgrind of bench_lookalike failed"
  cg_look=$(cg_per_call "$dir/look.cg" dnsrep_lookalike_check)
  cg_psl=$(cg_per_call "$dir/look.cg" psl_registrable_domain)
  say "  dnsrep_lookalike_check: $cg_look (instructions per call, total, calls)"
fi

# ---- 2. the names --------------------------------------------------------------------------
# all.txt: MAX listed names, then DELTA names the refresh adds, then NQUERIES unlisted names
# for the pass-through load; the list of size S is the first S lines.
max=0
for s in $SIZES; do [ "$s" -gt "$max" ] && max=$s; done
[ "$max" -gt "$DELTA" ] || die "the sizes must be above DELTA ($DELTA)"
"$GENFEED" $((max + DELTA + NQUERIES)) > "$dir/all.txt" || die "genfeed failed"
sed -n "$((max + 1)),$((max + DELTA))p" "$dir/all.txt" > "$dir/added.txt"
sed -n "$((max + DELTA + 1)),\$p" "$dir/all.txt" > "$dir/pass.names"
awk '{ print $0 " A" }' "$dir/pass.names" > "$dir/pass.txt"
probe=$(sed -n "$((DELTA + 1))p" "$dir/all.txt")      # listed in every list and version
removed_name=$(sed -n 1p "$dir/all.txt")              # gone after the refresh
added_name=$(sed -n 1p "$dir/added.txt")              # listed after the refresh
pass_name=$(sed -n 1p "$dir/pass.names")

# ---- 3. NSD: authoritative for the root, the pass-through names and the refresh's names ----
{ head -n "$DELTA" "$dir/all.txt"; cat "$dir/added.txt" "$dir/pass.names"; } > "$dir/nsd.names"
set -- $("$FREEPORT" 1)
bench_nsd "$1" "$dir/nsd.names"
say "NSD on :$nsd_port ($(( $(wc -l < "$dir/root.zone") - 4 )) names)"

# ---- 4. per size: the lists and the six configurations -----------------------------------
# conf_write S C: $dir/S/C/unbound.conf (and dnsrep.conf); sets nothing
conf_write() {
  s=$1 c=$2 cdir=$dir/$1/$2
  mkdir -p "$cdir"
  # Unbound refuses an rpz: clause without the respip module ("RPZ requires the respip module")
  case $c in dnsrep*) mods="dynlib validator iterator" ;; rpz*) mods="respip validator iterator" ;; *) mods="validator iterator" ;; esac
  {
    cat <<EOF
server:
  interface: 127.0.0.1
  port: $(cat "$cdir/port")
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$cdir"
  pidfile: "$cdir/unbound.pid"
  logfile: "$cdir/unbound.log"
  use-syslog: no
  log-time-ascii: yes
  verbosity: 1
  num-threads: 2
  so-rcvbuf: $RCVBUF
  msg-cache-size: 64m
  rrset-cache-size: 128m
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  module-config: "$mods"
EOF
    [ "$c" = localzone ] && printf '  include: "%s/%s/localzone.conf"\n' "$dir" "$s"
    cat <<EOF
remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $(cat "$cdir/cport")
  control-use-cert: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@$nsd_port
EOF
    case $c in
      rpz*)
        printf 'rpz:\n  name: "rpz.bench."\n  zonefile: "%s/rpz.zone"\n' "$cdir"
        [ "$c" = rpzlog ] && printf '  rpz-log: yes\n  rpz-log-name: "bench"\n' ;;
      dnsrep*) printf 'dynlib:\n  dynlib-file: "%s"\n' "$PLUGIN" ;;
    esac
  } > "$cdir/unbound.conf"
  case $c in
    rpz*) cp "$dir/$s/rpz.zone" "$cdir/rpz.zone" ;;
    dnsrep*)
      cp "$dir/$s/list.txt" "$cdir/feed.txt"
      {
        printf 'dnsrep:\n  resolver-id: "bench"\n  log-file: "%s/blocks.jsonl"\n' "$cdir"
        printf '  snapshot-file: "%s/dnsrep.snapshot"\n  poll-interval: 1s\n' "$cdir"
        printf 'feed:\n  name: bench\n  source: "file://%s/feed.txt"\n  format: plain\n  category: seized\n' "$cdir"
        [ "$c" = dnsreplook ] && printf '  lookalike: yes\n'
      } > "$cdir/dnsrep.conf" ;;
  esac
}
# rpz_zone SERIAL < names: an RPZ zone blocking each name and the names below it
rpz_zone() {
  printf '$ORIGIN rpz.bench.\n$TTL 3600\n@ SOA ns.rpz.bench. hostmaster.rpz.bench. %s 3600 900 604800 3600\n@ NS ns.rpz.bench.\n' "$1"
  awk '{ print $0 " CNAME ."; print "*." $0 " CNAME ." }'
}

# start_cfg S C: start Unbound (clean: no snapshot file, no block log), time it to the first
# NXDOMAIN for the probe, then VmRSS/VmHWM 1 s later. Sets upid, load_s, rss_kb, hwm_kb.
start_cfg() {
  cdir=$dir/$1/$2
  rm -f "$cdir/dnsrep.snapshot" "$cdir/blocks.jsonl" "$cdir/unbound.log"
  port=$(cat "$cdir/port")
  t0=$(now)
  DNSREP_CONF="$cdir/dnsrep.conf" "$UNBOUND" -d -c "$cdir/unbound.conf" > "$cdir/unbound.out" 2>&1 &
  upid=$!
  track "$upid"
  i=0
  until dig +time=1 +tries=1 -p "$port" @127.0.0.1 "$probe" A 2>/dev/null | grep -q 'status: NXDOMAIN'; do
    kill -0 "$upid" 2>/dev/null || { cat "$cdir/unbound.log" "$cdir/unbound.out" 2>/dev/null; die "Unbound $1/$2 exited"; }
    i=$((i + 1)); [ $i -lt 3000 ] || die "Unbound $1/$2 gave no NXDOMAIN in 60 s"
    sleep 0.02
  done
  load_s=$(calc %.3f "$(now) - $t0")
  sleep 1
  rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$upid/status")
  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$upid/status")
  echo "$upid" > "$cdir/upid"
}

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { print a "–" b }'; }

# dnsperf_run S C KIND N FILE: one saturated run; writes $dir/S/C/KIND.N.sum:
# "qps sent lost p50_ms p99_ms rcodes"
DP_BASE="-c $CLIENTS -q $OUTSTANDING -T 1"
dnsperf_run() {
  cdir=$dir/$1/$2 out=$dir/$1/$2/$3.$4
  dnsperf -s 127.0.0.1 -p "$(cat "$cdir/port")" -d "$5" $DP_BASE -l "$DURATION" -v 2>&1 |
  awk '
    /^> / && $5 ~ /^[0-9.]+$/ { n++; rc[$2]++; b = int($5 * 100000); h[b]++; if (b > mb) mb = b; next }
    /Queries sent:/ { sent = $3 } /Queries lost:/ { lost = $3 } /Queries per second:/ { qps = $4 }
    END {
      p50 = p99 = -1; c = 0
      for (i = 0; i <= mb; i++) if (i in h) {
        c += h[i]
        if (p50 < 0 && c >= 0.50 * n) p50 = (i + 0.5) / 100
        if (p99 < 0 && c >= 0.99 * n) { p99 = (i + 0.5) / 100; break }
      }
      r = ""; for (k in rc) r = r (r == "" ? "" : ",") k ":" rc[k]
      printf "%.0f %s %s %.2f %.2f %s\n", qps, sent, lost, p50, p99, r
    }' > "$out.sum"
}

# the log each blocked run leaves: block log records (dnsrep) or rpz-log lines (Unbound's
# log), counted, then emptied so that the disk does not fill
drain_logs() {
  cdir=$dir/$1/$2
  case $2 in
    dnsrep*)
      [ -f "$cdir/blocks.jsonl" ] || { echo "0 0"; return; }
      n=$(grep -c '"qname"' "$cdir/blocks.jsonl")
      d=$(grep '"event":"dropped"' "$cdir/blocks.jsonl" | sed -n 's/.*"count":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
      rm -f "$cdir/blocks.jsonl"   # the writer opens a new file at the same path
      echo "$n $d" ;;
    rpzlog)
      n=$(grep -c 'rpz: applied' "$cdir/unbound.log")
      : > "$cdir/unbound.log"      # Unbound appends: it goes on at the new end
      echo "$n 0" ;;
    *) echo "0 0" ;;
  esac
}

for s in $SIZES; do
  sd=$dir/$s
  mkdir -p "$sd"
  head -n "$s" "$dir/all.txt" > "$sd/list.txt"
  step=$(( (s - DELTA) / NQUERIES )); [ "$step" -ge 1 ] || step=1
  awk -v d="$DELTA" -v s="$step" -v m="$NQUERIES" 'NR > d && (NR - d) % s == 0 && c < m { print $0 " A"; c++ }' \
    "$sd/list.txt" > "$sd/blocked.txt"
  awk '{ print "local-zone: \"" $0 ".\" always_nxdomain" }' "$sd/list.txt" > "$sd/localzone.conf"
  rpz_zone 1 < "$sd/list.txt" > "$sd/rpz.zone"
  set -- $("$FREEPORT" 12 | tr '\n' ' ')
  for c in $CONFIGS; do
    mkdir -p "$sd/$c"
    echo "$1" > "$sd/$c/port"; echo "$2" > "$sd/$c/cport"; shift 2
    conf_write "$s" "$c"
  done
  say "size $s: lists and configurations written ($(wc -l < "$sd/blocked.txt") blocked queries, $(wc -l < "$dir/pass.txt") pass-through)"

  # -- load time and memory: LR starts per configuration, round robin; the last start stays
  lr=$LOAD_RUNS; [ "$s" -ge 1000000 ] && lr=$LOAD_RUNS_1M
  echo "$lr" > "$sd/load_runs"
  r=1
  while [ $r -le "$lr" ]; do
    for c in $CONFIGS; do
      start_cfg "$s" "$c"
      echo "$load_s $rss_kb $hwm_kb" >> "$sd/$c/load"
      say "  $s $c start $r: first NXDOMAIN after ${load_s}s, VmRSS $rss_kb kB (HWM $hwm_kb kB)"
      [ $r -lt "$lr" ] && stop "$upid"
    done
    r=$((r + 1))
  done

  # -- the cold pass: each pass-through name once (from NSD), and the blocked names once
  for c in $CONFIGS; do
    cdir=$sd/$c
    dnsperf -s 127.0.0.1 -p "$(cat "$cdir/port")" -d "$dir/pass.txt" $DP_BASE -n 1 > "$cdir/cold.dnsperf" 2>&1
    dnsperf -s 127.0.0.1 -p "$(cat "$cdir/port")" -d "$sd/blocked.txt" $DP_BASE -n 1 > "$cdir/coldblocked.dnsperf" 2>&1
    lk=0
    [ "$c" = dnsreplook ] && [ -f "$cdir/blocks.jsonl" ] &&
      lk=$(sed -n 's/.*"qname":"\([^"]*\)".*"match":"lookalike".*/\1/p' "$cdir/blocks.jsonl" |
        awk 'NR == FNR { p[$1] = 1; next } ($1 in p) && !seen[$1]++ { n++ } END { print n + 0 }' "$dir/pass.names" -)
    echo "$lk" > "$cdir/pass_lookalikes"
    drain_logs "$s" "$c" > /dev/null
    say "  $s $c cold pass: $(awk '/Queries per second/ { printf "%.0f q/s", $4 }' "$cdir/cold.dnsperf"), $(sed -n 's/^ *Response codes: *//p' "$cdir/cold.dnsperf")"
  done

  # -- the rates: RUNS rounds, each configuration blocked then pass-through, DURATION s each
  r=1
  while [ $r -le "$RUNS" ]; do
    for c in $CONFIGS; do
      dnsperf_run "$s" "$c" blocked "$r" "$sd/blocked.txt"
      drain_logs "$s" "$c" > "$sd/$c/blocked.$r.logged"
      dnsperf_run "$s" "$c" pass "$r" "$dir/pass.txt"
      drain_logs "$s" "$c" > "$sd/$c/pass.$r.logged"
      say "  $s $c run $r: blocked $(cut -d' ' -f1,3-5 "$sd/$c/blocked.$r.sum") (logged $(cut -d' ' -f1 "$sd/$c/blocked.$r.logged")); pass $(cut -d' ' -f1,3-5 "$sd/$c/pass.$r.sum")   [q/s lost p50 p99 ms]"
    done
    r=$((r + 1))
  done

  # -- the refresh, at the largest size: dnsrep's swap against RPZ's reload
  if [ "$s" = "$max" ]; then
    qd=$(median $(cut -d' ' -f1 "$sd"/dnsrep/blocked.*.sum))
    qr=$(median $(cut -d' ' -f1 "$sd"/rpz/blocked.*.sum))
    refresh_q=$(awk -v a="$qd" -v b="$qr" 'BEGIN { m = a < b ? a : b; q = int(m / 2 / 1000) * 1000; print q < 1000 ? 1000 : q }')
    echo "$refresh_q" > "$sd/refresh_q"
    sed -n "$((DELTA + 1)),${s}p" "$dir/all.txt" | cat - "$dir/added.txt" > "$sd/v2.txt"
    rpz_zone 2 < "$sd/v2.txt" > "$sd/rpz2.zone"
    for c in dnsrep rpz; do
      cdir=$sd/$c
      port=$(cat "$cdir/port")
      # before: the removed name blocked, the added one not (not asked: it would be cached)
      dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$removed_name" A 2>/dev/null | grep -q 'status: NXDOMAIN' ||
        die "$c: $removed_name not blocked before the refresh"
      case $c in
        dnsrep) cp "$sd/v2.txt" "$cdir/feed.new" ;;
        rpz) cp "$sd/rpz2.zone" "$cdir/rpz.new" ;;
      esac
      n0=$(grep -c 'new blocklist in place' "$cdir/unbound.log")
      t_load=$(now)
      # the load runs until 4 s after the new list is in place (SIGINT: dnsperf stops and
      # prints its statistics; queries still outstanding then count as interrupted, not lost)
      dnsperf -s 127.0.0.1 -p "$port" -d "$sd/blocked.txt" $DP_BASE -S 1 -l "$REFRESH_MAX" -Q "$refresh_q" \
        > "$cdir/refresh.dnsperf" 2>&1 &
      dp=$!
      track "$dp"
      sleep "$SWAP_AT"
      ts=$(now)
      case $c in
        dnsrep)
          mv "$cdir/feed.new" "$cdir/feed.txt"
          i=0
          while [ "$(grep -c 'new blocklist in place' "$cdir/unbound.log")" -le "$n0" ]; do
            i=$((i + 1)); [ $i -lt 1200 ] || die "dnsrep: no new blocklist in 60 s"
            sleep 0.05
          done
          tp=$(now); te=$ts ;;
        rpz)
          mv "$cdir/rpz.new" "$cdir/rpz.zone"
          "$UNBOUND_CONTROL" -c "$cdir/unbound.conf" auth_zone_reload rpz.bench. > "$cdir/reload.out" 2>&1 ||
            { cat "$cdir/reload.out"; die "auth_zone_reload failed"; }
          tp=$(now); te=$tp ;;
      esac
      sleep 4
      kill -INT "$dp" 2>/dev/null
      wait "$dp"; forget "$dp"
      ok_removed=no ok_added=no
      dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$removed_name" A 2>/dev/null | grep -q 'status: NOERROR' && ok_removed=yes
      dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$added_name" A 2>/dev/null | grep -q 'status: NXDOMAIN' && ok_added=yes
      awk -v ts="$ts" -v tp="$tp" -v t0="$t_load" -v okr="$ok_removed" -v oka="$ok_added" '
        /^[0-9]+\.[0-9]+: [0-9.]+$/ { n++; T[n] = $1 + 0; Q[n] = $2 + 0 }
        /Queries lost:/ { lost = $3 } /Queries sent:/ { sent = $3 } /Run time/ { dur = $4 }
        END {
          m = 0
          for (i = 2; i <= n; i++) if (T[i] <= ts) v[++m] = Q[i]   # the first second warms up
          for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
          steady = m ? (m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2) : 0
          low = -1
          for (i = 1; i <= n; i++) if (T[i] > ts && T[i] - 1 < tp + 3 && (low < 0 || Q[i] < low)) { low = Q[i]; lt = T[i] }
          printf "%.0f %.0f %.3f %s %s %.2f %s %s %.0f %.1f\n", steady, low, steady ? low / steady : 0, sent, lost, tp - ts, okr, oka, lt - t0, dur
        }' "$cdir/refresh.dnsperf" > "$cdir/refresh.sum"
      awk -v ts="$ts" -v tp="$tp" -v t0="$t_load" '/^[0-9]+\.[0-9]+: [0-9.]+$/ {
          t = $1 + 0; mark = ""
          if (ts > t - 1 && ts <= t) mark = mark " refresh starts"
          if (tp > t - 1 && tp <= t) mark = mark " new list in place"
          printf "%d:%.0f%s\n", t - t0 + 0.5, $2, mark }' "$cdir/refresh.dnsperf" > "$cdir/refresh.series"
      say "  $s $c refresh at -Q $refresh_q: steady/lowest/ratio/sent/lost/in-place-s/removed-ok/added-ok: $(cat "$cdir/refresh.sum")"
    done
  fi

  # -- stop this size's servers
  for c in $CONFIGS; do stop "$(cat "$sd/$c/upid")"; done
  rm -f "$sd"/*/feed.txt "$sd"/*/rpz.zone "$sd/localzone.conf" "$sd/rpz.zone" "$sd/rpz2.zone" "$sd/v2.txt"
done

# ---- 5. the report ---------------------------------------------------------------------------
load1=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(( $(date +%s) - T_START ))
label() {
  case $1 in
    plain) echo "plain Unbound" ;; localzone) echo "local-zone" ;; rpz) echo "RPZ" ;;
    rpzlog) echo "RPZ + rpz-log" ;; dnsrep) echo "dnsrep + block log" ;; dnsreplook) echo "dnsrep + log + lookalike" ;;
  esac
}
# col FILE FIELD: the median over the runs' files of FIELD
colmed() { median $(cat "$@" 2>/dev/null | cut -d' ' -f"$FIELD"); }
colsum() { cat "$@" 2>/dev/null | cut -d' ' -f"$FIELD" | awk '{ s += $1 } END { print s + 0 }'; }
mib() { calc %.1f "$1 / 1024"; }
human() { awk -v n="$1" 'BEGIN { if (n % 1000000 == 0) print n / 1000000 "M"; else if (n % 1000 == 0) print n / 1000 "k"; else print n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
yesno() { awk "BEGIN { exit !($1) }" && echo "**met**" || echo "**NOT met**"; }   # yesno AWK-CONDITION

{
  echo "# dnsrep against Unbound's own blocking: local-zone and RPZ"
  echo
  echo "Written by \`tests/bench/compare.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) in ${elapsed} s. A benchmark, not a test:"
  echo "the machine is shared and noisy, so the figures that matter are the **ratios** between"
  echo "configurations measured back to back in this one run."
  echo
  echo "**Setup.** One Unbound binary ($("$UNBOUND" -V 2>&1 | head -n 1), built with"
  echo "\`--with-dynlibmodule\`), six configurations, each its own unbound.conf with num-threads 2,"
  echo "so-rcvbuf $RCVBUF, msg-cache-size 64m, rrset-cache-size 128m, qname-minimisation no, verbosity 1 to a log"
  echo "file, and the validator in every module-config: \"validator iterator\"; \"respip validator"
  echo "iterator\" for RPZ (Unbound 1.17 refuses an \`rpz:\` clause without respip: \"fatal error: RPZ"
  echo "requires the respip module\"); \"dynlib validator iterator\" with the plugin. Every configuration resolves through a stub zone for \`.\` to a"
  echo "local NSD that is authoritative for the root zone: it answers the pass-through names"
  echo "(A 192.0.2.1) and NXDOMAIN for everything else. The lists are the first N names of"
  echo "\`tests/bench/genfeed\` (seeded, realistic registrable names, $(head -n "$max" "$dir/all.txt" | awk '{ s += length($0) } END { printf "%.1f", s / NR }') characters on average)."
  echo
  echo "| configuration | what blocks |"
  echo "|---|---|"
  echo "| plain Unbound | nothing: the baseline; listed names go to NSD, which answers NXDOMAIN (then cached) |"
  echo "| local-zone | \`local-zone: \"NAME.\" always_nxdomain\` per name, in an \`include:\` file (covers names below) |"
  echo "| RPZ | \`rpz:\` clause, \`zonefile:\` with \`NAME CNAME .\` and \`*.NAME CNAME .\` per name (2 records a name) |"
  echo "| RPZ + rpz-log | the same with \`rpz-log: yes\` (a line per block in Unbound's log file) |"
  echo "| dnsrep + block log | the plugin, the list as a \`file://\` plain feed (embedded: no Redis; poll-interval 1s), each block a JSON line in the block log |"
  echo "| dnsrep + log + lookalike | the same with \`lookalike: yes\` on the feed (lookalikes \`log-only\`, the default) |"
  echo
  echo "Load: dnsperf on loopback, one thread, $CLIENTS sockets, at most $OUTSTANDING queries outstanding,"
  echo "$DURATION s a run, A queries. *Blocked*: $NQUERIES listed names (spread over the list). *Pass-through*:"
  echo "$NQUERIES unlisted genfeed names that NSD answers; each configuration was sent every such name once"
  echo "before the measured runs (the *cold pass* row: each a cache miss resolved at NSD), so the"
  echo "measured pass-through runs are answered from Unbound's cache, as repeats are in real life."
  echo "Unbound consults local-zone and RPZ on every query, before its cache; it answers a cache hit"
  echo "before any module runs, but the plugin judges that answer too, for the client it is sent to"
  echo "(its \\`inplace_cb_reply_cache\\` callback: a memo of names found passing, then the snapshot), so"
  echo "the plugin is on the path of every cached lookup, blocked or not."
  echo "Rates: median of $RUNS runs (range in brackets), the runs round robin over the configurations."
  echo "Latency: p50 and p99 of the median-rate run's per-query latencies (dnsperf \`-v\`, which"
  echo "has no percentile option; 10 µs bins). The load is closed-loop at $OUTSTANDING outstanding, so these are"
  echo "mostly queueing: p50 ≈ $OUTSTANDING / rate."
  echo "Load time: start of the process to the first NXDOMAIN for a listed name (dig polled every"
  echo "20 ms). Memory: VmRSS 1 s after that, and bytes per name = (VmRSS − plain Unbound's VmRSS) / names."
  echo "Starts: $LOAD_RUNS per configuration below 1M names (median), $LOAD_RUNS_1M at 1M: each start of the stock"
  echo "configurations at 1M takes seconds to load and again to stop, and $LOAD_RUNS starts of everything at 1M"
  echo "would take the run past 15 minutes; the rates are $RUNS runs at every size."
  nsizes=$(echo $SIZES | wc -w)
  lo=$(echo $SIZES | tr ' ' '\n' | sort -n | head -n 1)
  for s in $SIZES; do
    sd=$dir/$s
    lr=$(cat "$sd/load_runs")
    echo
    echo "## $(human "$s") names"
    echo
    printf '| figure |'; for c in $CONFIGS; do printf ' %s |' "$(label "$c")"; done; echo
    printf '|---|'; for c in $CONFIGS; do printf -- '---|'; done; echo
    lr_note="median of $lr starts"; [ "$lr" = 1 ] && lr_note="1 start"
    FIELD=2; plain_rss=$(colmed "$sd/plain/load")
    printf '| start to first block answer, s (%s) |' "$lr_note"
    for c in $CONFIGS; do FIELD=1; printf ' %s |' "$(calc %.2f "$(colmed "$sd/$c/load")")"; done; echo
    printf '| VmRSS after load, MiB (peak VmHWM) |'
    for c in $CONFIGS; do FIELD=2; a=$(colmed "$sd/$c/load"); FIELD=3; b=$(colmed "$sd/$c/load"); printf ' %s (%s) |' "$(mib "$a")" "$(mib "$b")"; done; echo
    printf '| bytes per name over plain Unbound (VmRSS) |'
    for c in $CONFIGS; do FIELD=2; a=$(colmed "$sd/$c/load"); [ "$c" = plain ] && { printf ' — |'; continue; }; printf ' %s |' "$(calc %.0f "($a - $plain_rss) * 1024 / $s")"; done; echo
    for k in blocked pass; do
      [ $k = blocked ] && kl="blocked names" || kl="pass-through (cached)"
      printf '| %s, q/s |' "$kl"
      for c in $CONFIGS; do
        FIELD=1; m=$(colmed "$sd/$c/$k".*.sum)
        printf ' **%s** (%s) |' "$(calc %.0f "$m")" "$(minmax $(cat "$sd/$c/$k".*.sum | cut -d' ' -f1))"
      done; echo
      printf '| %s, p50 / p99 latency, ms |' "$kl"
      for c in $CONFIGS; do
        FIELD=1; m=$(colmed "$sd/$c/$k".*.sum)
        f=$(grep -l "^$m " "$sd/$c/$k".*.sum 2>/dev/null | head -n 1)
        [ -n "$f" ] || f=$(ls "$sd/$c/$k".*.sum | head -n 1)
        printf ' %s / %s |' "$(cut -d' ' -f4 "$f")" "$(cut -d' ' -f5 "$f")"
      done; echo
      printf '| %s, queries lost (all runs) |' "$kl"
      for c in $CONFIGS; do FIELD=3; printf ' %s |' "$(colsum "$sd/$c/$k".*.sum)"; done; echo
    done
    printf '| cold pass: each pass-through name once, from NSD, q/s |'
    for c in $CONFIGS; do printf ' %s |' "$(awk '/Queries per second/ { printf "%.0f", $4 }' "$sd/$c/cold.dnsperf")"; done; echo
    printf '| blocked lookups logged in the blocked runs (all runs) |'
    for c in $CONFIGS; do
      case $c in rpzlog|dnsrep*) FIELD=1; printf ' %s |' "$(colsum "$sd/$c"/blocked.*.logged)" ;; *) printf ' — |' ;; esac
    done; echo
    printf '| blocked runs: rcodes of the median run |'
    for c in $CONFIGS; do
      FIELD=1; m=$(colmed "$sd/$c/blocked".*.sum); f=$(grep -l "^$m " "$sd/$c/blocked".*.sum | head -n 1)
      [ -n "$f" ] || f=$(ls "$sd/$c/blocked".*.sum | head -n 1)
      printf ' %s |' "$(cut -d' ' -f6 "$f" | tr ',' ' ')"
    done; echo
    # ratios against the targets
    FIELD=2; rss_d=$(colmed "$sd/dnsrep/load"); rss_r=$(colmed "$sd/rpz/load"); rss_dl=$(colmed "$sd/dnsreplook/load")
    bpn_d=$(calc %.1f "($rss_d - $plain_rss) * 1024 / $s"); bpn_r=$(calc %.1f "($rss_r - $plain_rss) * 1024 / $s")
    bpn_dl=$(calc %.1f "($rss_dl - $plain_rss) * 1024 / $s")
    FIELD=1; ld=$(colmed "$sd/dnsrep/load"); lr_=$(colmed "$sd/rpz/load"); ldl=$(colmed "$sd/dnsreplook/load")
    FIELD=1; qd=$(colmed "$sd"/dnsrep/blocked.*.sum); qr=$(colmed "$sd"/rpz/blocked.*.sum)
    qrl=$(colmed "$sd"/rpzlog/blocked.*.sum); qdl=$(colmed "$sd"/dnsreplook/blocked.*.sum)
    qd=$(calc %.0f "$qd"); qr=$(calc %.0f "$qr"); qrl=$(calc %.0f "$qrl"); qdl=$(calc %.0f "$qdl")
    rm_=$(ratio "$bpn_d" "$bpn_r"); rl=$(ratio "$ld" "$lr_"); rq=$(ratio "$qd" "$qr")
    FIELD=1; pp=$(colmed "$sd"/plain/pass.*.sum); pd=$(colmed "$sd"/dnsrep/pass.*.sum); pdl=$(colmed "$sd"/dnsreplook/pass.*.sum)
    pp=$(calc %.0f "$pp"); pd=$(calc %.0f "$pd"); pdl=$(calc %.0f "$pdl")
    echo
    echo "Against the targets (DESIGN.md, Budgets), as ratios within this run:"
    echo
    echo "| target | dnsrep + block log | with lookalike on | verdict (dnsrep + block log) |"
    echo "|---|---|---|---|"
    echo "| memory per name ≤ 1/10 of RPZ's | $bpn_d B vs $bpn_r B = $rm_ | $bpn_dl B = $(ratio "$bpn_dl" "$bpn_r") | $(yesno "$bpn_r > 0 && $bpn_d / $bpn_r <= 0.1") |"
    echo "| load time ≤ 1/3 of RPZ's | $(calc %.2f "$ld") s vs $(calc %.2f "$lr_") s = $rl | $(calc %.2f "$ldl") s = $(ratio "$ldl" "$lr_") | $(yesno "$lr_ > 0 && $ld / $lr_ <= 1 / 3") |"
    echo "| blocked rate with logging ≥ RPZ's without | $qd vs $qr q/s = $rq | $qdl q/s = $(ratio "$qdl" "$qr") | $(yesno "$qr > 0 && $qd >= $qr") |"
    echo "| (for reference: RPZ with rpz-log against without) | $qrl vs $qr q/s = $(ratio "$qrl" "$qr") | | |"
    echo "| cached pass-through, lookalike on, ≥ 0.9× plain Unbound | $pd vs $pp q/s = $(ratio "$pd" "$pp") | $pdl q/s = $(ratio "$pdl" "$pp") | with lookalike on: $(yesno "$pp > 0 && $pdl / $pp >= 0.9") |"
    echo
    if ! awk "BEGIN { exit !($bpn_r > 0 && $bpn_d / $bpn_r <= 0.1) }"; then
      if [ "$nsizes" -ge 2 ]; then
        FIELD=2; a=$(colmed "$dir/$max/dnsrep/load"); b=$(colmed "$dir/$lo/dnsrep/load")
        marg=$(calc %.1f "($a - $b) * 1024 / ($max - $lo)")
        fixed=$(calc %.1f "(($rss_d - $plain_rss) * 1024 - $marg * $s) / 1048576")
        echo "- Memory, why not met: each further name costs the plugin about $marg B (*Memory per added name*"
        echo "  below), but VmRSS minus plain Unbound's also holds about $fixed MiB that does not grow with the"
        echo "  list (the plugin's fixed cost: not broken down here), which at $(human "$s") names is $(calc %.0f "$fixed * 1048576 / $s") B a name."
      else
        echo "- Memory, not met: VmRSS minus plain Unbound's holds the plugin's fixed cost as well as the"
        echo "  list; run two sizes to separate them."
      fi
    fi
    if ! awk "BEGIN { exit !($lr_ > 0 && $ld / $lr_ <= 1 / 3) }"; then
      echo "- Load time, not met: the plugin reads the feed and builds the snapshot in \`init\`, before"
      echo "  Unbound serves; the figure is that plus Unbound's own start ($(calc %.2f "$(FIELD=1; colmed "$sd/plain/load")") s for plain Unbound)."
    fi
    if ! awk "BEGIN { exit !($qr > 0 && $qd >= $qr) }"; then
      echo "- Blocked rate, why not met: a repeated blocked lookup is answered from Unbound's message"
      echo "  cache (the block answer is cached for negative-ttl), but the plugin's cache-reply callback"
      echo "  still judges it for the client it goes to (a memo probe, then the snapshot), adds the EDE"
      echo "  and formats and queues a log record, which the log writer thread writes, on the same two"
      echo "  cores as dnsperf. RPZ without rpz-log logs nothing; RPZ pays for its log too: rpz-log costs"
      echo "  it $(calc %.0f "(1 - $qrl / $qr) * 100")% here."
      set -- $(cut -d' ' -f1 "$sd"/dnsrep/blocked.*.sum | sort -n | sed -n '1p;$p') $(cut -d' ' -f1 "$sd"/rpz/blocked.*.sum | sort -n | sed -n '1p;$p')
      if [ $# = 4 ] && [ "$2" -ge "$3" ] && [ "$4" -ge "$1" ]; then
        echo "  The runs' ranges overlap (dnsrep $1–$2, RPZ $3–$4 q/s): on this shared machine the gap is"
        echo "  within the run's noise."
      fi
    fi
    if [ -f "$sd/refresh_q" ]; then
      rq_=$(cat "$sd/refresh_q")
      echo
      echo "### Through a refresh ($(human "$s") names; $DELTA removed, $DELTA added)"
      echo
      echo "dnsperf held at -Q $rq_ (half the lower of dnsrep's and RPZ's median blocked rates above) with the"
      echo "blocked-name load, the refresh ${SWAP_AT} s in, the load stopped (SIGINT) 4 s after the new list is in place."
      echo "dnsrep: the feed file replaced (\`mv\`); the"
      echo "refresher notices within poll-interval (1 s), builds the new snapshot off the resolver"
      echo "threads and swaps it; *in place* is its \"new blocklist in place\" log line. RPZ: the zonefile"
      echo "replaced, then \`unbound-control auth_zone_reload rpz.bench.\`; *in place* is when that returned."
      echo "Steady: the median second before the refresh; lowest: the seconds from the refresh start to"
      echo "3 s after *in place*."
      echo
      echo "| figure | dnsrep + block log | RPZ |"
      echo "|---|---|---|"
      set -- $(cat "$sd/dnsrep/refresh.sum"); d_steady=$1 d_low=$2 d_ratio=$3 d_sent=$4 d_lost=$5 d_in=$6 d_okr=$7 d_oka=$8 d_dur=${10}
      set -- $(cat "$sd/rpz/refresh.sum"); r_steady=$1 r_low=$2 r_ratio=$3 r_sent=$4 r_lost=$5 r_in=$6 r_okr=$7 r_oka=$8 r_dur=${10}
      echo "| refresh start to new list in place, s | $d_in | $r_in |"
      echo "| steady rate, q/s | $d_steady | $r_steady |"
      echo "| lowest second, q/s | $d_low | $r_low |"
      echo "| lowest / steady (target ≥ 90%) | **$(calc %.0f%% "$d_ratio * 100")** | $(calc %.0f%% "$r_ratio * 100") |"
      echo "| queries sent / lost (target 0 lost) | $d_sent / **$d_lost** | $r_sent / $r_lost |"
      echo "| load duration, s | $d_dur | $r_dur |"
      echo "| afterwards: removed name resolves / added name blocked | $d_okr / $d_oka | $r_okr / $r_oka |"
      echo
      echo "Verdict for dnsrep: $(yesno "$d_ratio >= 0.9 && $d_lost == 0") (lowest second $(calc %.0f%% "$d_ratio * 100") of steady, $d_lost lost);"
      echo "RPZ for comparison: lowest second $(calc %.0f%% "$r_ratio * 100") of steady, $r_lost lost."
      echo "\`auth_zone_reload\` runs in Unbound's remote-control handler, on worker thread 0, and reads the"
      echo "whole zonefile while it holds the zone's write lock (daemon/remote.c: \`do_auth_zone_reload\`);"
      echo "dnsrep builds the new snapshot on its refresher thread and swaps a pointer. dnsperf keeps at most"
      echo "$OUTSTANDING queries outstanding, so a resolver that stops answering shows as a stopped rate, and"
      echo "only those $OUTSTANDING per timeout (5 s) as lost: an open-loop client would lose everything it sent."
      echo
      echo "Per-second rates (second N ends N s after the load started):"
      echo
      echo "| s | dnsrep q/s | RPZ q/s |"
      echo "|---|---|---|"
      paste -d'|' "$sd/dnsrep/refresh.series" "$sd/rpz/refresh.series" | awk -F'|' '{
        split($1, a, ":"); split($2, b, ":"); printf "| %s | %s | %s |\n", a[1], a[2], b[2] }'
    fi
    lkp=$(cat "$sd/dnsreplook/pass_lookalikes")
    echo
    echo "With lookalike on, $lkp of the $NQUERIES pass-through names were logged as lookalikes in the cold"
    echo "pass. They are log-only: they resolve, stay in Unbound's message cache, and each cached lookup"
    echo "of one is logged again (that is what log-only means), so those lookups cost a log record each;"
    echo "the other names are found in the resolver thread's memo of passing names."
  done
  nsizes=$(echo $SIZES | wc -w)
  if [ "$nsizes" -ge 2 ]; then
    lo=$(echo $SIZES | tr ' ' '\n' | sort -n | head -n 1)
    echo
    echo "## Memory per added name, $(human "$lo") → $(human "$max") names"
    echo
    echo "(VmRSS at $(human "$max") − VmRSS at $(human "$lo")) / $(human $((max - lo))) names: what each further name costs, without"
    echo "the fixed cost of a configuration that the per-name figures above include."
    echo
    printf '| |'; for c in $CONFIGS; do [ "$c" = plain ] || printf ' %s |' "$(label "$c")"; done; echo
    printf '|---|'; for c in $CONFIGS; do [ "$c" = plain ] || printf -- '---|'; done; echo
    printf '| bytes per name |'
    FIELD=2
    for c in $CONFIGS; do
      [ "$c" = plain ] && continue
      a=$(colmed "$dir/$max/$c/load"); b=$(colmed "$dir/$lo/$c/load")
      printf ' %s |' "$(calc %.0f "($a - $b) * 1024 / ($max - $lo)")"
    done; echo
  fi
  if [ "$CALLGRIND" = yes ]; then
    set -- $cg_snap; sn_per=$1 sn_ir=$2 sn_calls=$3
    set -- $cg_look; lk_per=$1 lk_ir=$2 lk_calls=$3
    set -- $cg_psl; lk_psl=$1 psl_calls=$3
    echo
    echo "## Instruction counts (callgrind: repeatable on a noisy machine)"
    echo
    echo "| function | benchmark | calls | instructions (inclusive) | per call |"
    echo "|---|---|---|---|---|"
    echo "| \`dnsrep_snapshot_match\` | bench_snapshot $CG_SNAPSHOT_SIZE (exact, subdomain, miss and mixed sets) | $sn_calls | $sn_ir | **$sn_per** |"
    echo "| \`dnsrep_lookalike_check\` | bench_lookalike $CG_LOOKALIKE_SIZE (mix, other, one-edit sets; 200k queries each) | $lk_calls | $lk_ir | **$lk_per** |"
    echo "| … of which libpsl's \`psl_registrable_domain\` (called once a check: its own per-call cost, over all its calls) | | $psl_calls | | $lk_psl |"
    echo
    echo "Per call = the inclusive cost of the function's calls divided by the calls"
    echo "(\`callgrind_annotate --inclusive=yes --tree=both\`). Instructions, not time: a cache miss counts as"
    echo "one instruction, so the 1M-name match (two dependent DRAM reads per hit, see README.md) costs more"
    echo "time than the count suggests."
  fi
  echo
  echo "## Commands and versions"
  echo
  echo "\`\`\`"
  echo "make -C build/release bench-compare     # = sh tests/bench/compare.sh $build"
  echo "SIZES=\"$SIZES\" RUNS=$RUNS LOAD_RUNS=$LOAD_RUNS LOAD_RUNS_1M=$LOAD_RUNS_1M DURATION=$DURATION NQUERIES=$NQUERIES DELTA=$DELTA"
  echo "$GENFEED $((max + DELTA + NQUERIES)) > all.txt            # the lists: the first N lines"
  echo "DNSREP_CONF=dnsrep.conf $UNBOUND -d -c unbound.conf    # each configuration"
  echo "dig +time=1 +tries=1 -p PORT @127.0.0.1 $probe A       # polled until NXDOMAIN"
  echo "dnsperf -s 127.0.0.1 -p PORT -d pass.txt $DP_BASE -n 1               # the cold pass"
  echo "dnsperf -s 127.0.0.1 -p PORT -d blocked.txt $DP_BASE -l $DURATION -v   # and pass.txt"
  echo "dnsperf -s 127.0.0.1 -p PORT -d blocked.txt $DP_BASE -S 1 -l $REFRESH_MAX -Q Q  # refresh; SIGINT 4 s after in place"
  echo "$UNBOUND_CONTROL -c unbound.conf auth_zone_reload rpz.bench."
  [ "$CALLGRIND" = yes ] && {
    echo "valgrind --tool=callgrind $BENCH_SNAPSHOT $CG_SNAPSHOT_SIZE"
    echo "valgrind --tool=callgrind $BENCH_LOOKALIKE $CG_LOOKALIKE_SIZE"
  }
  echo "\`\`\`"
  echo
  echo "- Unbound: $("$UNBOUND" -V 2>&1 | head -n 1) (\`$UNBOUND\`)"
  echo "- dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -n 1); NSD $(nsd -v 2>&1 | head -n 1 | sed 's/^NSD version //')"
  echo "- plugin: commit $(cd "$top_srcdir" && git rev-parse --short HEAD 2>/dev/null)$(cd "$top_srcdir" && git diff --quiet HEAD -- blocklist plugin include 2>/dev/null || echo ' (with uncommitted changes)'); $(gcc --version | head -n 1)"
  echo "- kernel $(uname -sr); $(nproc) cores (nproc); $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; $( . /etc/os-release 2> /dev/null && echo "$PRETTY_NAME")"
  echo "- load average at the start / end: $load0 / $load1 (the box is shared)"
} > "$dir/RESULTS.md"
cp "$dir/RESULTS.md" "$RESULTS_MD"
echo
cat "$dir/RESULTS.md"
echo "(written to $RESULTS_MD)"
