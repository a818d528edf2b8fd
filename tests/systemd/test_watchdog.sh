#!/usr/bin/env bash
# Watchdog: with WatchdogSec= enabled by a drop-in (the way the unit's comment says:
# /etc/systemd/system/swarm-bootstrap.service.d/watchdog.conf), an agent stopped with SIGSTOP stops sending
# WATCHDOG=1; systemd kills it and starts it again (NRestarts goes up), and the node is still a member
# afterwards (same node id, Ready, labelled).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_watchdog

watchdog=6
swarm_init 1
ct_boot 2
printf '[Service]\nWatchdogSec=%ss\n' "$watchdog" >"$CT_IN/watchdog.conf"
ct sh -c 'mkdir -p /etc/systemd/system/swarm-bootstrap.service.d &&
  cp /sb/in/watchdog.conf /etc/systemd/system/swarm-bootstrap.service.d/watchdog.conf'
printf '%s\n' '{"managers": ["'"$(lab_addr 1)"'"], "labels": {"zone": "wd"}, "interval": "2s"}' >"$CT_IN/config.json"
ct_install_sh --config /sb/in/config.json
assert_eq 0 "$INSTALL_RC" "install.sh exit code (log $INSTALL_LOG)"
assert_eq "${watchdog}s" "$(unit_prop WatchdogUSec)" "WatchdogUSec of the unit with the drop-in"
node_id=$(ct_node_id_on 1)
pid=$(unit_prop MainPID)
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts before"
# Fed while healthy: two watchdog periods with no restart.
sleep $((2 * watchdog))
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts after $((2 * watchdog)) s of a healthy agent"
assert_eq "$pid" "$(unit_prop MainPID)" "MainPID of a healthy agent"

t0=$(now_ms)
ct sh -c "kill -STOP $pid"
note "agent (pid $pid in the container) stopped with SIGSTOP"
wait_for $((watchdog + 40)) "systemd to restart the hung agent" '(( $(unit_prop NRestarts) >= 1 ))'
t1=$(now_ms)
wait_for 30 "the restarted agent to report ready" '[[ $(ct systemctl is-active swarm-bootstrap.service) == active ]]'
t2=$(now_ms)
new_pid=$(unit_prop MainPID)
assert_ne "$pid" "$new_pid" "MainPID after the restart"
ct journalctl -u swarm-bootstrap.service --no-pager -o cat | grep -i 'watchdog' | head -3
ct journalctl -u swarm-bootstrap.service --no-pager -o cat | grep -qi 'watchdog timeout' ||
  fail "no 'Watchdog timeout' line from systemd in the journal"
note "restarted by the watchdog $(elapsed_s "$t0" "$t1") s after SIGSTOP (WatchdogSec=${watchdog}s); ready again after $(elapsed_s "$t0" "$t2") s; NRestarts=$(unit_prop NRestarts), pid $pid -> $new_pid"
assert_eq "$node_id" "$(ct_node_id_on 1)" "node id on the manager after the restart"
ready_and_labelled 1 zone wd || fail "the node is not Ready and labelled after the restart"
assert_no_token_in_journal
test_pass
