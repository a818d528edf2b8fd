#!/usr/bin/env bash
# The journal: `journalctl -u swarm-bootstrap` has the agent's lines written natively (not as stderr text),
# each as "[phase] text" with its priority (warnings as 4, errors as 3) and the fields SB_PHASE, and
# SB_NODE_ID once the node id is known. A label removed by hand gives a warning (restored); a restart with
# the manager gone gives the error of the deadline. No join token in any field.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_journal

swarm_init 1
ct_boot 2
printf '%s\n' '{"managers": ["'"$(lab_addr 1)"'"], "labels": {"zone": "j"}, "interval": "2s", "timeout": "4s"}' \
  >"$CT_IN/config.json"
ct_install_sh --config /sb/in/config.json
assert_eq 0 "$INSTALL_RC" "install.sh exit code (log $INSTALL_LOG)"
node_id=$(ct_node_id_on 1)
assert_nonempty "$node_id" "node id on the manager"

# A warning: the label removed by hand is restored at the next check (every 2 s).
lab_docker 1 node update --label-rm zone "$node_id" >/dev/null
wait_for 15 "zone=j restored on the manager" '[[ $(node_label 1 "$node_id" zone) == j ]]'
wait_for 10 "the warning about the restored labels in the journal" \
  '(( $(journal_count "\"restored\" in e[\"MESSAGE\"] and e[\"PRIORITY\"] == \"4\"") >= 1 ))'

# An error: with the manager gone, a restarted agent runs out of time (exit 3).
lab stop 1 >/dev/null
ct systemctl restart --no-block swarm-bootstrap.service
wait_for 20 "the deadline error in the journal" \
  '(( $(journal_count "\"no manager answered\" in e[\"MESSAGE\"] and e[\"PRIORITY\"] == \"3\"") >= 1 ))'

ct journalctl -u swarm-bootstrap.service --no-pager -o short-precise | tail -n 12 |
  sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted by test>/g'
ct_agent_journal_json >"$CT_WORK/journal.json"
python3 - "$CT_WORK/journal.json" "$node_id" <<'PY' || fail "journal fields (see above)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
node_id = sys.argv[2]
bad = []
by_prio = {}
phases = set()
with_node = 0
for e in lines:
    msg, phase = e.get("MESSAGE", ""), e.get("SB_PHASE")
    by_prio[e.get("PRIORITY")] = by_prio.get(e.get("PRIORITY"), 0) + 1
    if not phase:
        bad.append("no SB_PHASE: " + msg)
        continue
    phases.add(phase)
    if not msg.startswith("[" + phase + "] "):
        bad.append("MESSAGE does not start with [SB_PHASE]: " + msg)
    if e.get("_TRANSPORT") != "journal":
        bad.append("written as %s, not natively: %s" % (e.get("_TRANSPORT"), msg))
    if e.get("SB_NODE_ID"):
        with_node += 1
        if e["SB_NODE_ID"] != node_id:
            bad.append("SB_NODE_ID %s, not %s: %s" % (e["SB_NODE_ID"], node_id, msg))
warn = [e["MESSAGE"] for e in lines if e.get("PRIORITY") == "4"]
err = [e["MESSAGE"] for e in lines if e.get("PRIORITY") == "3"]
if not any("restored" in m for m in warn): bad.append("no warning-priority line about the restored labels")
if not any("no manager answered" in m for m in err): bad.append("no err-priority line for the deadline")
if not any("wait-manager" == p for p in phases): bad.append("no [wait-manager] line")
if with_node == 0: bad.append("no line has SB_NODE_ID")
print("agent journal: %d lines, by priority %s, phases %s, %d with SB_NODE_ID" %
      (len(lines), dict(sorted(by_prio.items())), sorted(phases), with_node))
print("warning:", warn[0] if warn else None)
print("err:", err[0] if err else None)
for b in bad[:10]:
    print("BAD:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
ct journalctl -u swarm-bootstrap.service -p warning --no-pager -o cat SYSLOG_IDENTIFIER=swarm-bootstrap | head -3
assert_no_token_in_journal
test_pass
