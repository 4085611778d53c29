# SPDX-License-Identifier: BSD-3-Clause
# lib.sh — the integration tests' shared harness: a temp dir, real NSD and Unbound
# processes on loopback high ports, stopped by PID on exit (also on failure or
# interrupt), and TAP output so that each check counts.
#
# A test script sources this file, calls it_setup, starts what it needs, runs its
# checks with tap_check/tap_ok/tap_not_ok, and ends with tap_done.
# Needs: top_srcdir, top_builddir, UNBOUND_PREFIX (set by `make check`).

set -u

: "${top_srcdir:?top_srcdir not set: run through make check}"
: "${top_builddir:?top_builddir not set: run through make check}"
: "${UNBOUND_PREFIX:?UNBOUND_PREFIX not set: run through make check}"

UNBOUND="$UNBOUND_PREFIX/sbin/unbound"
UNBOUND_CONTROL="$UNBOUND_PREFIX/sbin/unbound-control"
PLUGIN="$top_builddir/plugin/dnsrep.so"
ZONES="$top_srcdir/tests/integration/zones"
# The seized front-company names the tests' NSD serves (from zones/frontco.zone).
FRONTCO_ZONES="silverstarchina.com cloudfox.cloud foxysunstudio.com jinyang.asia foxysunstudios.com"

# ---- TAP ---------------------------------------------------------------------
. "$top_srcdir/tests/tap.sh"

# ---- processes -----------------------------------------------------------------
it_pids=""
it_dir=""

it_cleanup() {
  rc=$?
  for pid in $it_pids; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $it_pids; do
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  done
  it_pids=""
  if [ -n "$it_dir" ] && [ -d "$it_dir" ]; then
    if [ "$tap_failed" -eq 0 ] && [ "$rc" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then
      rm -rf "$it_dir"
    else
      echo "# kept $it_dir for inspection"
    fi
  fi
}

it_setup() {
  it_dir=$(mktemp -d "${TMPDIR:-/tmp}/dnsrep-it.XXXXXX")
  trap it_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  [ -x "$UNBOUND" ] || { echo "Bail out! no Unbound at $UNBOUND (run contrib/build-unbound.sh)"; exit 1; }
  [ -f "$PLUGIN" ] || { echo "Bail out! no plugin at $PLUGIN (run make)"; exit 1; }
}

# it_ports N: N free loopback ports, space-separated.
it_ports() { "$top_builddir/tests/integration/freeport" "$1" | tr '\n' ' '; }

# it_forget PID: a process that has exited (on purpose) needs no stopping.
it_forget() {
  new=""
  for p in $it_pids; do [ "$p" = "$1" ] || new="$new $p"; done
  it_pids=$new
}

# ---- NSD -------------------------------------------------------------------------
# it_start_nsd PORT: serve test., slow.test., signed.test. (signed now) and the
# front-company zones.
it_start_nsd() {
  nsd_port=$1
  cp "$ZONES/test.zone" "$ZONES/frontco.zone" "$ZONES/slow.test.zone" "$it_dir/"
  # sign signed.test with a fresh key pair: the zone's trust anchor is the KSK
  cp "$ZONES/signed.test.zone" "$it_dir/signed.test.zone"
  (
    cd "$it_dir" || exit 1
    zsk=$(ldns-keygen -a ECDSAP256SHA256 signed.test) &&
    ksk=$(ldns-keygen -a ECDSAP256SHA256 -k signed.test) &&
    ldns-signzone -n signed.test.zone "$zsk" "$ksk" >/dev/null &&
    cp "$ksk.key" signed.test.anchor && rm -f "$zsk".* "$ksk".*
  ) || { echo "Bail out! cannot sign signed.test"; exit 1; }
  {
    cat <<EOF
server:
  ip-address: 127.0.0.1
  port: $nsd_port
  username: ""
  chroot: ""
  zonesdir: "$it_dir"
  database: ""
  pidfile: "$it_dir/nsd.pid"
  logfile: "$it_dir/nsd.log"
  xfrdfile: "$it_dir/nsd-xfrd.state"
  zonelistfile: "$it_dir/nsd-zone.list"
  xfrdir: "$it_dir"
  server-count: 1
  reuseport: no
  verbosity: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "test."
  zonefile: "test.zone"
zone:
  name: "signed.test."
  zonefile: "signed.test.zone.signed"
zone:
  name: "slow.test."
  zonefile: "slow.test.zone"
EOF
    for z in $FRONTCO_ZONES; do
      printf 'zone:\n  name: "%s."\n  zonefile: "frontco.zone"\n' "$z"
    done
  } > "$it_dir/nsd.conf"
  nsd-checkconf "$it_dir/nsd.conf" || { echo "Bail out! nsd.conf rejected"; exit 1; }
  nsd -d -c "$it_dir/nsd.conf" > "$it_dir/nsd.out" 2>&1 &
  it_pids="$it_pids $!"
  i=0
  until dig +short +time=1 +tries=1 -p "$nsd_port" @127.0.0.1 test. SOA 2>/dev/null | grep -q hostmaster; do
    i=$((i + 1))
    if [ $i -ge 100 ]; then
      echo "Bail out! NSD did not answer on port $nsd_port"
      sed 's/^/# /' "$it_dir/nsd.log" "$it_dir/nsd.out" 2>/dev/null
      exit 1
    fi
    sleep 0.1
  done
}

# ---- Unbound ---------------------------------------------------------------------
# it_unbound_conf NAME PORT CONTROL_PORT MODULES: write $it_dir/NAME.conf, an
# unbound.conf that serves PORT, resolves the test zones through the NSD on
# $nsd_port, and loads the plugin when MODULES names dynlib.  Optional, from the
# caller's variables: SLOW_PORT (slow.test. through the slow proxy there, see
# it_start_slowdns), UNBOUND_THREADS (num-threads, default 2), UNBOUND_EXTRA
# (more lines for the server: clause).
it_unbound_conf() {
  name=$1 port=$2 cport=$3 modules=$4
  {
    cat <<EOF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$it_dir"
  pidfile: "$it_dir/$name.pid"
  logfile: "$it_dir/$name.log"
  use-syslog: no
  log-time-ascii: yes
  verbosity: 1
  num-threads: ${UNBOUND_THREADS:-2}
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "$modules"
  trust-anchor-file: "$it_dir/signed.test.anchor"
  val-log-level: 2
  # Unbound answers test. itself (RFC 6761) unless told otherwise
  local-zone: "test." nodefault
${UNBOUND_EXTRA:-}
remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $cport
  control-use-cert: no
stub-zone:
  name: "test."
  stub-addr: 127.0.0.1@$nsd_port
stub-zone:
  name: "signed.test."
  stub-addr: 127.0.0.1@$nsd_port
EOF
    for z in $FRONTCO_ZONES; do
      printf 'stub-zone:\n  name: "%s."\n  stub-addr: 127.0.0.1@%s\n' "$z" "$nsd_port"
    done
    [ -z "${SLOW_PORT:-}" ] ||
      printf 'stub-zone:\n  name: "slow.test."\n  stub-addr: 127.0.0.1@%s\n' "$SLOW_PORT"
    case "$modules" in
      *dynlib*) printf 'dynlib:\n  dynlib-file: "%s"\n' "$PLUGIN" ;;
    esac
  } > "$it_dir/$name.conf"
}

# it_start_unbound NAME: start $it_dir/NAME.conf (DNSREP_CONF from the caller's
# environment) and wait until it serves; sets unbound_pid.  Returns 1 when
# Unbound exited instead (its log is $it_dir/NAME.log).
it_start_unbound() {
  name=$1
  "$UNBOUND" -d -c "$it_dir/$name.conf" > "$it_dir/$name.out" 2>&1 &
  unbound_pid=$!
  it_pids="$it_pids $unbound_pid"
  i=0
  while :; do
    if ! kill -0 "$unbound_pid" 2>/dev/null; then
      wait "$unbound_pid" 2>/dev/null
      it_forget "$unbound_pid"
      return 1
    fi
    grep -q "start of service" "$it_dir/$name.log" 2>/dev/null && return 0
    i=$((i + 1))
    if [ $i -ge 200 ]; then
      echo "Bail out! Unbound $name neither served nor exited in 20 s"
      exit 1
    fi
    sleep 0.1
  done
}

# it_stop PID: stop one process now and wait for it.
it_stop() {
  kill -TERM "$1" 2>/dev/null || true
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2>/dev/null || true
  it_forget "$1"
}

# it_dnsrep_conf FILE [TEXT]: write a dnsrep.conf whose log and snapshot are in the temp dir.
it_dnsrep_conf() {
  {
    printf 'dnsrep:\n  log-file: "%s/blocks.jsonl"\n  snapshot-file: "%s/dnsrep.snapshot"\n' "$it_dir" "$it_dir"
    [ $# -lt 2 ] || printf '%s\n' "$2"
  } > "$1"
}

# it_start_slowdns PORT: the slow proxy (tests/integration/slowdns.c) on PORT in front
# of the NSD on $nsd_port; every query it passes on is a line of $it_dir/upstream.log.
it_start_slowdns() {
  "$top_builddir/tests/integration/slowdns" "$1" "$nsd_port" "$it_dir/upstream.log" \
    > "$it_dir/slowdns.out" 2>&1 &
  it_pids="$it_pids $!"
  i=0
  until dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 slow.test. SOA 2>/dev/null | grep -q hostmaster; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "Bail out! the slow proxy did not answer on port $1"; exit 1; }
    sleep 0.1
  done
}

# ---- Redis and HTTP ------------------------------------------------------------------
REDIS_PASSWORD="it-$$-secret"

# it_start_redis NAME PORT [EXTRA_CONFIG_LINES]: a redis-server with a password on
# loopback, no persistence; sets redis_pid.
it_start_redis() {
  rname=$1 rport=$2
  {
    printf 'port %s\nbind 127.0.0.1\nrequirepass %s\nmasterauth %s\n' "$rport" "$REDIS_PASSWORD" "$REDIS_PASSWORD"
    printf 'save ""\nappendonly no\ndir %s\ndaemonize no\nlogfile %s/%s.redis.log\n' "$it_dir" "$it_dir" "$rname"
    [ $# -lt 3 ] || printf '%s\n' "$3"
  } > "$it_dir/$rname.redis.conf"
  redis-server "$it_dir/$rname.redis.conf" > /dev/null 2>&1 &
  redis_pid=$!
  it_pids="$it_pids $redis_pid"
  i=0
  until redis-cli -p "$rport" -a "$REDIS_PASSWORD" --no-auth-warning ping 2>/dev/null | grep -q PONG; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "Bail out! redis-server $rname did not answer on $rport"; exit 1; }
    sleep 0.1
  done
}

# it_redis PORT ARGS...: redis-cli with the password.
it_redis() { rp=$1; shift; redis-cli -p "$rp" -a "$REDIS_PASSWORD" --no-auth-warning "$@"; }

# it_start_httpd DIR: the tests' HTTP server on a free port serving DIR; sets httpd_port.
it_start_httpd() {
  httpd_port=$(it_ports 1 | tr -d ' ')
  "$top_builddir/tests/service/httpd" "$httpd_port" "$1" > "$it_dir/httpd.out" 2> "$it_dir/httpd.log" &
  it_pids="$it_pids $!"
  i=0
  until curl -s -o /dev/null "http://127.0.0.1:$httpd_port/" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "Bail out! the test HTTP server did not answer"; exit 1; }
    sleep 0.1
  done
}

# it_wait_log FILE TEXT COUNT: wait (30 s at most) until FILE holds COUNT lines with TEXT.
it_wait_log() {
  i=0
  while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || return 1
    sleep 0.1
  done
}
