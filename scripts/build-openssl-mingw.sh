#!/usr/bin/env bash
# Builds OpenSSL for the Windows cross build (mingw-w64, static libraries) from Debian's own source package,
# and caches the result. Prints the install prefix (include/, lib/libssl.a, lib/libcrypto.a) as its last line.
#
# The source comes from `apt-get source` with a PRIVATE apt state (its own sources dir, lists and caches), so
# the machine's binary package lists are never touched: a plain `apt-get update` with only a deb-src source
# would empty them for everyone. The cache key is the source version + the Configure options + the mingw
# compiler package version + this recipe's revision: a change to any of them builds anew, anything else is
# a lookup (about 0.1 s).
#
# Usage: scripts/build-openssl-mingw.sh [--refresh]   (--refresh: update the private source lists first, to
#        pick up a newer Debian openssl source)
# Env:   SB_OPENSSL_MINGW_CACHE  cache root (default /var/cache/swarm-bootstrap/openssl-mingw when writable,
#                                else ${XDG_CACHE_HOME:-~/.cache}/swarm-bootstrap/openssl-mingw)
set -euo pipefail

refresh=0
if [[ ${1:-} == --refresh ]]; then
  refresh=1
elif [[ -n ${1:-} ]]; then
  echo "usage: $0 [--refresh]" >&2
  exit 2
fi

recipe_revision=1
triplet=x86_64-w64-mingw32
compiler_package=gcc-mingw-w64-x86-64-posix

if [[ -n ${SB_OPENSSL_MINGW_CACHE:-} ]]; then
  cache_root=$SB_OPENSSL_MINGW_CACHE
elif mkdir -p /var/cache/swarm-bootstrap 2>/dev/null && [[ -w /var/cache/swarm-bootstrap ]]; then
  cache_root=/var/cache/swarm-bootstrap/openssl-mingw
else
  cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/swarm-bootstrap/openssl-mingw
fi
mkdir -p "$cache_root"

log() { echo "build-openssl-mingw: $*" >&2; }

compiler_version=$(dpkg-query -W -f='${Version}' "$compiler_package" 2>/dev/null || true)
if [[ -z $compiler_version ]]; then
  log "$compiler_package is not installed; run scripts/install-deps.sh build windows"
  exit 2
fi

# The private apt state: deb-src for bookworm main, with the URI and key of the machine's own Debian source.
apt_dir=$cache_root/apt
system_sources=/etc/apt/sources.list.d/debian.sources
apt_opts=(-o "Dir::Etc::sourceparts=$apt_dir/sources.list.d" -o Dir::Etc::sourcelist=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
write_private_sources() {
  local uri signed_by
  uri=$(awk '/^URIs:/ {print $2; exit}' "$system_sources" 2>/dev/null || true)
  signed_by=$(awk '/^Signed-By:/ {print $2; exit}' "$system_sources" 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  signed_by=${signed_by:-/usr/share/keyrings/debian-archive-keyring.gpg}
  mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  cat >"$apt_dir/sources.list.d/openssl-src.sources" <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: $signed_by
EOF
}
source_version() {
  apt-cache "${apt_opts[@]}" showsrc openssl 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -1 || true
}

write_private_sources
version=""
if ((refresh == 0)); then
  version=$(source_version)
fi
if [[ -z $version ]]; then
  log "updating the private deb-src lists ($apt_dir)"
  if ! apt-get "${apt_opts[@]}" -qq update >&2; then
    log "apt-get update of the private deb-src lists failed; check the network and $system_sources"
    exit 1
  fi
  version=$(source_version)
  if [[ -z $version ]]; then
    log "no openssl source package in the private lists ($apt_dir/lists)"
    exit 1
  fi
fi

# What we do not use is left out: less to compile and a smaller exe. no-autoload-config, no-engine and
# no-module: the exe never looks for an openssl.cnf, engines or modules. Configure makes a non-Unix-absolute
# --openssldir relative to the prefix, so it gets a Unix path that names nothing; the only other use of it,
# the default CA paths, the Windows build replaces with the ROOT system store (tls_trust_windows.cpp).
configure_options=(mingw64 no-shared no-tests no-legacy no-engine no-comp no-dso no-module no-deprecated
  no-autoload-config no-ssl3 no-dtls no-srp no-psk no-ct no-ocsp no-cms no-ts no-cmp no-gost no-sm2 no-sm3
  no-sm4 no-aria no-bf no-camellia no-cast no-des no-idea no-md4 no-mdc2 no-rc2 no-rc4 no-rc5 no-seed
  no-whirlpool no-siphash no-scrypt no-srtp no-sctp no-ec2m
  --openssldir=/swarm-bootstrap-has-no-openssldir
  "--cross-compile-prefix=$triplet-" CC=gcc-posix --libdir=lib)

key=$(printf '%s\n' "openssl=$version" "compiler=$compiler_package=$compiler_version" \
  "recipe=$recipe_revision" "${configure_options[@]}" | sha256sum | cut -c1-16)
prefix=$cache_root/$version-$key
if [[ -f $prefix/.complete ]]; then
  log "cached: openssl $version ($prefix)"
  echo "$prefix"
  exit 0
fi

started=$SECONDS
log "building openssl $version for $triplet (key $key); about 2 minutes on 2 cores"
work=$(mktemp -d "$cache_root/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  apt-get "${apt_opts[@]}" -qq source --download-only "openssl=$version" >&2
  dpkg-source -x --no-check openssl_*.dsc src >/dev/null
  cd src
  # Installed through DESTDIR, so that the paths compiled into the library name the cache, not $work.
  ./Configure "${configure_options[@]}" "--prefix=$prefix" >configure.log 2>&1 ||
    {
      tail -20 configure.log >&2
      exit 1
    }
  make -j2 build_libs >build.log 2>&1 || {
    tail -40 build.log >&2
    exit 1
  }
  make install_dev DESTDIR="$work/dest" >install.log 2>&1 || {
    tail -20 install.log >&2
    exit 1
  }
) || {
  log "building openssl $version failed (see above)"
  exit 1
}
rm -rf "$prefix"
mv "$work/dest$prefix" "$prefix"
printf '%s\n' "openssl $version" "$compiler_package $compiler_version" "recipe $recipe_revision" \
  "Configure ${configure_options[*]}" >"$prefix/BUILD-INFO"
touch "$prefix/.complete"
log "built openssl $version in $((SECONDS - started))s ($prefix, $(du -sh "$prefix" | cut -f1))"
echo "$prefix"
