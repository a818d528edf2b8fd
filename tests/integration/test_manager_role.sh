#!/usr/bin/env bash
# manager_role: --role manager makes the node a reachable manager.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin manager_role

swarm_init 1
join_args 2 "$(lab_addr 1)"
agent_run join 2 "${JOIN_ARGS[@]}" --role manager --label zone=m --timeout 60s --backoff-max 2s
echo "MEASURE manager_role.join_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "join as a manager"
id=$(local_node_id 2)
assert_nonempty "$id" "node 2's NodeID"
assert_eq manager "$(node_inspect 1 "$id" '{{.Spec.Role}}')" "node 2's role"
# shellcheck disable=SC2317 # called through wait_until
reachable() { [[ $(node_inspect 1 "$id" '{{.ManagerStatus.Reachability}}') == reachable ]]; }
wait_until 15 "node 2 reachable as a manager" reachable
assert_eq true "$(control_available 2)" "node 2's ControlAvailable"
assert_eq ready "$(node_inspect 1 "$id" '{{.Status.State}}')" "node 2's state"
assert_eq linux "$(node_label 1 "$id" os)" "label os"
assert_eq m "$(node_label 1 "$id" zone)" "label zone"
assert_log_records "$AGENT_LOG" text
test_pass
