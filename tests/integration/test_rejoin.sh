#!/usr/bin/env bash
# rejoin: `rejoin` on a joined worker leaves, removes its old entry and joins again: afterwards exactly one ready
# entry carries this hostname.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin rejoin

swarm_init 1
join_args 2 "$(lab_addr 1)"
agent_run join 2 "${JOIN_ARGS[@]}" --label zone=r
assert_rc 0 "first join"
old=$(local_node_id 2)

args=("${JOIN_ARGS[@]:1}")
agent_run rejoin 2 rejoin "${args[@]}" --label zone=r
assert_rc 0 "rejoin"
new=$(local_node_id 2)
assert_ne "$old" "$new" "node id after rejoin"
host=$(lab host 2)
entries=$(lab_docker 1 node ls --format '{{.Hostname}} {{.Status}}' | grep -c "^$host " || true)
assert_eq 1 "$entries" "entries with hostname $host"
assert_eq ready "$(node_inspect 1 "$new" '{{.Status.State}}')" "the new entry's state"
assert_eq r "$(node_label 1 "$new" zone)" "label zone after rejoin"
test_pass
