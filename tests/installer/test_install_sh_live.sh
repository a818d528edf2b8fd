#!/usr/bin/env bash
# install.sh and uninstall.sh on a running system, in the sandbox (lib.sh): the machine is untouched.
# With systemd (faked): the binary, configuration and unit land in /usr/bin and /etc, the unit is enabled and
# started, and install.sh waits for the join: exit 0 when the unit became ready, the agent's exit code when
# it failed, 3 when the wait ran out. Without systemd: a one-shot join whose exit code install.sh returns.
# uninstall.sh --purge leaves nothing behind.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin install_sh_live
need_sandbox
need_tool systemctl systemd

install_sh=$INSTALLER/install.sh
uninstall_sh=$INSTALLER/uninstall.sh
unit=swarm-bootstrap.service
# What the sandbox itself changes, not the installer; and deletions (purge removes state this machine's
# own agent runs may have left, e.g. /run/swarm-bootstrap.lock): only what is added can be left behind.
sandbox_noise='^run/(systemd|dbus)(/|$| )| \(deleted\)$'

export SANDBOX_SYSTEMD=1
run sandbox_run "$install_sh" --binary "$SB_BIN" --managers 10.0.0.5 --label zone=a
[[ $RC -eq 0 ]] || fail "install.sh failed (exit $RC): $OUT"
calls=$(systemctl_calls)
expected="daemon-reload
enable $unit
restart --no-block $unit
start $unit"
assert_eq "$calls" "$expected" "systemctl calls of install.sh"
changes=$(sandbox_changes "$sandbox_noise")
for f in usr/bin/swarm-bootstrap etc/swarm-bootstrap/config.json etc/systemd/system/$unit \
  etc/systemd/system/multi-user.target.wants/$unit; do
  assert_contains "$changes" "$f" "installed files"
done
assert_mode "$WORK/sandbox/usr/up/bin/swarm-bootstrap" 755
assert_mode "$WORK/sandbox/etc/up/swarm-bootstrap/config.json" 600
exec_start=$(grep '^ExecStart=' "$WORK/sandbox/etc/up/systemd/system/$unit")
assert_eq "$exec_start" "ExecStart=/usr/bin/swarm-bootstrap run --config /etc/swarm-bootstrap/config.json" \
  "ExecStart of the installed unit"
note "installed and started: $(tr '\n' ';' <<<"$calls")"

# The unit fails: install.sh returns the agent's exit code.
reset_systemctl_calls
FAKE_START_RC=1 FAKE_MAIN_STATUS=4 run sandbox_run "$install_sh" --binary "$SB_BIN" --managers 10.0.0.5
assert_eq "$RC" 4 "exit code when the agent failed with 4"
# The join takes longer than --wait-timeout: 3, and the service keeps trying.
FAKE_START_SLEEP=10 run sandbox_run "$install_sh" --binary "$SB_BIN" --managers 10.0.0.5 --wait-timeout 1
assert_eq "$RC" 3 "exit code when the wait ran out"
[[ $OUT == *"keeps trying"* ]] || fail "no word that the service keeps trying: $OUT"
# --wait-timeout 0: started, no waiting; --no-start: not even started.
reset_systemctl_calls
run sandbox_run "$install_sh" --binary "$SB_BIN" --wait-timeout 0
[[ $RC -eq 0 ]] || fail "install.sh --wait-timeout 0 failed (exit $RC): $OUT"
assert_not_contains "$(systemctl_calls)" "start $unit" "calls with --wait-timeout 0"
reset_systemctl_calls
run sandbox_run "$install_sh" --binary "$SB_BIN" --no-start
[[ $RC -eq 0 ]] || fail "install.sh --no-start failed (exit $RC): $OUT"
assert_eq "$(systemctl_calls)" $'daemon-reload\nenable swarm-bootstrap.service' "calls with --no-start"

reset_systemctl_calls
run sandbox_run "$uninstall_sh" --purge
[[ $RC -eq 0 ]] || fail "uninstall.sh --purge failed (exit $RC): $OUT"
assert_contains "$(systemctl_calls)" "stop $unit" "uninstall.sh"
assert_contains "$(systemctl_calls)" "disable $unit" "uninstall.sh"
left=$(sandbox_changes "$sandbox_noise")
[[ -z $left ]] || fail "uninstall.sh --purge left behind: $left"
note "uninstall.sh --purge: nothing left"

# No systemd (a container): a one-shot join; here no engine answers, so 5 after the 2 s deadline.
export SANDBOX_SYSTEMD=0
printf '{"managers": ["10.0.0.5"], "timeout": "2s", "docker_host": "unix://%s/no-engine.sock"}\n' "$WORK" \
  >"$WORK/config.json"
t0=$SECONDS
run sandbox_run "$install_sh" --binary "$SB_BIN" --config "$WORK/config.json"
assert_eq "$RC" 5 "exit code of the one-shot join without an engine"
((SECONDS - t0 < 30)) || fail "the one-shot join took $((SECONDS - t0)) s"
[[ $OUT == *"no systemd here"* ]] || fail "install.sh did not say it runs a one-shot join: $OUT"
changes=$(sandbox_changes "$sandbox_noise")
assert_contains "$changes" usr/bin/swarm-bootstrap "installed without systemd"
assert_not_contains "$changes" "etc/systemd/system/$unit" "unit without systemd"
note "without systemd: one-shot join, exit $RC"
run sandbox_run "$uninstall_sh" --purge
[[ $RC -eq 0 ]] || fail "uninstall.sh --purge without systemd failed (exit $RC): $OUT"
left=$(sandbox_changes "$sandbox_noise")
[[ -z $left ]] || fail "uninstall.sh --purge left behind: $left"
test_pass
