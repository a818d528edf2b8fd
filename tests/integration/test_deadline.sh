#!/usr/bin/env bash
# deadline: the only manager's engine is down; with --timeout 10s the agent gives up with exit 3 after 9-20 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin deadline

at_exit 'lab start 4 >/dev/null 2>&1'
lab stop 4 2>/dev/null
join_args 2 "$(lab_addr 4)"
agent_run join 2 "${JOIN_ARGS[@]}" --timeout 10s --backoff-initial 200ms --backoff-max 2s
secs=$(elapsed_s "$AGENT_T0" "$AGENT_T1")
echo "MEASURE deadline.exit_s=$secs"
assert_rc 3 "join with no manager up and --timeout 10s"
assert_between 9 20 "$secs" "seconds until the agent gave up"
assert_eq inactive "$(local_state 2)" "node 2's local swarm state"
assert_log_records "$AGENT_LOG" text
test_pass
