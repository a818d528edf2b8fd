#!/usr/bin/env bash
# failover: three managers (nodes 1, 3, 4); node 1's engine is stopped. Given --manager node1 --manager node3,
# the agent on node 2 still joins (through a live manager) and is ready.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin failover

swarm_init 1
swarm_join_cli 3 1 manager
swarm_join_cli 4 1 manager
at_exit 'lab start 1 >/dev/null 2>&1'
lab stop 1 2>/dev/null
note "node 1 (the leader) stopped; waiting for nodes 3 and 4 to elect a leader"
# shellcheck disable=SC2317 # called through wait_until
has_leader() { lab_docker 3 node ls >/dev/null 2>&1; }
wait_until 60 "a leader among nodes 3 and 4" has_leader

join_args 2 "$(lab_addr 1)" "$(lab_addr 3)"
agent_run join 2 "${JOIN_ARGS[@]}" --label zone=b --timeout 90s --backoff-initial 200ms --backoff-max 2s
echo "MEASURE failover.join_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "join with the first listed manager down"
id=$(local_node_id 2)
assert_nonempty "$id" "node 2's NodeID"
assert_eq active "$(local_state 2)" "node 2's local swarm state"
wait_until 15 "node 2 ready on node 3" is_ready_on 3 "$id"
assert_eq linux "$(node_label 3 "$id" os)" "label os"
assert_eq b "$(node_label 3 "$id" zone)" "label zone"
assert_log_records "$AGENT_LOG" text
lab start 1 >/dev/null 2>&1 || fail "could not restart node 1"
test_pass
