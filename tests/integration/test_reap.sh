#!/usr/bin/env bash
# reap: `run --reap-down-after 5s --interval 1s` on the swarm's only manager (its leader). Three workers go away
# at once: node 2, joined by swarm-bootstrap, for good (its engine stopped: a deleted VM); node 3, joined by
# swarm-bootstrap, frozen until the manager marks it down and then let go (a VM that comes back within the
# grace); node 4, joined with the docker CLI, for good. Node 2's entry is removed after its grace, node 3 and
# node 4 stay. Prints the seconds from the loss to the down mark and to the removal.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin reap
agent_supports --reap-down-after || skip "this swarm-bootstrap has no --reap-down-after"

grace=5
interval=1
swarm_init 1
for i in 2 3; do
  join_args "$i" "$(lab_addr 1)"
  agent_run "join$i" "$i" "${JOIN_ARGS[@]}" --backoff-initial 200ms --backoff-max 2s
  assert_rc 0 "swarm-bootstrap join of node $i"
done
swarm_join_cli 4 1 worker
id2=$(local_node_id 2)
id3=$(local_node_id 3)
id4=$(local_node_id 4)
assert_eq true "$(node_label 1 "$id2" swarm-bootstrap.joined)" "node 2 carries the joined mark"
assert_eq true "$(node_label 1 "$id3" swarm-bootstrap.joined)" "node 3 carries the joined mark"
assert_eq "" "$(node_label 1 "$id4" swarm-bootstrap.joined)" "node 4 (joined by the docker CLI) carries no mark"

join_args 1 "$(lab_addr 1)"
args=("${JOIN_ARGS[@]:1}")
agent_start leader 1 run "${args[@]}" --role manager --interval "${interval}s" --reap-down-after "${grace}s" \
  --backoff-initial 200ms --backoff-max 2s
leader_log=$AGENT_LOG
leader_marked() { [[ $(node_label 1 "$(local_node_id 1)" swarm-bootstrap.joined) == true ]]; }
wait_until 30 "the agent on node 1 to label its own node" leader_marked

# Node 3's engine is frozen (SIGSTOP), so it misses its heartbeats; SIGCONT lets it go the moment it is down.
pid3=$(lab pid 3)
assert_nonempty "$pid3" "pid of engine 3"
at_exit "kill -CONT $pid3 2>/dev/null"
note "taking nodes 2 and 4 away (engines stopped) and freezing node 3"
t_loss=$(now_ms)
kill -STOP "$pid3"
lab stop 2 >/dev/null &
stop2=$!
lab stop 4 >/dev/null &
stop4=$!

state_of() { node_inspect 1 "$1" '{{.Status.State}}'; }
t_down2='' t_gone2='' t_down3='' t_back3='' t_down4=''
deadline=$(($(now_ms) + 90000))
while (($(now_ms) < deadline)); do
  now=$(now_ms)
  s2=$(state_of "$id2" || true)
  if [[ -z $t_down2 && $s2 == down ]]; then t_down2=$now; fi
  if [[ -z $t_gone2 && -z $s2 ]] && ! lab_docker 1 node inspect "$id2" >/dev/null 2>&1; then t_gone2=$now; fi
  s3=$(state_of "$id3" || true)
  if [[ -z $t_down3 && $s3 == down ]]; then
    t_down3=$now
    kill -CONT "$pid3"
  fi
  if [[ -n $t_down3 && -z $t_back3 && $s3 == ready ]]; then t_back3=$now; fi
  if [[ -z $t_down4 && $(state_of "$id4" || true) == down ]]; then t_down4=$now; fi
  # Done once node 2 is gone, node 3 is back and node 4 has been down for the grace and three intervals more.
  if [[ -n $t_gone2 && -n $t_back3 && -n $t_down4 ]] && ((now - t_down4 > (grace + 3 * interval) * 1000)); then
    break
  fi
  sleep 0.2
done
wait "$stop2" "$stop4" || true
[[ -n $t_down2 ]] || fail "node 2 never went down on the manager"
[[ -n $t_gone2 ]] || fail "node 2's entry was not removed within 90 s of its loss"
[[ -n $t_down3 && -n $t_back3 ]] || fail "node 3 did not go down and come back (down: ${t_down3:-never})"
[[ -n $t_down4 ]] || fail "node 4 never went down on the manager"
back3_s=$(elapsed_s "$t_down3" "$t_back3")
note "node 2: down $(elapsed_s "$t_loss" "$t_down2") s after the loss, removed $(elapsed_s "$t_down2" "$t_gone2") s" \
  "after that ($(elapsed_s "$t_loss" "$t_gone2") s after the loss; grace ${grace} s, interval ${interval} s)"
note "node 3: ready again ${back3_s} s after it was marked down"
assert_le "$grace" "$back3_s" "seconds node 3 was down (it must come back within the grace)"

# Removed no earlier than the grace after it went down, and within the grace and two intervals (+1 s for the
# 0.2 s polling here and the docker CLI's own time).
removal_s=$(elapsed_s "$t_down2" "$t_gone2")
assert_between "$((grace - 1))" "$((grace + 2 * interval + 1))" "$removal_s" "seconds from node 2's down mark to its removal"
assert_eq ready "$(state_of "$id3")" "node 3 (back within the grace) is kept, ready"
assert_eq down "$(state_of "$id4")" "node 4 (not joined by swarm-bootstrap) is kept"
assert_contains "$leader_log" "\[reap\] removed node $id2 \($(lab host 2)\), down for [0-9.]+s, longer than the grace of 5.0s" \
  "the leader's line for node 2"
assert_contains "$leader_log" "\[reap\] node $id4 \($(lab host 4)\) is down, but swarm-bootstrap did not join it" \
  "the leader's line for node 4"
if grep -q "removed node $id3\|removed node $id4" "$leader_log"; then
  fail "the leader removed node 3 or node 4"
fi
kill -TERM "$AGENT_PID"
agent_wait 5
assert_rc 0 "the leader's agent after SIGTERM"
test_pass
