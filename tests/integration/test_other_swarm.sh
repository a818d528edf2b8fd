#!/usr/bin/env bash
# other_swarm: node 2 manages a swarm of its own; a join toward node 1's swarm exits 6 and changes nothing on
# node 2 (same NodeID, same cluster, still a manager).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin other_swarm

swarm_init 1
swarm_init 2
id_before=$(local_node_id 2)
cluster_before=$(cluster_id 2)
assert_nonempty "$cluster_before" "node 2's own cluster ID"
assert_ne "$(cluster_id 1)" "$cluster_before" "node 2's cluster vs node 1's"

join_args 2 "$(lab_addr 1)"
agent_run join 2 "${JOIN_ARGS[@]}" --timeout 60s --backoff-max 2s
echo "MEASURE other_swarm.exit_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 6 "join of a node that is in another swarm"
assert_eq active "$(local_state 2)" "node 2's local swarm state"
assert_eq "$id_before" "$(local_node_id 2)" "node 2's NodeID"
assert_eq "$cluster_before" "$(cluster_id 2)" "node 2's cluster ID"
assert_eq true "$(control_available 2)" "node 2 still a manager (ControlAvailable)"
assert_eq 1 "$(lab_docker 1 node ls -q | wc -l)" "nodes in node 1's swarm"
assert_log_records "$AGENT_LOG" text
grep -qi 'rejoin\|another swarm\|different swarm' "$AGENT_LOG" || fail "the log does not say the node is in another swarm"
test_pass
