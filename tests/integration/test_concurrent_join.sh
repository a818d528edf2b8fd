#!/usr/bin/env bash
# concurrent_join: two `join` processes on one node: exactly one joins, the other exits 7 (another instance is
# running); one entry in the node list. The first starts before the swarm exists, so it holds the lock while
# it waits whatever the machine's load (started together, a first agent that joined in 0.2 s could end before
# the second even started, and both then rightly exit 0); the second starts while it waits.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin concurrent_join

join_args 2 "$(lab_addr 1)"
lock=(--lock-file "$SB_LAB_DIR/n2/agent.lock")
agent_start first 2 "${JOIN_ARGS[@]}" "${lock[@]}" --timeout 60s --backoff-initial 200ms --backoff-max 1s
p1=$AGENT_PID l1=$AGENT_LOG
# shellcheck disable=SC2317 # called through wait_until
first_waits() { grep -q '\[wait-manager\]' "$l1"; }
wait_until 20 "the first agent waiting for a manager" first_waits
agent_start second 2 "${JOIN_ARGS[@]}" "${lock[@]}" --timeout 60s
p2=$AGENT_PID l2=$AGENT_LOG
rc2=0
wait "$p2" || rc2=$?
swarm_init 1
rc1=0
wait "$p1" || rc1=$?
note "exit codes: $rc1 and $rc2"
assert_eq "0 7" "$rc1 $rc2" "exit codes of the waiting agent and the second one"
assert_contains "$l2" "another swarm-bootstrap is already running" "the second agent's message"
[[ -s $l1 ]] || fail "no log of the first agent"
host=$(lab host 2)
entries=$(lab_docker 1 node ls --format '{{.Hostname}}' | grep -cx "$host" || true)
assert_eq 1 "$entries" "entries with hostname $host"
test_pass
