#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# build-unbound.sh — build the distribution's own Unbound with --with-dynlibmodule.
#
# Debian's unbound package is built without the dynlib module, so it cannot load
# dnsrep.  This script takes the source of the very package the distribution ships
# (`apt-get source unbound`), configures it with the distribution's own options
# plus --with-dynlibmodule, builds it, installs it into a prefix, and keeps the
# configured source tree: dnsrep's `./configure --with-unbound-src=DIR` compiles
# the plugin against that tree, because the module structs' layout depends on it.
#
# Usage: contrib/build-unbound.sh [--prefix DIR] [--src DIR]
#   --prefix DIR  install here            (default: build/unbound)
#   --src DIR     fetch and build in here (default: build/unbound-src)
# Prints the configured tree's path as its last line.  Running it again with
# everything in place does nothing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
prefix="$top/build/unbound"
srcdir="$top/build/unbound-src"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --src) srcdir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-unbound: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
case "$srcdir" in /*) ;; *) srcdir="$PWD/$srcdir" ;; esac

say() { echo "build-unbound: $*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The version the distribution ships now; a newer one means a rebuild.
candidate() { apt-cache policy unbound 2>/dev/null | awk '/Candidate:/ {print $2}'; }
version=$(candidate)
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  say "apt-cache knows no 'unbound' package yet: running apt-get update"
  $SUDO apt-get update -q >&2
  version=$(candidate)
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    say "no 'unbound' package in the configured apt sources"; exit 1
  fi
fi
stamp="$prefix/.dnsrep-built-from"
tree="$srcdir/current"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -x "$prefix/sbin/unbound" ] \
   && [ -f "$tree/config.h" ] && grep -q '^#define WITH_DYNLIBMODULE 1' "$tree/config.h"; then
  say "Unbound $version with dynlib is already built in $prefix"
  echo "$tree"
  exit 0
fi

"$top/contrib/install-deps.sh" build

# apt-get source needs a deb-src entry; add one mirroring the deb entries when there is none.
"$top/contrib/apt-deb-src.sh"

mkdir -p "$srcdir"
cd "$srcdir"
upstream=${version#*:}; upstream=${upstream%%-*}
if [ ! -d "unbound-$upstream" ] || [ ! -f "unbound-$upstream/.dnsrep-source-$version" ]; then
  rm -rf "unbound-$upstream"
  say "fetching the source of unbound $version"
  apt-get source -q --only-source "unbound=$version" >&2
  touch "unbound-$upstream/.dnsrep-source-$version"
fi
ln -sfn "unbound-$upstream" current
cd "unbound-$upstream"

# The distribution's options (debian/rules of bookworm), plus --with-dynlibmodule.
# Left out: --with-pythonmodule and --with-pyunbound (the plugin needs neither and
# they pull in swig and the Python headers).  The compiler flags are the
# distribution's too (dpkg-buildflags: hardening, fortify).
CFLAGS="$(dpkg-buildflags --get CFLAGS)" CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
./configure --prefix="$prefix" \
  --disable-rpath --with-pidfile=/run/unbound.pid --with-libevent \
  --enable-tfo-client --enable-tfo-server --with-rootkey-file=/usr/share/dns/root.key \
  --enable-subnet --enable-dnstap --enable-systemd --with-libnghttp2 \
  --with-chroot-dir="" --with-dnstap-socket-path=/run/dnstap.sock \
  --with-dynlibmodule >&2
jobs=$(nproc 2>/dev/null || echo 2)
say "building with $jobs jobs"
make -j"$jobs" >&2
make install >&2
echo "$version" > "$stamp"
"$prefix/sbin/unbound" -V | grep -q dynlib || { say "built unbound does not list dynlib"; exit 1; }
say "Unbound $version with dynlib installed in $prefix"
echo "$srcdir/current"
