#!/usr/bin/env bash
# cloud_notice: `run` on worker node 2 with real tasks (busybox) gets a termination notice from the emulated
# metadata service (in node 2's namespace, on its loopback): an Azure Terminate with NotBefore 60 s ahead, an
# AWS spot terminate (2 minutes), a GCP preemption (30 s). Each time: the tasks run elsewhere, the node has
# left, its entry is removed, and (Azure) the event is approved — all before the cloud's deadline.
# Prints MEASURE lines: cloud_notice.<cloud>.notice_to_done_s and .approved_before_deadline_s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin cloud_notice

EMULATOR=${SB_METADATA_EMULATOR:-$(dirname "$SB_BIN")/../tests/unit/sb_metadata_emulator}
[[ -x $EMULATOR ]] || skip "sb_metadata_emulator not built ($EMULATOR)"

swarm_init 1
swarm_join_cli 3 1 worker
lab_busybox_image 2 3
host2=$(lab host 2)
ns2=$(lab ns 2)
state2="$SB_LOGS/state.n2.json"
manager=$(lab_addr 1)
lab_docker 1 service create -d --no-resolve-image --name web --replicas 4 --constraint node.role==worker \
  "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null || fail "service create web"

emulator_pid=
emulator_stop() {
  if [[ -n $emulator_pid ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  emulator_pid=
  return 0
}
at_exit emulator_stop
control() { # METHOD PATH [JSON]
  ip netns exec "$ns2" curl -fsS -X "$1" -H 'Content-Type: application/json' --data "${3:-}" \
    "http://127.0.0.1:$port$2"
}

one_cloud() { # CLOUD INJECT_PATH INJECT_JSON DEADLINE_S
  local cloud=$1 path=$2 json=$3 deadline=$4 id2 t0 t_done approved
  rm -f "$SB_LOGS/$TEST_NAME.emulator-$cloud.port" "${state2%.json}"*  # a new VM: no state, no leaving marker
  ip netns exec "$ns2" "$EMULATOR" --listen 127.0.0.1:0 --vm-name "$host2" \
    --port-file "$SB_LOGS/$TEST_NAME.emulator-$cloud.port" >"$SB_LOGS/$TEST_NAME.emulator-$cloud.log" 2>&1 &
  emulator_pid=$!
  # shellcheck disable=SC2317 # called through wait_until
  port_written() { [[ -s $SB_LOGS/$TEST_NAME.emulator-$cloud.port ]]; }
  wait_until 10 "the $cloud emulator" port_written
  port=$(cat "$SB_LOGS/$TEST_NAME.emulator-$cloud.port")

  join_args 2 "$manager"
  agent_start "run-$cloud" 2 run "${JOIN_ARGS[@]:1}" --interval 5s --backoff-initial 200ms --backoff-max 2s \
    --cloud "$cloud" --metadata-endpoint "http://127.0.0.1:$port"
  # shellcheck disable=SC2317
  node2_active() { [[ $(local_state 2) == active ]]; }
  wait_until 60 "node 2 to join" node2_active
  id2=$(local_node_id 2)
  # The scheduler gives the new node its share once the service is rebalanced.
  lab_docker 1 service update -d --force web >/dev/null || fail "service update --force web"
  # shellcheck disable=SC2317
  tasks_on_2() { (($(running_tasks 1 web) == 4 && $(running_tasks 1 web "$host2") < 4)); }
  wait_until 90 "web's 4 tasks running, some on node 2" tasks_on_2
  note "$cloud: $((4 - $(running_tasks 1 web "$host2"))) of web's tasks on node 2 ($id2)"

  t0=$(now_ms)
  control POST "$path" "$json" >/dev/null || fail "injecting the $cloud notice"
  # shellcheck disable=SC2317
  gone() { [[ $(local_state 2) == inactive ]] && ! lab_docker 1 node inspect "$id2" >/dev/null 2>&1; }
  wait_until "$deadline" "node 2 left and its entry removed ($cloud)" gone
  # shellcheck disable=SC2317
  phase_final() { grep -Eq '"phase": "(approved|done)"' "${state2%.json}.notices.json" 2>/dev/null; }
  wait_until 10 "the notice recorded as handled ($cloud)" phase_final
  t_done=$(now_ms)
  assert_eq 4 "$(running_tasks 1 web)" "web tasks running after $cloud notice"
  assert_eq 4 "$(running_tasks 1 web "$host2")" "web tasks running off node 2"
  if [[ $cloud == azure ]]; then
    approved=$(control GET /control/report | grep -o '"approvals":\[[^]]*\]')
    [[ $approved == *'"'* ]] || fail "no approval sent: $approved"
  fi
  assert_le "$((deadline * 1000))" "$((t_done - t0))" "notice to done (ms) within the $cloud deadline"
  echo "MEASURE cloud_notice.$cloud.notice_to_done_s=$(elapsed_s "$t0" "$t_done")"
  echo "MEASURE cloud_notice.$cloud.before_deadline_s=$(elapsed_s "$t_done" "$((t0 + deadline * 1000))")"
  assert_contains "$AGENT_LOG" "notice seen: $cloud" "the notice line"
  assert_contains "$AGENT_LOG" 'left the swarm' "the left line"
  assert_contains "$AGENT_LOG" 'entry of node .* removed' "the entry line"
  kill -TERM "$AGENT_PID"
  agent_wait 15
  assert_rc 0 "run after SIGTERM ($cloud)"
  emulator_stop
}

one_cloud azure /control/azure/event '{"type": "Terminate", "not_before_in": 60}' 60
one_cloud aws /control/aws/spot '{"action": "terminate", "in": 120}' 120
one_cloud gcp /control/gcp/preempted '{"preempted": true}' 30
assert_log_records "$AGENT_LOG" text
test_pass
