#!/usr/bin/env bash
# Fault matrix, real engines: test_engines.sh CASE. The agent runs on node 1; nodes 2-4 are managers.
#   manager_restart  the manager's engine restarts while the agent joins: joined (0)
#   local_restart    the local engine restarts while the agent joins: joined (0)
#   quorum_loss      2 of 3 managers stop; the survivor keeps ControlAvailable=true but has no leader: the
#                    agent waits (exit 3 at its deadline); with quorum back it joins (0)
#   token_rotated    the join token is rotated between the agent's fetch and its join: it fetches the new
#                    token once and joins (0)
#   stale_lock       an agent killed with SIGKILL leaves its lock file: the next agent joins (0), no exit 7
#   state_dir        the state directory is a full tmpfs, then read-only: joined (0), a warning names the file
#   force_removed    `run` watches; the manager force-removes the node: it joins again (new node id), exit 0 on TERM
#   two_agents       two `join` started at once on one node, one lock: one joins (0), the other exits 7 or finds
#                    the node joined (0); one node in the list
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case_name=${1:?usage: test_engines.sh CASE}
test_begin "faults_$case_name"

joined_on() { # MANAGER: node 1 is an active member that manager MANAGER sees ready
  [[ $(local_state 1) == active ]] && is_ready_on "$1" "$(local_node_id 1)"
}
log_has() { grep -Eq -- "$2" "$1"; }

manager_restart() {
  swarm_init 2
  join_fast 90s --manager "$(lab_addr 2)"
  agent_start join 1 "${JOIN_ARGS[@]}"
  wait_until 30 "the agent to find the manager" log_has "$AGENT_LOG" 'is ready'
  note "restarting the manager's engine"
  lab restart 2 >/dev/null 2>&1
  agent_wait 120
  assert_rc 0 "join across a manager restart"
  assert_le 90 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds to join"
  wait_until 30 "node 1 ready on the manager" joined_on 2
}

local_restart() {
  swarm_init 2
  join_fast 90s --manager "$(lab_addr 2)"
  agent_start join 1 "${JOIN_ARGS[@]}"
  wait_until 30 "the agent to find the manager" log_has "$AGENT_LOG" 'is ready'
  note "restarting the local engine"
  lab restart 1 >/dev/null 2>&1
  agent_wait 120
  assert_rc 0 "join across a local engine restart"
  wait_until 30 "node 1 ready on the manager" joined_on 2
}

quorum_loss() {
  swarm_init 2
  swarm_join_cli 3 2 manager
  swarm_join_cli 4 2 manager
  note "stopping managers 2 (the leader) and 3: manager 4 loses quorum"
  lab stop 2 >/dev/null 2>&1 &
  lab stop 3 >/dev/null 2>&1 &
  wait
  [[ $(control_available 4) == true ]] || fail "manager 4 should still say ControlAvailable=true"
  join_fast 6s --manager "$(lab_addr 4)"
  agent_run wait 1 "${JOIN_ARGS[@]}"
  assert_rc 3 "join against a manager without quorum"
  assert_le 20 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds to give up"
  # The survivor answers "does not have a leader", or hangs until the request times out.
  assert_contains "$AGENT_LOG" 'leader|no answer within' "the agent says why it waits"
  join_fast 120s --manager "$(lab_addr 4)"
  agent_start join 1 "${JOIN_ARGS[@]}"
  sleep 2
  note "starting manager 3 again: quorum is back"
  lab start 3 >/dev/null 2>&1
  agent_wait 150
  assert_rc 0 "join once quorum is back"
  wait_until 30 "node 1 ready on manager 4" joined_on 4
}

token_rotated() {
  swarm_init 2
  fm_up
  fm_start proxy --serve 2470 rotate-proxy "$(lab_addr 2):2375"
  join_fast 60s --manager "$FM_ADDR:2470"
  agent_run join 1 "${JOIN_ARGS[@]}"
  assert_rc 0 "join with a token rotated after the fetch"
  assert_contains "$SB_LOGS/$TEST_NAME.proxy.log" 'rotated the join tokens' "the proxy rotated the token"
  assert_contains "$AGENT_LOG" 'new one' "the agent fetched the new token"
  joined_on 2 || fail "node 1 is not a ready member"
}

stale_lock() {
  local lock="$SB_LAB_DIR/n1/stale.lock"
  rm -f "$lock"
  # No swarm yet: the first agent waits for a manager, holding the lock, and is killed.
  join_fast 60s --manager "$(lab_addr 2)" --lock-file "$lock"
  agent_start killed 1 "${JOIN_ARGS[@]}"
  wait_until 15 "the first agent to wait for a manager" log_has "$AGENT_LOG" 'wait-manager'
  kill -KILL "$AGENT_PID"
  agent_wait 5
  [[ -e $lock ]] || fail "the killed agent should leave its lock file behind"
  swarm_init 2
  agent_run next 1 "${JOIN_ARGS[@]}"
  assert_rc 0 "join after a killed agent"
  assert_le 20 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds to join"
}

state_dir() {
  local dir="$SB_LAB_DIR/n1/state-tmpfs"
  mkdir -p "$dir"
  mount -t tmpfs -o size=64k tmpfs "$dir" || skip "cannot mount a tmpfs"
  at_exit "umount -l '$dir'"
  dd if=/dev/zero of="$dir/filler" bs=4k count=64 >/dev/null 2>&1 || true
  swarm_init 2
  SB_AGENT_NO_STATE_ARGS=1
  join_fast 60s --manager "$(lab_addr 2)" --state-file "$dir/state.json" --lock-file "$SB_LAB_DIR/n1/state.lock"
  agent_run full 1 "${JOIN_ARGS[@]}"
  assert_rc 0 "join with a full state directory"
  assert_contains "$AGENT_LOG" 'warning .*state\.json' "a warning names the state file"
  joined_on 2 || fail "node 1 is not a ready member"
  if compgen -G "$dir/state.json.tmp*" >/dev/null; then
    fail "a failed state write left a temporary file behind"
  fi
  rm -f "$dir/filler"
  mount -o remount,ro "$dir"
  agent_run readonly 1 "${JOIN_ARGS[@]}"
  assert_rc 0 "already joined, read-only state directory"
  assert_contains "$AGENT_LOG" 'warning .*state\.json' "a warning names the state file"
}

force_removed() {
  swarm_init 2
  join_fast 60s --manager "$(lab_addr 2)"
  agent_start run 1 run "${JOIN_ARGS[@]:1}" --interval 1s
  wait_until 30 "node 1 to join" joined_on 2
  local first
  first=$(local_node_id 1)
  note "force-removing node $first on the manager"
  lab_docker 2 node rm --force "$first" >/dev/null || fail "docker node rm --force failed"
  healed() {
    local id
    id=$(local_node_id 1)
    [[ -n $id && $id != "$first" ]] && is_ready_on 2 "$id"
  }
  wait_until 30 "node 1 to be a ready member again" healed
  agent_running || fail "run exited while healing"
  kill -TERM "$AGENT_PID"
  agent_wait 10
  assert_rc 0 "run after SIGTERM"
}

two_agents() {
  swarm_init 2
  local lock="$SB_LAB_DIR/n1/two.lock" p1 l1 rc1
  join_fast 60s --manager "$(lab_addr 2)" --lock-file "$lock"
  agent_start first 1 "${JOIN_ARGS[@]}"
  p1=$AGENT_PID l1=$AGENT_LOG
  agent_start second 1 "${JOIN_ARGS[@]}"
  agent_wait 60
  local rc2=$AGENT_RC
  AGENT_PID=$p1 AGENT_LOG=$l1
  agent_wait 60
  rc1=$AGENT_RC
  note "exit codes: $rc1 and $rc2"
  [[ $rc1 == 0 || $rc2 == 0 ]] || fail "neither agent joined ($rc1, $rc2)"
  [[ $rc1 =~ ^(0|7)$ && $rc2 =~ ^(0|7)$ ]] || fail "exit codes must be 0 or 7, got $rc1 and $rc2"
  joined_on 2 || fail "node 1 is not a ready member"
  local n
  n=$(lab_docker 2 node ls --format '{{.Hostname}}' | grep -cx "$(lab host 1)" || true)
  assert_eq 1 "$n" "entries for node 1 in the node list"
}

case $case_name in
  manager_restart | local_restart | quorum_loss | token_rotated | stale_lock | state_dir | force_removed | two_agents)
    "$case_name"
    ;;
  *) fail "unknown case '$case_name'" ;;
esac
echo "faults.$case_name: $(elapsed_s "$TEST_T0") s" >>"$SB_LOGS/faults.results"
test_pass
