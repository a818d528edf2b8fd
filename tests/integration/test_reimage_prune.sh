#!/usr/bin/env bash
# reimage_prune: `run --prune-stale-nodes` on a worker whose engine is stopped, its data wiped and started again
# (a reimaged VM). The agent rejoins, and the old entry, left `down` with the same hostname, is removed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin reimage_prune

swarm_init 1
join_args 2 "$(lab_addr 1)"
args=("${JOIN_ARGS[@]:1}")
agent_start run 2 run "${args[@]}" --interval 3s --prune-stale-nodes --backoff-initial 200ms --backoff-max 2s
node2_active() { [[ $(local_state 2) == active ]]; }
wait_until 60 "node 2 to join" node2_active
old=$(local_node_id 2)

note "reimaging node 2 (engine stopped, data wiped, started again)"
lab wipe 2 >/dev/null || fail "lab.sh wipe 2 failed"
rejoined() {
  local id
  id=$(local_node_id 2)
  [[ -n $id && $id != "$old" ]] && is_ready_on 1 "$id"
}
wait_until 60 "node 2 to rejoin with a new id" rejoined
new=$(local_node_id 2)
# The old entry goes down after ~12 s of missed heartbeats; the agent prunes it on a later check.
gone() { ! lab_docker 1 node inspect "$old" >/dev/null 2>&1; }
wait_until 60 "the old entry $old to be pruned" gone
host=$(lab host 2)
count=$(lab_docker 1 node ls --format '{{.Hostname}}' | grep -cx "$host" || true)
assert_eq 1 "$count" "entries with hostname $host"
assert_eq linux "$(node_label 1 "$new" os)" "label os on the new entry"
kill -TERM "$AGENT_PID"
agent_wait 5
test_pass
