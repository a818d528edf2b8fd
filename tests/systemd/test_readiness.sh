#!/usr/bin/env bash
# Readiness is real: `systemctl start swarm-bootstrap` returns only once the node has joined and been
# labelled. The package is installed and configured with no swarm anywhere; the swarm is initialised 10 s
# after the start; until then `systemctl is-active` says `activating`, polled twice a second.
# The agent logs at trace level here, and no join token reaches the journal at any level.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_readiness

ct_boot 3
ct_install_package
assert_eq inactive "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active after apt-get install without a configuration"
ct_write_config '{"managers": ["'"$(lab_addr 1)"'"], "labels": {"zone": "ready"}, "log_level": "trace"}'

t_start=$(now_ms)
ct systemctl start swarm-bootstrap.service >"$CT_WORK/start.log" 2>&1 &
start_pid=$!
# systemctl runs in the background: wait until systemd has queued its start job (the unit leaves `inactive`).
s=inactive
while [[ $s == inactive ]] && (($(now_ms) - t_start < 5000)); do
  sleep 0.05
  s=$(ct systemctl is-active swarm-bootstrap.service || true)
done
polls=0
states=()
while (($(now_ms) - t_start < 10000)); do
  s=$(ct systemctl is-active swarm-bootstrap.service || true)
  states+=("$s")
  polls=$((polls + 1))
  [[ $s == activating ]] || fail "is-active is '$s' $(elapsed_s "$t_start") s after the start, with no swarm yet"
  pid_running "$start_pid" || fail "systemctl start returned after $(elapsed_s "$t_start") s, with no swarm yet"
  sleep 0.5
done
note "no swarm for 10 s: systemctl start still waiting; is-active 'activating' in all $polls polls"
t_init=$(now_ms)
swarm_init 1
note "swarm initialised on node 1"
rc=0
wait "$start_pid" || rc=$?
t_ret=$(now_ms)
assert_eq 0 "$rc" "systemctl start exit code ($(cat "$CT_WORK/start.log"))"
ready_and_labelled 1 zone ready || fail "systemctl start returned, but the node is not Ready and labelled on the manager"
assert_eq active "$(ct systemctl is-active swarm-bootstrap.service)" "is-active after the start returned"
note "systemctl start returned $(elapsed_s "$t_init" "$t_ret") s after swarm init ($(elapsed_s "$t_start" "$t_ret") s after the start); the node was Ready with zone=ready then"

levels=$(ct_agent_journal_json | python3 -c '
import json, sys, collections
c = collections.Counter(json.loads(l).get("PRIORITY") for l in sys.stdin)
print(" ".join(f"{k}:{v}" for k, v in sorted(c.items())))')
note "agent journal lines by priority (7 debug/trace, 6 info, 4 warning, 3 err): $levels"
[[ $levels == *"7:"* ]] || note "(no debug-priority line: on this path the agent has nothing to say below info)"
assert_no_token_in_journal
note "no SWMTKN-1- in any journal field (trace level)"
test_pass
