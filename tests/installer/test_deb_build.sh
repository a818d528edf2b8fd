#!/usr/bin/env bash
# The .deb: built by CPack from this build tree (cpack -G DEB --config <build>/CPackConfig.cmake), with the
# expected files, modes, control fields and maintainer scripts, the repository's unit, copyright and changelog,
# and the build's man page inside. The
# package is left in <build>/installer-test/ for test_deb_install.sh (fixture deb_package).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin deb_build
need_tool cpack cmake
need_tool dpkg-deb dpkg
need_tool dpkg-shlibdeps dpkg-dev
[[ -n ${SB_BUILD_DIR:-} && -f $SB_BUILD_DIR/CPackConfig.cmake ]] ||
  fail "SB_BUILD_DIR ('${SB_BUILD_DIR:-}') has no CPackConfig.cmake (is cmake/packaging.cmake included?)"

[[ -f $SB_BUILD_DIR/man/swarm-bootstrap.8.gz ]] ||
  fail "the build made no man page ($SB_BUILD_DIR/man/swarm-bootstrap.8.gz): install help2man, configure again and build"

out=$SB_BUILD_DIR/installer-test
rm -rf "$out"
mkdir -p "$out"
# CPack stages the install tree under -B; nothing is written into the build directory itself.
run cpack -G DEB --config "$SB_BUILD_DIR/CPackConfig.cmake" -B "$WORK/cpack"
[[ $RC -eq 0 ]] || fail "cpack failed (exit $RC): $OUT"
debs=("$WORK"/cpack/*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f ${debs[0]} ]]; then
  fail "cpack made no single .deb: ${debs[*]}"
fi
deb=$out/$(basename "${debs[0]}")
mv "${debs[0]}" "$deb"
note "built $(basename "$deb"): $(stat -c %s "$deb") bytes"

# Files (directories aside), with owner and mode.
listing=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 }')
expected='-rw-r--r-- root/root ./lib/systemd/system/swarm-bootstrap.service
-rwxr-xr-x root/root ./usr/bin/swarm-bootstrap
-rw-r--r-- root/root ./usr/share/doc/swarm-bootstrap/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/swarm-bootstrap/config.example.json
-rw-r--r-- root/root ./usr/share/doc/swarm-bootstrap/copyright
-rw-r--r-- root/root ./usr/share/lintian/overrides/swarm-bootstrap
-rw-r--r-- root/root ./usr/share/man/man8/swarm-bootstrap.8.gz'
assert_eq "$(sort -k3 <<<"$listing")" "$expected" "dpkg-deb -c"

assert_eq "$(dpkg-deb -f "$deb" Package)" swarm-bootstrap "Package"
# The project, not a person, and not a local address.
assert_eq "$(dpkg-deb -f "$deb" Maintainer)" "swarm-bootstrap maintainers <maintainers@swarm-bootstrap.org>" \
  "Maintainer"
assert_eq "$(dpkg-deb -f "$deb" Recommends)" docker.io "Recommends"
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libc6* && $depends == *libsystemd0* ]] || fail "Depends is not computed from the binary: $depends"
note "Depends: $depends"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >"$WORK/$script" || fail "no $script in the package"
  cmp -s "$WORK/$script" "$INSTALLER/debian/$script" || fail "$script differs from installer-linux/debian/$script"
done
dpkg-deb -I "$deb" | grep -E '^ +[0-9]+ bytes, +[0-9]+ lines +\* +postinst' >/dev/null ||
  fail "postinst is not executable in the package"

# The unit and the example inside are the repository's.
dpkg-deb -x "$deb" "$WORK/x"
cmp -s "$UNIT_FILE" "$WORK/x/lib/systemd/system/swarm-bootstrap.service" || fail "the packaged unit differs"
cmp -s "$INSTALLER/config.example.json" "$WORK/x/usr/share/doc/swarm-bootstrap/config.example.json" ||
  fail "the packaged example differs"
# Licence, changelog and manual page: the repository's and the build's, compressed as policy asks (gzip -9n: no
# name, no time stamp).
doc=$WORK/x/usr/share/doc/swarm-bootstrap
cmp -s "$INSTALLER/debian/copyright" "$doc/copyright" || fail "the packaged copyright differs"
grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$doc/copyright" ||
  fail "copyright is not machine-readable (DEP-5)"
grep -qx 'License: Apache-2.0' "$doc/copyright" || fail "copyright names no Apache-2.0 licence"
grep -qF '/usr/share/common-licenses/Apache-2.0' "$doc/copyright" || fail "copyright does not point at common-licenses"
cmp -s <(gzip -dc "$doc/changelog.gz") "$INSTALLER/debian/changelog" || fail "the packaged changelog differs"
changelog_version=$(sed -nE '1s/^swarm-bootstrap \(([^)]+)\).*/\1/p' "$INSTALLER/debian/changelog")
assert_eq "$changelog_version" "$(dpkg-deb -f "$deb" Version)" \
  "installer-linux/debian/changelog's latest version (add an entry for the new version)"
man=$WORK/x/usr/share/man/man8/swarm-bootstrap.8.gz
cmp -s <(gzip -dc "$man") "$SB_BUILD_DIR/man/swarm-bootstrap.8" || fail "the packaged man page is not the build's"
for gz in "$doc/changelog.gz" "$man"; do
  header=$(od -An -tx1 -N10 "$gz" | tr -d ' \n')
  # bytes 3 (flags: no FNAME), 4-7 (MTIME 0), 8 (XFL 2: best compression)
  [[ ${header:6:2} == 00 && ${header:8:8} == 00000000 && ${header:16:2} == 02 ]] ||
    fail "$(basename "$gz") is not compressed with gzip -9n (header $header)"
done
"$WORK/x/usr/bin/swarm-bootstrap" version >/dev/null || fail "the packaged binary does not run"
if command -v file >/dev/null; then
  file_type=$(file -b "$WORK/x/usr/bin/swarm-bootstrap")
  [[ $file_type != *"not stripped"* ]] || fail "the packaged binary is not stripped: $file_type"
fi
test_pass
