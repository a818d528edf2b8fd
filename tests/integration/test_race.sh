#!/usr/bin/env bash
# race: the agent starts before the manager has a swarm. It must wait (backoff capped at 2 s), then join within
# backoff-max + 5 s of `swarm init`, as a ready member labelled os=linux (and with the labels asked for).
# Also: --log-format json gives one JSON object per line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin race

join_args 2 "$(lab_addr 1)"
agent_start join 2 "${JOIN_ARGS[@]}" --label zone=a --label sb.test=race \
  --timeout 120s --backoff-initial 200ms --backoff-max 2s --log-format json

sleep 7
if ! agent_running; then
  agent_wait 5
  fail "the agent exited (code $AGENT_RC) before the manager had a swarm"
fi
[[ $(local_state 2) == inactive ]] || fail "node 2 is '$(local_state 2)' before the swarm exists"
note "agent still waiting after 7 s, as it should; swarm init on node 1"
init_ms=$(now_ms)
swarm_init 1
agent_wait 60
join_s=$(elapsed_s "$init_ms" "$AGENT_T1")
note "join exited $(elapsed_s "$init_ms" "$AGENT_T1") s after swarm init (limit: backoff-max 2 s + 5 s)"
echo "MEASURE race.join_after_init_s=$join_s"
assert_rc 0 "join after the manager came up"
assert_le 7 "$join_s" "seconds from swarm init to the agent's exit"

id=$(local_node_id 2)
assert_nonempty "$id" "node 2's NodeID"
assert_eq active "$(local_state 2)" "node 2's local swarm state"
assert_eq ready "$(node_inspect 1 "$id" '{{.Status.State}}')" "node 2's state on the manager"
assert_eq worker "$(node_inspect 1 "$id" '{{.Spec.Role}}')" "node 2's role"
assert_eq linux "$(node_label 1 "$id" os)" "label os"
assert_eq a "$(node_label 1 "$id" zone)" "label zone"
assert_eq race "$(node_label 1 "$id" sb.test)" "label sb.test"
assert_nonempty "$(node_label 1 "$id" arch)" "label arch"
assert_log_records "$AGENT_LOG" json
grep -q '"level":"\(warning\|info\|debug\)"' "$AGENT_LOG" || fail "no info/warning line in the JSON log"
test_pass
