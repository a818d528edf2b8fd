#!/usr/bin/env bash
# Stop and reboot: `systemctl stop` takes under 1 s. Then the container powers off and boots again from the
# same root (a persistent directory, as a VM's disk): the agent starts at boot, finds the node a member,
# changes nothing (the node's Version.Index on the manager is unchanged) and reports ready.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_stop_reboot

swarm_init 1
ct_boot 2 disk
ct_install_sh --managers "$(lab_addr 1)" --label zone=boot
assert_eq 0 "$INSTALL_RC" "install.sh exit code (log $INSTALL_LOG)"
node_id=$(ct_node_id_on 1)
assert_nonempty "$node_id" "node id on the manager"

t0=$(now_ms)
ct systemctl stop swarm-bootstrap.service
t1=$(now_ms)
stop_s=$(elapsed_s "$t0" "$t1")
assert_eq inactive "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active after stop"
assert_le 1.0 "$stop_s" "seconds systemctl stop took"
note "systemctl stop took $stop_s s (result $(unit_prop Result), exit status $(unit_prop ExecMainStatus))"
assert_eq 0 "$(unit_prop ExecMainStatus)" "exit status after a stop"

ct systemctl start swarm-bootstrap.service
version=$(node_inspect 1 "$node_id" '{{.Version.Index}}')
note "started again; node $node_id Version.Index $version on the manager; powering off"
ct_shutdown

t2=$(now_ms)
ct_boot 2 disk
# The unit starts at boot (enabled, WantedBy=multi-user.target); the boot waits for nothing, so wait for it.
wait_for 60 "the unit to report ready after the boot" '[[ $(ct systemctl is-active swarm-bootstrap.service) == active ]]'
t3=$(now_ms)
note "after the boot: unit active (ready) $(elapsed_s "$t2" "$t3") s after the container started"
assert_eq "$node_id" "$(ct_node_id_on 1)" "node id on the manager after the reboot"
assert_eq "$version" "$(node_inspect 1 "$node_id" '{{.Version.Index}}')" "Version.Index of the node after the reboot"
outcome=$(ct cat /var/lib/swarm-bootstrap/state.json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("outcome"))')
note "state.json outcome after the boot: $outcome; journal of this boot:"
ct journalctl -b -u swarm-bootstrap.service --no-pager -o cat | head -n 12
assert_eq 1 "$(ct journalctl -b -u swarm-bootstrap.service SYSLOG_IDENTIFIER=swarm-bootstrap --no-pager -o cat | grep -c 'starting')" "agent starts in this boot"
[[ $outcome != joined && $outcome != rejoined ]] || fail "the agent joined again after the reboot (outcome $outcome)"
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts after the boot"
test_pass
