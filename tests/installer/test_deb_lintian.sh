#!/usr/bin/env bash
# Debian's own checks on the .deb of test_deb_build.sh (fixture deb_package): lintian reports no error. Every
# tag it reports is printed (errors, warnings, info, pedantic, and the package's own overrides, each of which
# says in /usr/share/lintian/overrides/swarm-bootstrap why it stays); the test fails on any E: line.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin deb_lintian
need_tool lintian lintian
debs=("${SB_BUILD_DIR:-/nonexistent}"/installer-test/swarm-bootstrap_*.deb)
[[ -f ${debs[0]} ]] || fail "no package in ${SB_BUILD_DIR:-}/installer-test: did installer.deb_build pass?"
deb=${debs[0]}

# lintian exits non-zero for errors, and for warnings with --fail-on; the E: lines decide here.
run lintian --display-info --pedantic --show-overrides --tag-display-limit 0 --fail-on none "$deb"
[[ $RC -eq 0 ]] || fail "lintian itself failed (exit $RC): $OUT"
note "lintian $(lintian --version | awk '{ print $2 }') on $(basename "$deb"):"
if [[ -n $OUT ]]; then
  printf '%s\n' "$OUT" | sed 's/^/    /'
else
  note "    (no tags at all)"
fi
count() { grep -c "^$1: " <<<"$OUT" || true; }
note "errors $(count E), warnings $(count W), info $(count I), pedantic $(count P), overridden $(count O)"
errors=$(grep '^E: ' <<<"$OUT" || true)
[[ -z $errors ]] || fail "lintian reports errors:
$errors"
test_pass
