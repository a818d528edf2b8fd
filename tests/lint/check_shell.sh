#!/usr/bin/env bash
# The project's own shell scripts (set-up, lab, integration and Windows tests) pass shellcheck; the installer's
# scripts have their own test (installer.shellcheck). Exit 77, a skip, without shellcheck.
# Usage: check_shell.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v shellcheck >/dev/null || { echo "SKIP: shellcheck is not installed"; exit 77; }
files=(.ci/run scripts/*.sh tests/integration/*.sh tests/faults/*.sh tests/systemd/*.sh tests/windows/*.sh tests/lint/*.sh bench/*.sh)
# Each directory's .shellcheckrc applies to the scripts in it (shellcheck looks next to each file).
shellcheck "${files[@]}"
echo "ok - ${#files[@]} scripts clean ($(shellcheck --version | sed -n 's/^version: //p'))"
