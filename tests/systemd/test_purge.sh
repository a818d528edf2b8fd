#!/usr/bin/env bash
# Remove cleanly: `apt-get purge swarm-bootstrap` stops the unit and removes the unit file, configuration and
# state (the node stays in the swarm: leaving is not the package's business). Then install.sh again and
# `uninstall.sh --purge --leave`: the same, and the node leaves the swarm (and its entry on the manager goes).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_purge

swarm_init 1
ct_boot 2

gone() { # PATH...: none exists inside
  local p
  for p in "$@"; do
    ! ct test -e "$p" || fail "$p still exists"
  done
}
paths=(/lib/systemd/system/swarm-bootstrap.service /etc/swarm-bootstrap /var/lib/swarm-bootstrap
  /usr/bin/swarm-bootstrap /etc/systemd/system/multi-user.target.wants/swarm-bootstrap.service)

ct_install_sh --managers "$(lab_addr 1)" --label zone=purge
assert_eq 0 "$INSTALL_RC" "install.sh exit code (log $INSTALL_LOG)"
node_id=$(ct_node_id_on 1)
ct test -f /var/lib/swarm-bootstrap/state.json || fail "no state file before the purge"
ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q swarm-bootstrap >"$CT_WORK/purge.log" 2>&1 ||
  { cat "$CT_WORK/purge.log"; fail "apt-get purge failed"; }
assert_eq inactive "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active after apt-get purge"
gone "${paths[@]}"
ct systemctl list-unit-files swarm-bootstrap.service --no-legend | grep -q . && fail "systemd still knows the unit file"
assert_eq "$node_id" "$(ct_node_id_on 1)" "node after apt-get purge (still a member)"
note "apt-get purge: unit stopped, unit file, configuration and state gone; node $node_id still a member"

ct_install_sh --managers "$(lab_addr 1)" --label zone=purge
assert_eq 0 "$INSTALL_RC" "install.sh (again) exit code (log $INSTALL_LOG)"
rc=0
ct bash /sb/installer-linux/uninstall.sh --purge --leave >"$CT_WORK/uninstall.log" 2>&1 || rc=$?
cat "$CT_WORK/uninstall.log"
AGENT_LOGS+=("$CT_WORK/uninstall.log")
assert_eq 0 "$rc" "uninstall.sh --purge --leave exit code"
assert_eq inactive "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active after uninstall.sh"
gone "${paths[@]}"
assert_eq inactive "$(local_state 2)" "local swarm state of the node after --leave"
[[ -z $(ct_node_id_on 1) ]] || fail "the manager still lists a Ready node $(lab host 2)"
lab_docker 1 node ls --format '{{.Hostname}} {{.Status}}' | grep -q "^$(lab host 2) " &&
  fail "the manager still has an entry for $(lab host 2): $(lab_docker 1 node ls)"
note "uninstall.sh --purge --leave: unit stopped and gone, configuration and state gone, node left and its entry removed"
test_pass
