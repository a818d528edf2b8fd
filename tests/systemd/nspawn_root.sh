#!/usr/bin/env bash
# nspawn_root.sh: prints the path of a cached minimal Debian root (tar | zstd) that boots with systemd under
# systemd-nspawn, building it with debootstrap when it is missing. The cache is keyed by the suite, the
# architecture and the package list, so a change to the list builds a new root; one per machine, shared by
# every checkout (flock keeps two builds apart).
#
#   bash nspawn_root.sh [PACKAGE...]   # -> /var/cache/swarm-bootstrap/nspawn-root-<key>.tar.zst
#
# PACKAGEs are added to the root's own list: setup.sh passes the .deb's dependencies, so that apt installs the
# package inside without a network.
#
# The mirror is the machine's own: the first `deb` URI of /etc/apt/sources.list.d/debian.sources (or of
# /etc/apt/sources.list). Environment: SB_NSPAWN_CACHE (default /var/cache/swarm-bootstrap), SB_NSPAWN_MIRROR.
set -euo pipefail

suite=bookworm
# systemd as PID 1 (systemd-sysv), its bus, and what the tests use inside: ps/pkill (procps), ip (iproute2),
# CA certificates; minbase has apt and dpkg. Then the arguments, sorted, so that their order does not matter.
packages=(systemd systemd-sysv dbus procps iproute2 ca-certificates)
if (($#)); then
  mapfile -t extra < <(printf '%s\n' "$@" | sort -u)
  packages+=("${extra[@]}")
fi

cache=${SB_NSPAWN_CACHE:-/var/cache/swarm-bootstrap}
arch=$(dpkg --print-architecture)
key=$(printf '%s\n' "$suite" "$arch" "${packages[@]}" | sha256sum | cut -c1-12)
tarball=$cache/nspawn-root-$key.tar.zst

mirror_from_config() {
  local f=/etc/apt/sources.list.d/debian.sources
  if [[ -f $f ]]; then
    # deb822: the URIs of the first stanza with Types: deb and the suite itself.
    awk -v suite="$suite" '
      /^$/ { if (deb && has_suite && uri != "") { print uri; exit } deb = 0; has_suite = 0; uri = "" }
      /^Types:/ { deb = ($0 ~ /(^|[ \t])deb([ \t]|$)/) }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) has_suite = 1 }
      /^URIs:/ { uri = $2 }
      END { if (deb && has_suite && uri != "") print uri }' "$f" | head -1
  elif [[ -f /etc/apt/sources.list ]]; then
    awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list
  fi
}

if [[ -f $tarball ]]; then
  echo "$tarball"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/nspawn-root.lock"
flock 9
if [[ -f $tarball ]]; then # built by another run while this one waited
  echo "$tarball"
  exit 0
fi

mirror=${SB_NSPAWN_MIRROR:-$(mirror_from_config)}
[[ -n $mirror ]] || { echo "nspawn_root.sh: no Debian mirror in /etc/apt/sources.list.d/debian.sources" >&2; exit 1; }
build=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$build"' EXIT
t0=$SECONDS
echo "nspawn_root.sh: debootstrap $suite ($arch) from $mirror into $build (once per machine)" >&2
include=$(IFS=,; echo "${packages[*]}")
if ! debootstrap --variant=minbase --include="$include" "$suite" "$build/root" "$mirror" >"$build/debootstrap.log" 2>&1; then
  tail -n 20 "$build/debootstrap.log" >&2
  echo "nspawn_root.sh: debootstrap failed (log above)" >&2
  exit 1
fi
# A container needs no getty; journald keeps the journal in memory (the tests read it while it runs).
root=$build/root
rm -f "$root"/etc/systemd/system/getty.target.wants/* 2>/dev/null || true
echo "sb-nspawn" >"$root/etc/hostname"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" --numeric-owner -cf - . | zstd -q -T2 -3 -o "$build/root.tar.zst"
mv "$build/root.tar.zst" "$tarball"
echo "nspawn_root.sh: built $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - t0)) s" >&2
echo "$tarball"
