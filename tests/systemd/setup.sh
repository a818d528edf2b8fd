#!/usr/bin/env bash
# CTest fixture "nspawn": the .deb of this build tree (cpack -G DEB, into <build>/systemd-test/deb), which the
# tests install inside the container, and the container root with the package's dependencies (nspawn_root.sh:
# cached per machine and dependency list, debootstrap on the first run). Exits 77 (skip) where the machine cannot do it, with the reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "the systemd tests need root (systemd-nspawn, network namespaces)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn not found (apt-get install systemd-container)"
command -v zstd >/dev/null || skip "zstd not found (apt-get install zstd)"
command -v cpack >/dev/null || skip "cpack not found (apt-get install cmake)"
[[ -n ${SB_BUILD_DIR:-} && -f $SB_BUILD_DIR/CPackConfig.cmake ]] || { echo "FAIL: SB_BUILD_DIR has no CPackConfig.cmake" >&2; exit 1; }

t0=$SECONDS
out=$SB_BUILD_DIR/systemd-test
rm -rf "$out"
mkdir -p "$out/deb"
cpack -G DEB --config "$SB_BUILD_DIR/CPackConfig.cmake" -B "$out/cpack" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log" >&2; echo "FAIL: cpack failed" >&2; exit 1; }
mv "$out"/cpack/*.deb "$out/deb/"
rm -rf "$out/cpack"
echo "package: $(ls "$out"/deb/*.deb), $((SECONDS - t0)) s"

# The package's dependencies go into the root: the container has no network to fetch them.
deb=$(ls "$out"/deb/*.deb)
# debootstrap takes real packages only: a virtual one (libspdlog1.10-fmt9) becomes the package of this machine
# that provides it (the .deb was built against this machine's libraries, so they are all installed here).
installed=$(dpkg-query -W -f='${Package}\t${Provides}\n')
real_package() {
  awk -F'\t' -v want="$1" '
    $1 == want { print $1; found = 1; exit }
    { n = split($2, p, /, */); for (i = 1; i <= n; i++) { sub(/ .*/, "", p[i]); if (p[i] == want && !prov) prov = $1 } }
    END { if (!found && prov) print prov }' <<<"$installed"
}
depends=()
for d in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/[[:space:]]//g'); do
  p=$(real_package "$d")
  [[ -n $p ]] || { echo "FAIL: the package's dependency $d is not installed here (nor provided)" >&2; exit 1; }
  depends+=("$p")
done
t1=$SECONDS
if ! tarball=$(bash "$here/nspawn_root.sh" "${depends[@]}" 2>&1 | tee /dev/stderr | tail -1) || [[ ! -f $tarball ]]; then
  if ! command -v debootstrap >/dev/null; then
    skip "no cached container root and no debootstrap to build one (apt-get install debootstrap)"
  fi
  echo "FAIL: could not build the container root (output above)" >&2
  exit 1
fi
echo "container root: $tarball ($(du -h "$tarball" | cut -f1)), $((SECONDS - t1)) s; with the package's dependencies: ${depends[*]}"
echo "$tarball" >"$out/root-tarball"
