#!/usr/bin/env bash
# drain: `drain` moves real tasks (busybox `sleep`) to another worker and returns only once they run there;
# `drain --undo` makes the node active again; a service pinned to the node by a constraint cannot move, and the
# drain ends at its deadline with exit 9, leaving the node drained.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin drain

swarm_init 1
swarm_join_cli 2 1 worker
swarm_join_cli 3 1 worker
lab_busybox_image 2 3
id2=$(local_node_id 2)
id3=$(local_node_id 3)
# The scheduler spreads the two tasks over the two workers.
lab_docker 1 service create -d --no-resolve-image --name web --replicas 2 --constraint node.role==worker \
  "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null || fail "service create web"
# shellcheck disable=SC2317 # called through wait_until
web_running() { [[ $(running_tasks 1 web) == 2 ]]; }
wait_until 60 "web's 2 tasks running" web_running
assert_eq 1 "$(running_tasks 1 web "$(lab host 2)")" "web tasks on node 3"

# 1. Drain node 3: its web task moves to node 2, and the command returns once it runs there.
agent_run drain3 3 drain --docker-host "unix://$(lab_sock 3)" --manager "$(lab_addr 1)" --deadline 60s
assert_rc 0 "drain of node 3"
echo "MEASURE drain.move_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_eq 2 "$(running_tasks 1 web "$(lab host 3)")" "web tasks running off node 3 when drain returned"
assert_eq drain "$(node_inspect 1 "$id3" '{{.Spec.Availability}}')" "node 3's availability"
assert_contains "$AGENT_LOG" 'web: [01]/2 running elsewhere, 1 task still here|web: 1/2 running elsewhere' "a progress line"
assert_contains "$AGENT_LOG" 'drained: no task left here' "the end of the wait"

# 2. drain --undo: active again.
agent_run undo3 3 drain --undo --docker-host "unix://$(lab_sock 3)" --manager "$(lab_addr 1)"
assert_rc 0 "drain --undo"
assert_eq active "$(node_inspect 1 "$id3" '{{.Spec.Availability}}')" "node 3's availability after --undo"

# 3. A service pinned to node 2 cannot move: exit 9 at the deadline; web's task there moves to node 3.
lab_docker 1 service create -d --no-resolve-image --name pinned --constraint "node.id==$id2" "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" \
  >/dev/null || fail "service create pinned"
# shellcheck disable=SC2317 # called through wait_until
pinned_running() { [[ $(running_tasks 1 pinned) == 1 ]]; }
wait_until 60 "pinned's task running" pinned_running
agent_run drain2 2 drain --docker-host "unix://$(lab_sock 2)" --manager "$(lab_addr 1)" --deadline 8s
assert_rc 9 "drain of node 2 with a pinned service"
assert_between 8000 20000 "$((AGENT_T1 - AGENT_T0))" "time to the drain's deadline (ms)"
assert_contains "$AGENT_LOG" 'pinned: 0/1 running elsewhere' "the service that cannot move is named"
assert_contains "$AGENT_LOG" 'deadline of 8(\.0)?s passed' "the deadline line"
assert_eq drain "$(node_inspect 1 "$id2" '{{.Spec.Availability}}')" "node 2 stays drained"
assert_eq 2 "$(running_tasks 1 web "$(lab host 2)")" "web running off node 2"
assert_log_records "$AGENT_LOG" text
test_pass
