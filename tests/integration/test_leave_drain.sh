#!/usr/bin/env bash
# leave_drain: `leave --drain` on a worker whose installed service (`run`) holds the lock: the service pauses
# its healing, the tasks move, the node leaves and its entry is gone when the command returns; `drain --undo`
# lets the service join it again. On a manager of three: demoted, left, removed, and the swarm stays writable.
# With 3 managers and 1 down, the quorum guard refuses a second one's leave (exit 10) and changes nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin leave_drain

swarm_init 1
swarm_join_cli 2 1 manager
swarm_join_cli 3 1 manager
lab_busybox_image 1 2 3 4
managers=(--manager "$(lab_addr 1)" --manager "$(lab_addr 2)" --manager "$(lab_addr 3)")

# Node 4 joins through the installed service's loop, which then holds the lock.
agent_start run4 4 run --docker-host "unix://$(lab_sock 4)" "${managers[@]}" --interval 2s --timeout 60s
run_pid=$AGENT_PID
run_log=$AGENT_LOG
# shellcheck disable=SC2317 # called through wait_until
joined4() { [[ $(local_state 4) == active ]]; }
wait_until 60 "node 4 joined by run" joined4
id4=$(local_node_id 4)
# shellcheck disable=SC2317 # called through wait_until
ready4() { is_ready_on 1 "$id4"; }
wait_until 30 "node 4 ready" ready4
lab_docker 1 service create -d --no-resolve-image --name web --replicas 4 "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null ||
  fail "service create web"
# shellcheck disable=SC2317 # called through wait_until
web_running() { [[ $(running_tasks 1 web) == 4 ]]; }
wait_until 60 "web's 4 tasks running" web_running

# 1. leave --drain on the worker, beside the running service.
agent_run leave4 4 leave --drain --docker-host "unix://$(lab_sock 4)" "${managers[@]}" --deadline 60s
assert_rc 0 "leave --drain of worker 4 while run holds the lock"
echo "MEASURE leave_drain.worker_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_contains "$AGENT_LOG" 'holds the lock .*going ahead beside it' "the command says how it runs beside the service"
assert_eq "" "$(lab_docker 1 node ls -q --filter "id=$id4")" "node 4's entry when the command returned"
assert_eq inactive "$(local_state 4)" "node 4's local state"
assert_eq 4 "$(running_tasks 1 web)" "web tasks running when the command returned"
sleep 5  # two and a half of run's intervals: it must not rejoin a node that left on purpose
assert_eq inactive "$(local_state 4)" "node 4's state after run's checks"
assert_contains "$run_log" 'healing paused: this node is leaving on purpose' "run's pause line"
pid_running "$run_pid" || fail "run ended"

# drain --undo removes the marker: the service joins the node again.
agent_run undo4 4 drain --undo --docker-host "unix://$(lab_sock 4)" "${managers[@]}"
assert_rc 0 "drain --undo beside run"
wait_until 30 "run joins node 4 again" joined4
assert_contains "$run_log" 'healing resumed' "run's resume line"
kill -TERM "$run_pid"

# 2. leave --drain on a manager of three: demoted, left, removed; the swarm stays writable.
id3=$(local_node_id 3)
agent_run leave3 3 leave --drain --docker-host "unix://$(lab_sock 3)" "${managers[@]}" --deadline 60s
assert_rc 0 "leave --drain of manager 3"
echo "MEASURE leave_drain.manager_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_contains "$AGENT_LOG" 'keeps the quorum: 2 of 2 remaining managers reachable' "the guard's line"
assert_eq "" "$(lab_docker 1 node ls -q --filter "id=$id3")" "node 3's entry"
lab_docker 1 service update -d --replicas 3 web >/dev/null || fail "service update right after a manager left"

# 3. The quorum guard: 3 managers again, one down; a second one's leave is refused.
swarm_join_cli 3 1 manager
id2=$(local_node_id 2)
lab stop 2 >/dev/null
# shellcheck disable=SC2317 # called through wait_until
unreachable2() { [[ $(node_inspect 1 "$id2" '{{.ManagerStatus.Reachability}}') == unreachable ]]; }
wait_until 30 "manager 2 unreachable" unreachable2
id3=$(local_node_id 3)
agent_run refuse3 3 leave --drain --docker-host "unix://$(lab_sock 3)" "${managers[@]}" --deadline 60s
assert_rc 10 "leave --drain of a second manager with one down"
assert_contains "$AGENT_LOG" '1 of 2 remaining managers reachable, 2 needed' "the refusal names the count"
assert_contains "$AGENT_LOG" '--force' "the refusal names the override"
assert_eq true "$(control_available 3)" "node 3 is still a manager"
assert_eq active "$(node_inspect 1 "$id3" '{{.Spec.Availability}}')" "node 3 not drained"
lab start 2 >/dev/null
assert_log_records "$AGENT_LOG" text
test_pass
