#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# build-packages.sh — Debian packages of this system's Unbound with dynlib and of dnsrep,
# into build/debs/:
#
#   unbound, unbound-anchor, unbound-host, libunbound8   the distribution's own source
#       package (`apt-get source unbound`: its patches, debian/rules, unit, AppArmor
#       profile), rebuilt with --with-dynlibmodule, the profile allowing the plugin, and
#       the local version VERSION+dnsrep1;
#   dnsrep   the plugin, dnsrepctl, man pages, /etc/unbound/dnsrep.conf, the module's
#       unbound.conf.d snippet, the sync timer, logrotate, depending on exactly that
#       Unbound build.
#
# Usage: contrib/debian/build-packages.sh [--unbound-only|--dnsrep-only] [--no-lintian]
# Then: apt install ./build/debs/*.deb && systemctl restart unbound
# Needs root or sudo (build dependencies); 10-15 minutes on 2 cores, most of it
# Unbound's two builds (the daemon, and libunbound with nettle), its tests skipped.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/debs"
work="$top/build/debs-work"
do_unbound=1 do_dnsrep=1 do_lintian=1
while [ $# -gt 0 ]; do
  case "$1" in
    --unbound-only) do_dnsrep=0; shift ;;
    --dnsrep-only) do_unbound=0; shift ;;
    --no-lintian) do_lintian=0; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-packages: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
say() { echo "build-packages: $*" >&2; }
# the distribution's tools only: a python3 or compiler earlier in PATH (pyenv, /usr/local)
# would be built into the packages
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
jobs=$(nproc 2>/dev/null || echo 2)
# who the changelog entries name: the builder's DEBFULLNAME/DEBEMAIL, else a placeholder
maint="${DEBFULLNAME:-dnsrep local build} <${DEBEMAIL:-dnsrep@local-build.example.org}>"

"$top/contrib/install-deps.sh" package
"$top/contrib/apt-deb-src.sh"

version=$(apt-cache policy unbound 2>/dev/null | awk '/Candidate:/ {print $2}')
[ -n "$version" ] && [ "$version" != "(none)" ] || { say "no 'unbound' package in the apt sources"; exit 1; }
case "$version" in
  *+dnsrep*) say "apt's candidate is already a dnsrep build ($version); the distribution's is needed"
             version=$(apt-cache madison unbound | awk '$3 !~ /dnsrep/ {print $3; exit}') ;;
esac
local_version="$version+dnsrep1"
upstream=${version#*:}; upstream=${upstream%%-*}
mkdir -p "$out" "$work"

# ---- Unbound ------------------------------------------------------------------------
src="$work/unbound-$upstream"
if [ "$do_unbound" = 1 ]; then
  if [ ! -f "$src/.dnsrep-source-$version" ]; then
    rm -rf "$src"
    say "fetching the source of unbound $version"
    (cd "$work" && apt-get source -q --only-source "unbound=$version" >&2)
    touch "$src/.dnsrep-source-$version"
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get build-dep -y -q "unbound=$version" >&2
  cd "$src"
  # --with-dynlibmodule for the daemon's build (the first configure of debian/rules)
  grep -q -- '--with-dynlibmodule' debian/rules ||
    sed -i 's/^\(\t\t--with-pythonmodule \\\)$/\1\n\t\t--with-dynlibmodule \\/' debian/rules
  grep -q -- '--with-dynlibmodule' debian/rules || { say "debian/rules: cannot add --with-dynlibmodule"; exit 1; }
  # the AppArmor profile lets Unbound load the plugin and write dnsrep's files
  if ! grep -q dnsrep debian/apparmor-profile; then
    sed -i 's|^\(  #include <local/usr.sbin.unbound>\)$|  # dnsrep: the dynlib plugin, its feeds and public suffix list, its block log\n  /usr/lib/@{multiarch}/dnsrep/*.so mr,\n  /usr/share/dnsrep/** r,\n  /usr/share/publicsuffix/** r,\n  /var/log/unbound/ r,\n  owner /var/log/unbound/** rw,\n\n\1|' debian/apparmor-profile
    grep -q dnsrep debian/apparmor-profile || { say "debian/apparmor-profile: cannot add the plugin's rules"; exit 1; }
  fi
  # this build's changelog entry on top (replacing one from an earlier run)
  if head -1 debian/changelog | grep -q "($local_version)"; then
    sed -i '1,/^ -- /d' debian/changelog
    sed -i '1{/^$/d}' debian/changelog
  fi
  { printf 'unbound (%s) UNRELEASED; urgency=medium\n\n' "$local_version"
    printf '  * Local rebuild for dnsrep: --with-dynlibmodule, AppArmor rules for\n'
    printf '    the plugin.\n\n'
    printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
    cat debian/changelog; } > debian/changelog.new
  mv debian/changelog.new debian/changelog
  say "building unbound $local_version (DEB_BUILD_OPTIONS=nocheck: Unbound's own tests are the distribution's)"
  DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b -j"$jobs" >&2
  for p in unbound unbound-anchor unbound-host libunbound8; do
    rm -f "$out/${p}_"*.deb   # an earlier version's would make apt install ./build/debs/*.deb conflict
    cp "$work/${p}_${local_version}_"*.deb "$out/"
  done
fi

# ---- dnsrep -------------------------------------------------------------------------
if [ "$do_dnsrep" = 1 ]; then
  [ -f "$src/b/unbound/config.h" ] && grep -q '^#define WITH_DYNLIBMODULE 1' "$src/b/unbound/config.h" ||
    { say "no Unbound build with dynlib in $src/b/unbound: run without --dnsrep-only first"; exit 1; }
  ver=$(sed -n 's/^AC_INIT(\[dnsrep\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
  tree="$work/dnsrep-$ver"
  rm -rf "$tree"
  mkdir -p "$tree"
  # the clone as it is (tracked files and new ones not ignored), without its build tree
  (cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar cf -) | (cd "$tree" && tar xf -)
  cp -r "$top/contrib/debian/dnsrep" "$tree/debian"
  sed -i "s/@UNBOUND_VERSION@/$local_version/g; s/@MAINTAINER@/$maint/" "$tree/debian/control"
  { printf 'dnsrep (%s) UNRELEASED; urgency=medium\n\n' "$ver"
    printf '  * Built by contrib/debian/build-packages.sh against\n'
    printf '    unbound %s.\n\n' "$local_version"
    printf ' -- %s  %s\n' "$maint" "$(date -R)"; } > "$tree/debian/changelog"
  cd "$tree"
  say "building dnsrep $ver against unbound $local_version"
  DNSREP_UNBOUND_SRC="$src" DNSREP_UNBOUND_BUILD="$src/b/unbound" \
    DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b -j"$jobs" >&2
  rm -f "$out/dnsrep_"*.deb
  cp "$work/dnsrep_${ver}_"*.deb "$out/"
fi

if [ "$do_lintian" = 1 ]; then
  say "lintian (errors fail the build)"
  # the tags of contrib/debian/lintian-suppress are Debian's own unbound packaging's (see there)
  lintian --fail-on error --suppress-tags-from-file "$top/contrib/debian/lintian-suppress" "$out"/*.deb >&2
fi
ls "$out"/*.deb
