#!/usr/bin/env bash
# join_under_way: the local engine is still finishing a join when the agent starts (a run stopped mid-join, a
# restart right after `docker swarm join`): its state is "pending" and the manager already has its entry.
#   1. the join finishes within the engine's 20 s: the agent waits for it instead of leaving, so the node keeps
#      that entry; exactly one entry, labelled.
#   2. it does not: the agent leaves after 20 s, joins again and removes the entry the stuck join had left.
# A join under way: node 2's first two connections to the manager's port 2377 get through (the CA, the node's
# certificate: the manager creates the entry), later ones are dropped until the test lets them through.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin join_under_way

ns2=$(lab ns 2)
host=$(lab host 2)
rule_ok() { echo "OUTPUT -p tcp --dport 2377 --syn -m statistic --mode nth --every 1000000 --packet 0 -m comment --comment sb-under-way-$1 -j ACCEPT"; }
rule_drop="OUTPUT -p tcp --dport 2377 --syn -m comment --comment sb-under-way-drop -j DROP"
unblock() {
  # shellcheck disable=SC2046 # the rule is words
  ip netns exec "$ns2" iptables -D $(rule_ok 0) 2>/dev/null || true
  # shellcheck disable=SC2046
  ip netns exec "$ns2" iptables -D $(rule_ok 1) 2>/dev/null || true
  # shellcheck disable=SC2086
  ip netns exec "$ns2" iptables -D $rule_drop 2>/dev/null || true
}
at_exit unblock
# join_stalled: `docker swarm join` on node 2 that gets as far as its entry on the manager, then stalls.
# Sets STALLED_ID (the id the engine and the entry have) and CLI_PID.
join_stalled() {
  # shellcheck disable=SC2086
  ip netns exec "$ns2" iptables -A $rule_drop
  # shellcheck disable=SC2046
  ip netns exec "$ns2" iptables -I $(rule_ok 0)
  # shellcheck disable=SC2046
  ip netns exec "$ns2" iptables -I $(rule_ok 1)
  local token
  token=$(lab_docker 1 swarm join-token -q worker)
  lab_docker 2 swarm join --token "$token" --advertise-addr "$(lab_addr 2)" "$(lab_addr 1):2377" \
    >"$SB_LOGS/$TEST_NAME.cli.log" 2>&1 &
  CLI_PID=$!
  AGENT_PIDS+=("$CLI_PID")
  wait_until 20 "node 2 pending with a node id" \
    bash -c "[[ \$(\"$DOCKER\" -H unix://$(lab_sock 2) info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}') == 'pending '?* ]]"
  STALLED_ID=$(local_node_id 2)
  wait_until 10 "the manager's entry of $STALLED_ID" node_inspect 1 "$STALLED_ID" '{{.ID}}'
  note "join under way: node 2 pending as $STALLED_ID, the manager has its entry"
}
entries() { lab_docker 1 node ls -q | wc -l; }

swarm_init 1
join_args 2 "$(lab_addr 1)"

# 1. The join finishes 5 s after the agent started.
join_stalled
agent_start under_way 2 "${JOIN_ARGS[@]}" --label zone=w --timeout 2m
sleep 5
agent_running || fail "the agent ended while the engine's join was under way (log $AGENT_LOG)"
unblock
agent_wait 60
assert_rc 0 "join while the engine's own join was under way"
assert_contains "$AGENT_LOG" 'is still joining a swarm \(state pending\)' "the agent's wait for the join under way"
grep -q 'leaving the local swarm state' "$AGENT_LOG" && fail "the agent left the join under way (log $AGENT_LOG)"
assert_eq "$STALLED_ID" "$(local_node_id 2)" "node 2's id (the one its join under way had)"
assert_eq 2 "$(entries)" "the manager's entries (itself and node 2, once)"
assert_eq ready "$(node_inspect 1 "$STALLED_ID" '{{.Status.State}}')" "node 2's entry"
assert_eq "$host" "$(node_inspect 1 "$STALLED_ID" '{{.Description.Hostname}}')" "node 2's entry's hostname"
assert_eq linux "$(node_label 1 "$STALLED_ID" os)" "label os"
assert_eq w "$(node_label 1 "$STALLED_ID" zone)" "label zone"
wait "$CLI_PID" 2>/dev/null || true

# 2. The join stays stuck: after the engine's 20 s the agent leaves it, then (port 2377 open again) joins anew
# and removes the stuck join's entry.
lab_docker 2 swarm leave --force >/dev/null
lab_docker 1 node rm --force "$STALLED_ID" >/dev/null
join_stalled
t0=$(now_ms)
agent_start stuck 2 "${JOIN_ARGS[@]}" --timeout 2m
wait_until 40 "the agent to leave the stuck join" grep -q 'leaving the local swarm state' "$AGENT_LOG"
waited_s=$(elapsed_s "$t0")
unblock
agent_wait 90
assert_rc 0 "join after a stuck join under way"
note "left the stuck join after $waited_s s"
echo "MEASURE join_under_way.stuck_left_after_s=$waited_s"
assert_between 19 35 "$waited_s" "seconds until the stuck join was left"
new=$(local_node_id 2)
assert_ne "$STALLED_ID" "$new" "node 2's id after leaving the stuck join"
assert_contains "$AGENT_LOG" "removed the old node entry $STALLED_ID" "the stuck join's entry removed"
assert_eq 2 "$(entries)" "the manager's entries (itself and node 2, once)"
assert_eq linux "$(node_label 1 "$new" os)" "label os"
wait "$CLI_PID" 2>/dev/null || true
test_pass
