#!/usr/bin/env bash
# run_heal: `run` on a worker; the manager force-removes the node (docker node rm --force). The agent notices,
# joins again and re-labels: a ready member again within interval + 15 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin run_heal

swarm_init 1
join_args 2 "$(lab_addr 1)"
args=("${JOIN_ARGS[@]:1}")  # drop "join"
agent_start run 2 run "${args[@]}" --interval 5s --label zone=heal --backoff-initial 200ms --backoff-max 2s
node2_active() { [[ $(local_state 2) == active ]]; }
wait_until 60 "node 2 to join" node2_active
first=$(local_node_id 2)
labelled() { [[ $(node_label 1 "$first" zone) == heal ]]; }
wait_until 30 "node 2 labelled" labelled

note "force-removing node $first on the manager"
removed_ms=$(now_ms)
lab_docker 1 node rm --force "$first" >/dev/null || fail "docker node rm --force failed"
healed() {
  local id
  id=$(local_node_id 2)
  [[ -n $id && $id != "$first" ]] && is_ready_on 1 "$id" && [[ $(node_label 1 "$id" zone) == heal ]]
}
wait_until 20 "node 2 to be a ready, labelled member again (interval 5 s + 15 s)" healed
heal_s=$(elapsed_s "$removed_ms")
note "healed in $heal_s s"
echo "MEASURE run_heal.heal_s=$heal_s"
second=$(local_node_id 2)
assert_eq linux "$(node_label 1 "$second" os)" "label os after healing"
agent_running || fail "the service exited while healing"
kill -TERM "$AGENT_PID"
agent_wait 5
assert_rc 0 "run after SIGTERM"
test_pass
