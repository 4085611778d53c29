#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# quickstart.sh — one command from a fresh Debian 12 machine to a resolver with dnsrep.
#
# Installs the packages it needs, builds Unbound (the distribution's source, with
# dynlib) and dnsrep, writes a working directory with unbound.conf and dnsrep.conf,
# starts a local redis-server (loopback, a generated password), syncs the bundled
# seized-domain feed into it with `dnsrepctl sync`, and runs Unbound with the
# plugin following Redis in the foreground on 127.0.0.1 port 5335 (the port
# Pi-hole's Unbound guide uses).  Stop it with Ctrl-C.
#
# Usage: contrib/quickstart.sh [--port N] [--dir DIR] [--forward ADDR] [--include FILE]
#                              [--redis-port N] [--metrics-port N] [--no-redis] [--no-build]
#   --port N        listen on 127.0.0.1 port N                (default 5335)
#   --dir DIR       working directory: configs, logs          (default build/quickstart)
#   --forward ADDR  forward all queries to ADDR instead of recursing from the root
#                   (for networks that block outgoing DNS; e.g. 9.9.9.9)
#   --include FILE  add `include: FILE` to the generated unbound.conf
#   --redis-port N  the local redis-server's port               (default 6385)
#   --metrics-port N  the plugin's Prometheus endpoint on 127.0.0.1 (default 9167)
#   --control-port N  unbound-control's port on 127.0.0.1, no certificates
#                   (default: --port + 1)
#   --no-redis      no Redis: the plugin reads the feed file itself
#   --no-build      use what is built already (build/unbound, build/release)
#   UNBOUND_PREFIX and DNSREP_BUILD override where those are.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
port=5335
dir="$top/build/quickstart"
forward=""
include=""
build=yes
redis_port=6385
metrics_port=9167
use_redis=yes
control_port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --forward) forward=$2; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --no-build) build=no; shift ;;
    --redis-port) redis_port=$2; shift 2 ;;
    --metrics-port) metrics_port=$2; shift 2 ;;
    --control-port) control_port=$2; shift 2 ;;
    --no-redis) use_redis=no; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
say() { echo "quickstart: $*" >&2; }
[ -n "$control_port" ] || control_port=$((port + 1))
prefix=${UNBOUND_PREFIX:-$top/build/unbound}
bdir=${DNSREP_BUILD:-$top/build/release}
# a clone configured in place (./configure run in it, as some guides do) cannot also
# host a build in a directory of its own: build there instead
if [ -z "${DNSREP_BUILD:-}" ] && [ -f "$top/config.status" ]; then
  bdir=$top
fi

# port_busy PORT tcp|udp: something listens on it already (ss from iproute2; without
# ss the servers' own errors say so)
port_busy() {
  command -v ss >/dev/null 2>&1 || return 1
  [ -n "$(ss -Hln --"$2" "sport = :$1" 2>/dev/null)" ]
}
busy_say() { say "port $1 is in use ($2); use $3 N to pick another"; exit 1; }

if [ "$build" = yes ]; then
  "$top/contrib/install-deps.sh" build
  for tool in dig:bind9-dnsutils redis-server:redis-server redis-cli:redis-tools; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
      say "installing ${tool#*:}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${tool#*:}" >&2
    fi
  done
  if ! dpkg-query -W -f='${Status}' dns-root-data 2>/dev/null | grep -q 'ok installed'; then
    say "installing dns-root-data (the root trust anchor)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dns-root-data >&2
  fi
  unbound_src=$("$top/contrib/build-unbound.sh" --prefix "$prefix" | tail -n 1)
  cd "$top"
  if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    mkdir -p m4
    autoreconf -fi >&2
  fi
  mkdir -p "$bdir"
  if [ ! -f "$bdir/Makefile" ] || [ configure -nt "$bdir/Makefile" ] ||
     ! grep -q -- "--with-unbound-src=$unbound_src" "$bdir/config.status" 2>/dev/null; then
    (cd "$bdir" && "$top/configure" --with-unbound-src="$unbound_src" --with-unbound-prefix="$prefix" >&2)
  fi
  say "building dnsrep"
  make -C "$bdir" -j"$(nproc 2>/dev/null || echo 2)" >&2
fi
[ -x "$prefix/sbin/unbound" ] || { say "no Unbound in $prefix (run without --no-build)"; exit 1; }
[ -f "$bdir/plugin/dnsrep.so" ] || { say "no plugin in $bdir/plugin (run without --no-build)"; exit 1; }

for proto in udp tcp; do
  port_busy "$port" "$proto" && busy_say "$port" "$proto" --port
done
port_busy "$control_port" tcp && busy_say "$control_port" "tcp, for unbound-control" --control-port
if [ "$use_redis" = yes ] && port_busy "$redis_port" tcp; then
  busy_say "$redis_port" "tcp, for redis-server" --redis-port
fi
port_busy "$metrics_port" tcp && busy_say "$metrics_port" "tcp, for the metrics endpoint" --metrics-port

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The root trust anchor: Unbound keeps it current (RFC 5011) in its own copy.
anchor=""
if [ -f /usr/share/dns/root.key ]; then
  [ -f "$dir/root.key" ] || cp /usr/share/dns/root.key "$dir/root.key"
  anchor="auto-trust-anchor-file: \"$dir/root.key\""
fi

redis_lines=""
if [ "$use_redis" = yes ]; then
  # a password of its own, readable only by this user
  [ -f "$dir/redis.pass" ] || (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > "$dir/redis.pass")
  redis_lines="  redis: 127.0.0.1:$redis_port
  redis-password: \"$(cat "$dir/redis.pass")\"
  redis-stream: yes"
fi
cat > "$dir/dnsrep.conf" <<EOF
# dnsrep.conf written by contrib/quickstart.sh; see the README's configuration reference.
dnsrep:
  resolver-id: "quickstart"
  log-file: "$dir/dnsrep-blocks.jsonl"
  snapshot-file: "$dir/dnsrep.snapshot"
  poll-interval: 5s
  metrics-listen: 127.0.0.1:$metrics_port
$redis_lines
feed:
  name: dprk-it-fronts
  source: "file://$top/contrib/feeds/dprk-it-fronts.csv"
  format: csv
EOF

{
  cat <<EOF
# unbound.conf written by contrib/quickstart.sh.
# It runs as the current user without a chroot, so that it can start from a build
# tree; a production resolver keeps Unbound's defaults (user unbound, chroot).
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  use-syslog: no
  logfile: ""
  log-time-ascii: yes
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  module-config: "dynlib validator iterator"
  $anchor
remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $control_port
  control-use-cert: no
dynlib:
  dynlib-file: "$bdir/plugin/dnsrep.so"
EOF
  if [ -n "$forward" ]; then
    printf 'forward-zone:\n  name: "."\n  forward-addr: %s\n' "$forward"
  fi
  if [ -n "$include" ]; then
    printf 'include: "%s"\n' "$include"
  fi
} > "$dir/unbound.conf"

"$prefix/sbin/unbound-checkconf" "$dir/unbound.conf" >&2
export DNSREP_CONF="$dir/dnsrep.conf"
redis_pid=""
if [ "$use_redis" = yes ]; then
  (umask 077; printf 'port %s\nbind 127.0.0.1\nrequirepass %s\ndir %s\nsave ""\nappendonly yes\nlogfile %s/redis.log\n' \
    "$redis_port" "$(cat "$dir/redis.pass")" "$dir" "$dir" > "$dir/redis.conf")
  redis-server "$dir/redis.conf" &
  redis_pid=$!
  i=0
  until redis-cli -p "$redis_port" -a "$(cat "$dir/redis.pass")" --no-auth-warning ping 2>/dev/null | grep -q PONG; do
    i=$((i + 1))
    if ! kill -0 "$redis_pid" 2>/dev/null; then
      say "redis-server exited: $(tail -n 1 "$dir/redis.log" 2>/dev/null)"; exit 1
    fi
    [ $i -lt 100 ] || { say "redis-server did not answer in 10 s (see $dir/redis.log)"; exit 1; }
    sleep 0.1
  done
  say "redis-server on 127.0.0.1 port $redis_port (password in $dir/redis.pass)"
  say "syncing the bundled feed into Redis:"
  "$bdir/dnsrepctl" sync --config "$dir/dnsrep.conf" || { say "dnsrepctl sync failed"; kill "$redis_pid"; exit 1; }
fi
"$prefix/sbin/unbound" -d -c "$dir/unbound.conf" &
pid=$!
trap 'kill "$pid" $redis_pid 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' INT TERM
i=0
until dig +time=1 +tries=1 -p "$port" @127.0.0.1 silverstarchina.com >/dev/null 2>&1; do
  i=$((i + 1))
  kill -0 "$pid" 2>/dev/null || { say "Unbound did not start (see above)"; exit 1; }
  [ $i -lt 100 ] || { say "Unbound does not answer on port $port"; kill "$pid"; exit 1; }
  sleep 0.2
done

say "Unbound with dnsrep on 127.0.0.1 port $port; config and logs in $dir"
say "a seized domain, blocked with NXDOMAIN and an Extended DNS Error:"
echo "\$ dig @127.0.0.1 -p $port silverstarchina.com"
dig +nocookie -p "$port" @127.0.0.1 silverstarchina.com
sleep 1.5  # the log writer appends within a second
say "the block log line it wrote ($dir/dnsrep-blocks.jsonl):"
tail -n 1 "$dir/dnsrep-blocks.jsonl"
echo
say "query it:  dig @127.0.0.1 -p $port debian.org"
say "review:    $bdir/dnsrepctl report $dir/dnsrep-blocks.jsonl"
say "metrics:   curl http://127.0.0.1:$metrics_port/metrics"
[ "$use_redis" = no ] || say "status:    $bdir/dnsrepctl status --config $dir/dnsrep.conf"
say "reload:    $prefix/sbin/unbound-control -c $dir/unbound.conf reload"
say "stop it:   Ctrl-C"
wait "$pid"
