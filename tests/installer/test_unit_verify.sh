#!/usr/bin/env bash
# systemd-analyze verify accepts installer-linux/swarm-bootstrap.service. Offline: PID 1 need not be systemd,
# but verify checks that ExecStart names an executable, so the copy under test runs the built binary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin unit_verify
need_tool systemd-analyze systemd

mkdir -p "$WORK/unit"
unit_with_paths "$SB_BIN" /etc/swarm-bootstrap/config.json >"$WORK/unit/swarm-bootstrap.service"
grep -qx "ExecStart=$SB_BIN run --config /etc/swarm-bootstrap/config.json" "$WORK/unit/swarm-bootstrap.service" ||
  fail "the unit has no ExecStart=/usr/bin/swarm-bootstrap run --config /etc/swarm-bootstrap/config.json line"

run systemd-analyze verify --man=no --generators=no "$WORK/unit/swarm-bootstrap.service"
[[ $RC -eq 0 && -z $OUT ]] || fail "systemd-analyze verify (exit $RC) says:
$OUT"
note "systemd-analyze verify: no complaints"

# The settings the agent relies on are there.
for line in Type=notify Restart=on-failure RestartSec=5s StateDirectory=swarm-bootstrap \
  "After=docker.service network-online.target" "Wants=docker.service network-online.target" \
  ProtectSystem=strict ReadWritePaths=-/run/swarm-bootstrap.lock WantedBy=multi-user.target; do
  grep -qxF "$line" "$UNIT_FILE" || fail "$UNIT_FILE has no line '$line'"
done
! grep -q '^WatchdogSec=' "$UNIT_FILE" || fail "WatchdogSec must not be set by default"

# Exposure score of the hardening, for the record (lower is better; 'OK' is below 5).
if score=$(systemd-analyze security --offline=yes "$WORK/unit/swarm-bootstrap.service" 2>/dev/null | tail -1); then
  note "${score}"
fi
test_pass
