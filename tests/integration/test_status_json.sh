#!/usr/bin/env bash
# status_json: `status --json` before and after joining tells the truth, checked against docker info/node ls.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin status_json
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"

swarm_init 1
args=(--docker-host "unix://$(lab_sock 2)" --manager "$(lab_addr 1)")
status_json() { # NAME -> prints the JSON path, sets AGENT_RC
  agent_start "$1" 2 status --json "${args[@]}"
  agent_wait 30
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
json_of() { sed -n '/^{/,/^}/p' "$1" >"$1.json"; echo "$1.json"; }

status_json before
assert_eq 8 "$AGENT_RC" "status exit code before joining (not a member)"
before=$(json_of "$AGENT_LOG")
assert_eq False "$(field "$before" 'd["member"]')" "member before joining"
assert_eq inactive "$(field "$before" 'd["swarm"]["local_state"]')" "local_state before joining"
assert_eq True "$(field "$before" 'd["managers"][0]["ready"]')" "manager ready"

join_args 2 "$(lab_addr 1)"
agent_run join 2 "${JOIN_ARGS[@]}" --label zone=s
assert_rc 0 "join"

status_json after
assert_eq 0 "$AGENT_RC" "status exit code as a member"
after=$(json_of "$AGENT_LOG")
assert_eq True "$(field "$after" 'd["member"]')" "member after joining"
assert_eq "$(local_node_id 2)" "$(field "$after" 'd["swarm"]["node_id"]')" "node id (docker info)"
assert_eq "$(cluster_id 1)" "$(field "$after" 'd["swarm"]["cluster_id"]')" "cluster id (the manager's docker info)"
assert_eq "$(local_state 2)" "$(field "$after" 'd["swarm"]["local_state"]')" "local state"
id=$(local_node_id 2)
assert_eq "$(node_inspect 1 "$id" '{{.Spec.Role}}')" "$(field "$after" 'd["node"]["role"]')" "role (node inspect)"
assert_eq "$(node_inspect 1 "$id" '{{.Status.State}}')" "$(field "$after" 'd["node"]["state"]')" "state (node inspect)"
assert_eq "$(node_inspect 1 "$id" '{{.Spec.Availability}}')" "$(field "$after" 'd["node"]["availability"]')" "availability"
assert_eq s "$(field "$after" 'd["node"]["labels"]["zone"]')" "label zone"
assert_eq "$(lab host 2)" "$(field "$after" 'd["node"]["hostname"]')" "hostname (node ls)"
test_pass
