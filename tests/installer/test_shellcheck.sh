#!/usr/bin/env bash
# installer-linux's scripts (bash, and the POSIX sh maintainer scripts) and these tests pass shellcheck.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin shellcheck
need_tool shellcheck

run shellcheck "$INSTALLER/install.sh" "$INSTALLER/uninstall.sh" "$INSTALLER/man/help-for-man.sh"
[[ $RC -eq 0 ]] || fail "shellcheck installer-linux/*.sh:
$OUT"
run shellcheck -s sh "$INSTALLER/debian/postinst" "$INSTALLER/debian/prerm" "$INSTALLER/debian/postrm"
[[ $RC -eq 0 ]] || fail "shellcheck installer-linux/debian/*:
$OUT"
run bash -c "cd '$SB_INST_DIR' && shellcheck -x lib.sh fake-systemctl test_*.sh"
[[ $RC -eq 0 ]] || fail "shellcheck tests/installer:
$OUT"
note "$(shellcheck --version | sed -n 's/^version: //p'): clean"
test_pass
