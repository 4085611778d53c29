#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# apt-deb-src.sh — make `apt-get source unbound` work: when apt has no deb-src entry,
# mirror the configured deb entries as deb-src ones and run `apt-get update`.
# Used by contrib/build-unbound.sh and contrib/debian/build-packages.sh.  Needs root or sudo.
set -eu
say() { echo "apt-deb-src: $*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
apt-get source --print-uris unbound >/dev/null 2>&1 && exit 0
say "no deb-src entry: adding one beside the deb entries"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed -n '/^Types:/,$p' /etc/apt/sources.list.d/debian.sources \
    | sed 's/^Types:.*/Types: deb-src/' \
    | $SUDO tee /etc/apt/sources.list.d/dnsrep-deb-src.sources >/dev/null
elif [ -f /etc/apt/sources.list ]; then
  grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
    | $SUDO tee /etc/apt/sources.list.d/dnsrep-deb-src.list >/dev/null
else
  say "cannot find the apt sources to mirror as deb-src"; exit 1
fi
$SUDO apt-get update -q >&2
