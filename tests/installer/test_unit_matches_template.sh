#!/usr/bin/env bash
# The unit `swarm-bootstrap service install` writes is installer-linux/swarm-bootstrap.service, but for
# the paths in ExecStart and the dependencies: one text, kept in two places, must not drift apart.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin unit_matches_template

root=$WORK/root
mkdir -p "$root/usr/bin"
cp "$SB_BIN" "$root/usr/bin/swarm-bootstrap"

# The agent installed in the root, the default configuration: the very same file.
run "$root/usr/bin/swarm-bootstrap" service install --root "$root"
[[ $RC -eq 0 ]] || fail "service install --root failed (exit $RC): $OUT"
diff -u "$UNIT_FILE" "$root/etc/systemd/system/swarm-bootstrap.service" ||
  fail "the generated unit differs from $UNIT_FILE (agent/service/systemd_unit.cpp has the template)"
note "generated unit == installer-linux/swarm-bootstrap.service"

# Another program path: only ExecStart differs.
root2=$WORK/root2
mkdir -p "$root2"
run "$SB_BIN" service install --root "$root2"
[[ $RC -eq 0 ]] || fail "service install --root failed (exit $RC): $OUT"
diff -u <(unit_with_paths "$SB_BIN" /etc/swarm-bootstrap/config.json) \
  "$root2/etc/systemd/system/swarm-bootstrap.service" || fail "only ExecStart may differ"

# Dependencies become After=/Wants=; none leaves network-online.target.
run "$SB_BIN" service install --root "$root2" --depends-on containerd --depends-on docker.socket
[[ $RC -eq 0 ]] || fail "service install --depends-on failed (exit $RC): $OUT"
unit=$(cat "$root2/etc/systemd/system/swarm-bootstrap.service")
assert_contains "$unit" "After=containerd.service docker.socket network-online.target" "--depends-on"
assert_contains "$unit" "Wants=containerd.service docker.socket network-online.target" "--depends-on"
run "$SB_BIN" service install --root "$root2" --no-depends
unit=$(cat "$root2/etc/systemd/system/swarm-bootstrap.service")
assert_contains "$unit" "After=network-online.target" "--no-depends"

# A path with a space and a % is quoted and escaped for systemd, and systemd reads it back.
odd="$WORK/odd dir"
mkdir -p "$odd"
cp "$SB_BIN" "$odd/sb%1"
root3=$WORK/root3
mkdir -p "$root3"
run "$odd/sb%1" service install --root "$root3"
[[ $RC -eq 0 ]] || fail "service install from an odd path failed (exit $RC): $OUT"
assert_contains "$(cat "$root3/etc/systemd/system/swarm-bootstrap.service")" \
  "ExecStart=\"$odd/sb%%1\" run --config /etc/swarm-bootstrap/config.json" "quoted ExecStart"
if command -v systemd-analyze >/dev/null; then
  run systemd-analyze verify --man=no --generators=no "$root3/etc/systemd/system/swarm-bootstrap.service"
  [[ $RC -eq 0 && -z $OUT ]] || fail "systemd-analyze verify of the quoted ExecStart (exit $RC): $OUT"
fi
test_pass
