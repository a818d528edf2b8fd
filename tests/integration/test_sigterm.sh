#!/usr/bin/env bash
# sigterm: SIGTERM to `run` while it waits for a manager (none has a swarm): it exits 0 within 1 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin sigterm

join_args 2 "$(lab_addr 1)"
args=("${JOIN_ARGS[@]:1}")
agent_start run 2 run "${args[@]}" --backoff-initial 2s --backoff-max 10s
wait_until 20 "the agent to wait for a manager" grep -q 'wait-manager' "$AGENT_LOG"
sleep 1
agent_running || fail "run exited while waiting"
# The agent runs under `unshare`, which execs it: AGENT_PID is the agent itself.
t0=$(now_ms)
kill -TERM "$AGENT_PID"
agent_wait 10
stop_s=$(elapsed_s "$t0" "$AGENT_T1")
note "exited $stop_s s after SIGTERM"
echo "MEASURE sigterm.stop_s=$stop_s"
assert_rc 0 "run after SIGTERM"
assert_le 1 "$stop_s" "seconds from SIGTERM to exit"
test_pass
