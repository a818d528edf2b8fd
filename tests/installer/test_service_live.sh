#!/usr/bin/env bash
# `service install` / `service uninstall` on a running system call systemctl in the right order, with an
# argument vector: daemon-reload, enable, restart --no-block (none with --no-start); stop, disable,
# daemon-reload. Without systemd, or without systemctl, they fail with exit 2 and say what to do.
# Runs in the sandbox (lib.sh) with a fake systemctl: the machine's systemd is never touched.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin service_live
need_sandbox
need_tool systemctl systemd

unit=swarm-bootstrap.service

export SANDBOX_SYSTEMD=1
sandbox_run "$SB_BIN" service install --manager 10.0.0.5 || fail "service install failed"
calls=$(systemctl_calls)
expected=$'daemon-reload\nenable swarm-bootstrap.service\nrestart --no-block swarm-bootstrap.service'
assert_eq "$calls" "$expected" "systemctl calls of service install"
[[ -f $WORK/sandbox/etc/up/systemd/system/$unit ]] || fail "no /etc/systemd/system/$unit written"
assert_mode "$WORK/sandbox/etc/up/swarm-bootstrap/config.json" 600
exec_start=$(grep '^ExecStart=' "$WORK/sandbox/etc/up/systemd/system/$unit")
assert_eq "$exec_start" "ExecStart=$SB_BIN run --config /etc/swarm-bootstrap/config.json" "ExecStart"
note "service install: $(tr '\n' ';' <<<"$calls")"

# `service status` reads the unit back through `systemctl show` (faked from the sandbox's unit file).
run sandbox_run "$SB_BIN" service status --json
assert_eq "$RC" 8 "service status of an installed unit that is not running"
[[ $OUT == *'"installed": true'* && $OUT == *'"start_type": "enabled"'* &&
  $OUT == *"\"command\": \"$SB_BIN run --config /etc/swarm-bootstrap/config.json\""* &&
  $OUT == *'"restart": "on-failure"'* && $OUT == *'"manager": "systemd"'* ]] ||
  fail "service status --json does not show the installed unit: $OUT"
note "service status: $(tr -d '\n ' <<<"$OUT" | cut -c1-160)..."

reset_systemctl_calls
sandbox_run "$SB_BIN" service install --no-start || fail "service install --no-start failed"
assert_eq "$(systemctl_calls)" $'daemon-reload\nenable swarm-bootstrap.service' "calls with --no-start"

reset_systemctl_calls
sandbox_run "$SB_BIN" service install --dry-run || fail "service install --dry-run failed"
assert_eq "$(systemctl_calls)" "" "systemctl calls of --dry-run"

reset_systemctl_calls
sandbox_run "$SB_BIN" service uninstall || fail "service uninstall failed"
calls=$(systemctl_calls)
expected=$'stop swarm-bootstrap.service\ndisable swarm-bootstrap.service\ndaemon-reload\nreset-failed swarm-bootstrap.service'
assert_eq "$calls" "$expected" "systemctl calls of service uninstall"
note "service uninstall: $(tr '\n' ';' <<<"$calls")"
changes=$(sandbox_changes "^$")
assert_not_contains "$changes" "etc/systemd/system/$unit" "the unit after uninstall"
assert_not_contains "$changes" "etc/systemd/system/multi-user.target.wants/$unit" "the link after uninstall"
run sandbox_run "$SB_BIN" service status
assert_eq "$RC" 8 "service status after uninstall"
[[ $OUT == *"not installed"* ]] || fail "service status after uninstall: $OUT"

# systemd running, but no systemctl in PATH.
run sandbox_run env PATH=/nonexistent "$SB_BIN" service install --no-start
assert_eq "$RC" 2 "exit code without systemctl"
[[ $OUT == *"systemctl was not found"* ]] || fail "no clear message without systemctl: $OUT"

# No systemd at all (PID 1 is something else, e.g. a container).
export SANDBOX_SYSTEMD=0
run sandbox_run "$SB_BIN" service install
assert_eq "$RC" 2 "exit code without systemd"
[[ $OUT == *"systemd is not running"* ]] || fail "no clear message without systemd: $OUT"
note "without systemd: $(tail -1 <<<"$OUT")"
run sandbox_run "$SB_BIN" service status
assert_eq "$RC" 2 "service status without systemd"
[[ $OUT == *"systemd is not running"* ]] || fail "service status without systemd: $OUT"
test_pass
