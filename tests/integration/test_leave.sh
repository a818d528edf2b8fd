#!/usr/bin/env bash
# leave: a worker joined by the agent leaves with `leave --remove-node`: its engine is inactive and no entry with
# its hostname is left on the manager. A manager (node 3, one of three) refuses a plain `leave`, and with
# `leave --force --remove-node` is demoted, leaves and is removed: two managers remain, and they still answer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin leave

swarm_init 1
swarm_join_cli 3 1 manager
swarm_join_cli 4 1 manager
join_args 2 "$(lab_addr 1)"
agent_run join 2 "${JOIN_ARGS[@]}" --label zone=leave
assert_rc 0 "join before leaving"

hostname_entries() { # HOST -> how many node entries carry it on node 1
  lab_docker 1 node ls --format '{{.Hostname}}' | grep -cx "$1" || true
}

args=("${JOIN_ARGS[@]:1}")
agent_run leave_worker 2 leave "${args[@]}" --remove-node --timeout 60s
assert_rc 0 "leave --remove-node on a worker"
assert_eq inactive "$(local_state 2)" "node 2's local state after leaving"
assert_eq 0 "$(hostname_entries "$(lab host 2)")" "entries of node 2 on the manager after --remove-node"

join_args 3 "$(lab_addr 1)" "$(lab_addr 4)"
args=("${JOIN_ARGS[@]:1}")
agent_run leave_manager_plain 3 leave "${args[@]}" --timeout 30s
assert_ne 0 "$AGENT_RC" "a plain leave on a manager"
assert_eq active "$(local_state 3)" "node 3's local state after a refused leave"

agent_run leave_manager 3 leave "${args[@]}" --force --remove-node --timeout 60s
assert_rc 0 "leave --force --remove-node on a manager of three"
assert_eq inactive "$(local_state 3)" "node 3's local state after leaving"
assert_eq 0 "$(hostname_entries "$(lab host 3)")" "entries of node 3 on the managers"
managers=$(lab_docker 1 node ls --filter role=manager --format '{{.Hostname}}' | wc -l)
assert_eq 2 "$managers" "managers left"
test_pass
