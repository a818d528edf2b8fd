#!/usr/bin/env bash
# concurrent_join: two `join` processes started at the same moment on one node: exactly one joins, the other exits
# 7 (another instance is running); one entry in the node list.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin concurrent_join

swarm_init 1
join_args 2 "$(lab_addr 1)"
lock=(--lock-file "$SB_LAB_DIR/n2/agent.lock")
agent_start first 2 "${JOIN_ARGS[@]}" "${lock[@]}"
p1=$AGENT_PID l1=$AGENT_LOG
agent_start second 2 "${JOIN_ARGS[@]}" "${lock[@]}"
p2=$AGENT_PID l2=$AGENT_LOG
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
note "exit codes: $rc1 and $rc2"
codes=$(printf '%s\n' "$rc1" "$rc2" | sort | tr '\n' ' ')
assert_eq "0 7 " "$codes" "exit codes of the two agents"
loser=$l1
[[ $rc2 == 7 ]] && loser=$l2
assert_contains "$loser" "another swarm-bootstrap is already running" "the second agent's message"
host=$(lab host 2)
entries=$(lab_docker 1 node ls --format '{{.Hostname}}' | grep -cx "$host" || true)
assert_eq 1 "$entries" "entries with hostname $host"
test_pass
