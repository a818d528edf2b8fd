#!/usr/bin/env bash
# Fetches Debian 13 (trixie)'s docker.io (dockerd 26.1) and its containerd with `apt-get download`, unpacks
# them into a cache keyed by their versions, and prints the cache directory as its last line
# (DIR/usr/sbin/dockerd, DIR/usr/bin/containerd, DIR/usr/bin/docker). The integration lab runs that dockerd
# next to Debian 12's 20.10 (tests/integration/lab.sh: SB_LAB_DOCKERD_<I>).
#
# Both run on Debian 12: dockerd and containerd need glibc >= 2.34 (bookworm has 2.36). trixie's runc needs
# glibc 2.38, so the engine uses bookworm's runc (docker.io's dependency, installed with the lab group); tini
# is only for `docker run --init`, which the lab does not use.
#
# The package lists come from a PRIVATE apt state (its own sources list, lists, caches; status /dev/null) that
# names the trixie suite of the machine's own Debian mirror, signed with the trixie key of
# debian-archive-keyring: the machine's sources and lists are never touched. Without --refresh, an unpacked
# cache makes this a lookup without network (a few ms); a missing one is fetched and unpacked (about 40 s).
#
# Usage: scripts/fetch-docker-trixie.sh [--refresh|--offline]
#        --refresh  update the private lists (a newer trixie docker.io gets its own cache directory)
#        --offline  never use the network: print the newest unpacked cache, or fail (exit 1)
# Env:   SB_DOCKER_TRIXIE_CACHE  cache root (default /var/cache/swarm-bootstrap/docker-trixie when writable,
#                                else ${XDG_CACHE_HOME:-~/.cache}/swarm-bootstrap/docker-trixie)
set -euo pipefail

mode=${1:-}
case $mode in
  "" | --refresh | --offline) ;;
  *)
    echo "usage: $0 [--refresh|--offline]" >&2
    exit 2
    ;;
esac

recipe_revision=1
packages=(docker.io containerd)

if [[ -n ${SB_DOCKER_TRIXIE_CACHE:-} ]]; then
  cache_root=$SB_DOCKER_TRIXIE_CACHE
elif mkdir -p /var/cache/swarm-bootstrap 2>/dev/null && [[ -w /var/cache/swarm-bootstrap ]]; then
  cache_root=/var/cache/swarm-bootstrap/docker-trixie
else
  cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/swarm-bootstrap/docker-trixie
fi
mkdir -p "$cache_root"

log() { echo "fetch-docker-trixie: $*" >&2; }

# The newest complete unpacked cache, or nothing.
newest_cache() {
  local d
  for d in "$cache_root"/r"$recipe_revision"-*/; do
    [[ -f $d/complete ]] && echo "${d%/}"
  done | sort -V | tail -1
}

if [[ $mode != --refresh ]]; then
  dir=$(newest_cache)
  if [[ -n $dir ]]; then
    echo "$dir"
    exit 0
  fi
  if [[ $mode == --offline ]]; then
    log "no unpacked docker.io of trixie in $cache_root; run $0 (needs the network)"
    exit 1
  fi
fi

apt_dir=$cache_root/apt
system_sources=/etc/apt/sources.list.d/debian.sources
keyring=/usr/share/keyrings/debian-archive-trixie-stable.gpg
[[ -f $keyring ]] || { log "$keyring missing; apt-get install debian-archive-keyring"; exit 2; }
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State=$apt_dir/state" -o Dir::State::status=/dev/null -o "Dir::Cache=$apt_dir/cache"
  -o Dir::Etc::preferencesparts=/dev/null -o APT::Sandbox::User=root)

uri=$(awk '/^URIs:/ {print $2; exit}' "$system_sources" 2>/dev/null || true)
if [[ -z $uri ]]; then
  uri=$(awk '$1 == "deb" && $0 ~ /debian/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
    /etc/apt/sources.list 2>/dev/null || true)
fi
uri=${uri:-http://deb.debian.org/debian}
mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb [signed-by=$keyring] $uri trixie main" >"$apt_dir/sources.list"

candidate() { # PACKAGE -> its version in the private lists, or nothing
  apt-cache "${apt_opts[@]}" show "$1" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -1 || true
}

versions() {
  local p v out=""
  for p in "${packages[@]}"; do
    v=$(candidate "$p")
    [[ -n $v ]] || return 0
    out+="${out:+_}$p-$v"
  done
  echo "$out"
}

key=""
[[ $mode == --refresh || ! -d $apt_dir/state/lists ]] || key=$(versions)
if [[ -z $key ]]; then
  log "updating the private trixie lists ($apt_dir) from $uri"
  apt-get "${apt_opts[@]}" -qq update >&2 || { log "apt-get update of the private trixie lists failed"; exit 1; }
  key=$(versions)
  [[ -n $key ]] || { log "trixie lists name no ${packages[*]}"; exit 1; }
fi
# Versions may carry '~' and '+': keep the key a plain file name.
dir=$cache_root/r$recipe_revision-${key//[^A-Za-z0-9._-]/_}
if [[ -f $dir/complete ]]; then
  echo "$dir"
  exit 0
fi

log "downloading ${packages[*]} of trixie into $dir"
work=$(mktemp -d "$cache_root/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}" >&2) ||
  { log "apt-get download failed"; exit 1; }
mkdir -p "$work/root"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
"$work/root/usr/sbin/dockerd" --version >&2 || { log "the unpacked dockerd does not run on this machine"; exit 1; }
rm -rf "$dir"
mv "$work/root" "$dir"
touch "$dir/complete"
echo "$dir"
