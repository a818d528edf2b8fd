#!/usr/bin/env bash
# idempotent: a second join of a node that is already a labelled member changes nothing (exit 0, the node's
# Version.Index on the manager is unchanged, same NodeID).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin idempotent

swarm_init 1
join_args 2 "$(lab_addr 1)"
agent_run first 2 "${JOIN_ARGS[@]}" --label zone=c --label rack=r1 --timeout 60s --backoff-max 2s
assert_rc 0 "first join"
id=$(local_node_id 2)
assert_nonempty "$id" "node 2's NodeID"
wait_until 15 "node 2 ready on node 1" is_ready_on 1 "$id"
v1=$(node_inspect 1 "$id" '{{.Version.Index}}')
note "after the first join: node $id, Version.Index $v1"
assert_eq c "$(node_label 1 "$id" zone)" "label zone after the first join"

agent_run second 2 "${JOIN_ARGS[@]}" --label zone=c --label rack=r1 --timeout 60s --backoff-max 2s
echo "MEASURE idempotent.second_join_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "second join of the same node"
assert_eq "$id" "$(local_node_id 2)" "NodeID after the second join"
v2=$(node_inspect 1 "$id" '{{.Version.Index}}')
assert_eq "$v1" "$v2" "the node's Version.Index after the second join (an update was made)"
assert_eq 1 "$(lab_docker 1 node ls -q | wc -l | awk '{print $1 - 1}')" "number of workers on the manager"
assert_eq c "$(node_label 1 "$id" zone)" "label zone"
assert_eq r1 "$(node_label 1 "$id" rack)" "label rack"
assert_log_records "$AGENT_LOG" text
test_pass
