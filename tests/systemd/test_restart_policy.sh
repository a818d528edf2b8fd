#!/usr/bin/env bash
# No restart loop for a bad configuration: a configuration error (exit 2) leaves the unit `failed` with
# NRestarts=0 and one clear journal line from the agent. A manager deadline (exit 3) is restarted by systemd
# after RestartSec (5 s).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_restart_policy

ct_boot 2
ct_install_package
restart_sec=$(unit_prop RestartUSec)
note "unit: Restart=$(unit_prop Restart), RestartSec=$restart_sec, RestartPreventExitStatus=$(unit_prop RestartPreventExitStatus)"

# 1. A configuration error: an unknown key.
ct_write_config '{"managers": ["'"$(lab_addr 1)"'"], "labelz": {"zone": "x"}}'
ct systemctl start swarm-bootstrap.service >/dev/null 2>&1 && fail "systemctl start succeeded with a bad configuration"
sleep 7 # longer than RestartSec: a restart would have happened by now
assert_eq failed "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active with a bad configuration"
assert_eq 2 "$(unit_prop ExecMainStatus)" "exit status with a bad configuration"
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts with a bad configuration"
lines=$(ct journalctl -u swarm-bootstrap.service SYSLOG_IDENTIFIER=swarm-bootstrap --no-pager -o cat)
echo "agent's journal lines: $lines"
assert_eq 1 "$(grep -c . <<<"$lines")" "number of the agent's journal lines for a bad configuration"
[[ $lines == *labelz* ]] || fail "the agent's line does not name the bad key: $lines"
assert_eq 1 "$(journal_count 'e["PRIORITY"] == "3"')" "err-priority lines for the bad configuration"
note "exit 2: unit failed, NRestarts=0 after 7 s; one err line: $lines"

# 2. A manager deadline: nothing answers at node 4's address (an engine, not a manager), timeout 3 s.
ct systemctl reset-failed swarm-bootstrap.service
ct_write_config '{"managers": ["'"$(lab_addr 4)"'"], "timeout": "3s"}'
t0=$(now_ms)
ct systemctl start --no-block swarm-bootstrap.service
wait_for 30 "the first restart after exit 3" '(( $(unit_prop NRestarts) >= 1 ))'
wait_for 30 "the second restart after exit 3" '(( $(unit_prop NRestarts) >= 2 ))'
t1=$(now_ms)
ct_agent_journal_json >"$CT_WORK/journal.json"
gaps=$(python3 - "$CT_WORK/journal.json" <<'PY'
import json, sys
events = []
for l in open(sys.argv[1]):
    e = json.loads(l)
    m, t = e["MESSAGE"], int(e["__MONOTONIC_TIMESTAMP"]) / 1e6
    if "no manager answered" in m:
        events.append(("exit", t))
    elif "starting" in m and "[service]" in m:
        events.append(("start", t))
gaps = [round(b[1] - a[1], 2) for a, b in zip(events, events[1:]) if a[0] == "exit" and b[0] == "start"]
print(" ".join(str(g) for g in gaps))
PY
)
assert_nonempty "$gaps" "gaps between an exit 3 and the next start"
note "exit 3 -> next start (s): $gaps; NRestarts=$(unit_prop NRestarts) after $(elapsed_s "$t0" "$t1") s; last exit status $(unit_prop ExecMainStatus)"
for g in $gaps; do
  assert_between 4.9 8 "$g" "time from exit 3 to the restart (RestartSec=$restart_sec)"
done
ct journalctl -u swarm-bootstrap.service --no-pager -o cat | grep -m1 'status=3' ||
  fail "systemd did not log the exit status 3"
test_pass
