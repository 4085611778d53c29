# SPDX-License-Identifier: BSD-3-Clause
# benchlib.sh — what the benchmark scripts share (sourced, not run): paths, the
# processes they start (stopped by PID on exit), dnsperf, and an NSD authoritative
# for the root zone that answers a list of names.
#
# The sourcing script sets NAME (for messages and its temp dir) and calls
#   bench_setup BUILD_DIR       sets build, UNBOUND_PREFIX, UNBOUND, UNBOUND_CONTROL, dir
# then may use die, now, calc, say, track PID, forget PID, stop PID, need_dnsperf,
# and bench_nsd PORT NAMES_FILE (sets nsd_port).  Environment: UNBOUND_PREFIX
# (default build/unbound), KEEP_TMP.

die() { echo "$NAME: $*" >&2; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; }   # calc FORMAT EXPR
say() { printf '[%4ds] %s\n' "$(( $(date +%s) - T_START ))" "$*"; }
T_START=$(date +%s)

bench_here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$bench_here/../.." && pwd)
# abspath DIR: DIR made absolute, from the current directory or else the source tree
abspath() {
  if [ -d "$1" ]; then (cd "$1" && pwd)
  elif [ -d "$top_srcdir/$1" ]; then (cd "$top_srcdir/$1" && pwd)
  else return 1; fi
}

# ---- processes, stopped by PID on exit -------------------------------------------------
pids=""
cleanup() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null; done
  for p in $pids; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
  done
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
track() { pids="$pids $1"; }
forget() { new=""; for p in $pids; do [ "$p" = "$1" ] || new="$new $p"; done; pids=$new; }
# stop PID: TERM, wait (freeing a large blocklist takes a while), then KILL
stop() {
  kill -TERM "$1" 2>/dev/null
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  forget "$1"
}

# bench_setup BUILD_DIR: the build tree, the Unbound to use, a temp dir cleaned on exit
bench_setup() {
  build=$(abspath "${1:-build/release}") || die "no build directory ${1:-build/release}"
  UNBOUND_PREFIX=$(abspath "${UNBOUND_PREFIX:-build/unbound}") ||
    die "no Unbound prefix ${UNBOUND_PREFIX:-build/unbound} (run contrib/build-unbound.sh)"
  UNBOUND="$UNBOUND_PREFIX/sbin/unbound"
  UNBOUND_CONTROL="$UNBOUND_PREFIX/sbin/unbound-control"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/dnsrep-$NAME.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP PIPE   # PIPE: piped into head, still stop the servers
}

# need_dnsperf: install dnsperf when missing (as root), or say how
need_dnsperf() {
  command -v dnsperf > /dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "dnsperf is missing: apt-get install -y dnsperf"
  echo "== installing dnsperf"
  apt-get install -y dnsperf > /dev/null 2>&1 || { apt-get update > /dev/null 2>&1 && apt-get install -y dnsperf > /dev/null 2>&1; } ||
    die "cannot install dnsperf"
}

# bench_nsd PORT NAMES_FILE: NSD on 127.0.0.1@PORT, authoritative for the root zone,
# answering A 192.0.2.1 for every name of the file (NXDOMAIN for the rest)
bench_nsd() {
  nsd_port=$1
  {
    printf '$TTL 3600\n. SOA ns.bench. hostmaster.bench. 1 3600 900 604800 3600\n. NS ns.bench.\nns.bench. A 127.0.0.1\n'
    awk '{ print $0 ". A 192.0.2.1" }' "$2"
  } > "$dir/root.zone"
  cat > "$dir/nsd.conf" <<NSDEOF
server:
  ip-address: 127.0.0.1
  port: $nsd_port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  xfrdfile: "$dir/nsd-xfrd.state"
  zonelistfile: "$dir/nsd-zone.list"
  xfrdir: "$dir"
  server-count: 1
  reuseport: no
  verbosity: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.zone"
NSDEOF
  nsd -d -c "$dir/nsd.conf" > "$dir/nsd.out" 2>&1 &
  track $!
  probe_name=$(sed -n 1p "$2")
  i=0
  until dig +short +time=1 +tries=1 -p "$nsd_port" @127.0.0.1 "$probe_name" A 2>/dev/null | grep -q 192.0.2.1; do
    i=$((i + 1)); [ $i -lt 300 ] || { cat "$dir/nsd.out" "$dir/nsd.log" 2>/dev/null; die "NSD did not answer on $nsd_port"; }
    sleep 0.1
  done
}
