#!/usr/bin/env bash
# manager_dies: three managers (nodes 1, 2, 3); the agent on node 4 is given --manager FIRST+3. The manager it
# won the race through (node 1, the leader) is killed the moment the engine has joined through it. The
# agent's later steps (verify, label) fail over to the other managers, as the wait does, and it joins; it does
# not keep asking the dead manager until the deadline. The deadline (90 s) leaves room for the new leader's
# election and the node's session moving to it, which took 30 s on a loaded 2-core machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin manager_dies

swarm_init 1
swarm_join_cli 2 1 manager
swarm_join_cli 3 1 manager

at_exit "bash '$LAB' start 1 >/dev/null 2>&1; bash '$LAB' start 2 >/dev/null 2>&1; bash '$LAB' start 3 >/dev/null 2>&1"

# Until the leader is dead, every manager's API drops the requests for GET /nodes/<id>, so that the agent's
# first verify request is still outstanding when its manager dies, however fast or loaded this machine is; and
# nodes 2 and 3 drop GET /swarm, so that the agent wins the race through node 1, the leader.
filter() { # NODE STRING IPTABLES-TARGET...
  ip netns exec "$(lab ns "$1")" iptables -w -A INPUT -p tcp --dport 2375 -m string --string "$2" --algo bm \
    -j "${@:3}" || fail "cannot filter node $1's API"
}
for i in 1 2 3; do
  filter "$i" "/nodes/" DROP
  at_exit "ip netns exec '$(lab ns "$i")' iptables -w -F INPUT"
done
filter 2 "/swarm HTTP" REJECT --reject-with tcp-reset
filter 3 "/swarm HTTP" REJECT --reject-with tcp-reset
join_args 4 "$(lab_addr 1)+3"
agent_start join 4 "${JOIN_ARGS[@]}" --label zone=d --timeout 90s --backoff-initial 200ms --backoff-max 1s
# shellcheck disable=SC2317 # called through wait_until
engine_joined() { [[ $(local_state 4) == active ]]; }
wait_until 20 "node 4's engine in the swarm" engine_joined
winner=$(sed -n 's/.*manager \([0-9.]*\):2375 is ready.*/\1/p' "$AGENT_LOG" | tail -1)
assert_eq "$(lab_addr 1)" "$winner" "the manager the agent used"

note "the engine joined through node 1, the leader; killing it"
kill -KILL "$(cat "$(lab dir 1)/dockerd.pid")" 2>/dev/null || fail "no dockerd pid for node 1"
for i in 1 2 3; do ip netns exec "$(lab ns "$i")" iptables -w -F INPUT; done
lab stop 1 >/dev/null 2>&1 || true
agent_wait 120
echo "MEASURE manager_dies.join_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "join while the manager in use dies mid-join"
assert_contains "$AGENT_LOG" "manager $winner:2375 failed" "the failover, naming the dead manager"
id=$(local_node_id 4)
wait_until 20 "node 4 ready on node 2" is_ready_on 2 "$id"
assert_eq d "$(node_label 2 "$id" zone)" "label zone"
lab start 1 >/dev/null 2>&1 || fail "could not restart node 1"
test_pass
