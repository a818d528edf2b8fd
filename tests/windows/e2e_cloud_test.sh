#!/usr/bin/env bash
# End to end under wine: the Windows service acts on an emulated Azure Terminate (the seed's Windows scale set).
#
# A lab of three real dockerd engines (tests/integration/lab.sh, the Windows lab's own namespaces and subnet):
# node 1 runs `swarm init`, node 3 joins as a worker with the docker CLI, and node 2's engine is the Windows
# agent's (pipe_relay.exe serves \\.\pipe\docker_engine in node 2's namespace for it). A service of 4 real tasks
# (Debian's busybox-static, imported on the workers) runs on the workers. In node 2's namespace,
# sb_metadata_emulator.exe (tests/fakes) serves Azure's metadata on 127.0.0.1, and swarm-bootstrap.exe is
# installed as a service of wine's SCM with --cloud azure --metadata-endpoint pointing at it. Once it joined and
# runs tasks, an Azure Terminate for node 2's VM with NotBefore 60 s ahead: before NotBefore, the tasks run on
# node 3 (4/4), node 2 has left, its entry is removed on the manager, and the emulator got the approval
# (StartRequests with the EventId). The service's log and its Event Log name each step; no join token in any
# log. Prints `CLOUD_WINDOWS azure notice_to_done_s=X approved_before_notbefore_s=Y`.
# Nothing goes to 169.254.169.254: the only metadata address is the emulator's on node 2's loopback.
# Needs root, ip netns, dockerd and wine; exits 77 (skip) without them.
# Usage: e2e_cloud_test.sh SWARM_BOOTSTRAP_EXE PIPE_RELAY_EXE LAB_SH SB_METADATA_EMULATOR_EXE SB_SERVICE_PROBE_EXE
set -uo pipefail
exe=$1
relay=$2
lab_sh=$3
emulator=$4
probe=$5

source "$(dirname "$0")/lab_wine.sh"
win_lab_begin cloud "$lab_sh"
win_service_exe=$exe
# shellcheck source=tests/integration/images.sh
source "$(dirname "$lab_sh")/images.sh"

say "lab: 3 engines in $SB_LAB_PREFIX-n1..n3 ($SB_LAB_SUBNET.0/24)"
lab down >/dev/null 2>&1
lab up 3 >/dev/null || { fail "lab up"; exit 1; }
lab docker 1 swarm init --advertise-addr "$manager" >/dev/null || { fail "swarm init"; exit 1; }
lab docker 3 swarm join --token "$(lab docker 1 swarm join-token -q worker)" "$manager:2377" >/dev/null ||
  { fail "node 3: swarm join"; exit 1; }
busybox_image_on 2 3 || { fail "cannot import the busybox image on nodes 2 and 3"; exit 1; }
host2=$(lab host 2)
host3=$(lab host 3)

# running_tasks [ON_HOST]: how many of web's tasks run (on ON_HOST only).
running_tasks() {
  lab docker 1 service ps web --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' 2>/dev/null |
    awk -v on="${1:-}" '$2 == "Running" && (on == "" || $1 == on) {n++} END {print n + 0}'
}
local_state() { lab docker 2 info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
seconds() { LC_ALL=C awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }

win_prefix_init
win_scm_start
win_relay_start "$relay"

# The emulator in node 2's namespace on its loopback; as for the relay, a wine start that never gets going is
# tried again.
emulator_start() {
  local attempt
  for attempt in 1 2 3; do
    in_node2 wine "$emulator" --listen 127.0.0.1:0 --vm-name "$vm_name" </dev/null >"$work/emulator.log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 150); do
      port=$(tr -d '\r' <"$work/emulator.log" 2>/dev/null | sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p')
      [[ -n $port ]] && return 0
      sleep 0.1
    done
    say "emulator: no word after 15 s (attempt $attempt); starting it again"
    kill "$emulator_pid" 2>/dev/null
  done
  return 1
}
control() { # METHOD PATH [JSON]
  in_node2 curl -fsS -X "$1" -H 'Content-Type: application/json' --data "${3:-}" "http://127.0.0.1:$port$2"
}
vm_name="${SB_LAB_PREFIX}-vmss_2"
emulator_start || { fail "the metadata emulator did not start: $(cat "$work/emulator.log")"; exit 1; }
pass "emulator: Azure metadata for VM $vm_name on 127.0.0.1:$port in node 2's namespace"

say "# the service: run with --cloud azure against the emulator"
sb_dir="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap"
log="$sb_dir/swarm-bootstrap.log"
t_install=$(now_ms)
if wine2 "$exe" service install --no-depends --manager "$manager" --label zone=cloud --timeout 5m \
  --interval 5s --backoff-initial 200ms --backoff-max 2s \
  --cloud azure --metadata-endpoint "http://127.0.0.1:$port" >"$work/install.log" 2>&1; then
  pass "service install --cloud azure --metadata-endpoint http://127.0.0.1:$port (started)"
else
  fail "service install: $(tr -d '\r' <"$work/install.log")"
  exit 1
fi
id2=""
for _ in $(seq 120); do
  id2=$(local_node_id)
  [[ -n $id2 && $(node_field "$id2" '{{.Status.State}}') == ready ]] && break
  sleep 0.5
done
if [[ -n $id2 && $(node_field "$id2" '{{.Status.State}}') == ready ]]; then
  pass "the service joined node 2 as $id2 after $(seconds $(($(now_ms) - t_install))) s"
else
  fail "the service did not join (node id '$id2'); log: $(tr -d '\r' <"$log" 2>/dev/null | tail -5)"
  exit 1
fi
# Created now, the service spreads over both workers at once (no rebalancing needed).
lab docker 1 service create -d --no-resolve-image --name web --replicas 4 --constraint node.role==worker \
  "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null || { fail "service create web"; exit 1; }
for _ in $(seq 120); do
  (($(running_tasks) == 4 && $(running_tasks "$host2") > 0)) && break
  sleep 0.5
done
on2=$(running_tasks "$host2")
((on2 > 0 && $(running_tasks) == 4)) && pass "web: 4/4 Running, $on2 on node 2" ||
  { fail "web: $(running_tasks)/4 Running, $on2 on node 2"; exit 1; }
# The agent polls the emulator (it answers about once a second).
for _ in $(seq 50); do
  control GET /control/report | grep -q '"GET /metadata/scheduledevents":' && break
  sleep 0.2
done
polls=$(control GET /control/report | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("GET /metadata/scheduledevents", 0))')
((polls > 0)) && pass "the service polls the emulator's scheduled events ($polls requests so far)" ||
  fail "the service never asked the emulator for scheduled events"

say "# an Azure Terminate for $vm_name, NotBefore 60 s ahead"
t0=$(now_ms)
event_id=$(control POST /control/azure/event '{"type": "Terminate", "not_before_in": 60}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["EventId"])')
[[ -n $event_id ]] || { fail "injecting the Terminate"; exit 1; }
not_before_ms=$(control GET /control/report |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["not_before_ms"][sys.argv[1]])' "$event_id")
say "event $event_id, NotBefore in $(seconds $((not_before_ms - t0))) s"
approved_at_ms=""
done_ok() {
  [[ $(local_state) == inactive ]] && ! lab docker 1 node inspect "$id2" >/dev/null 2>&1 || return 1
  approved_at_ms=$(control GET /control/report |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["approved_at_ms"].get(sys.argv[1], ""))' "$event_id")
  [[ -n $approved_at_ms ]]
}
while ! done_ok && (($(now_ms) < not_before_ms)); do sleep 0.2; done
t_done=$(now_ms)
if done_ok; then
  pass "node 2 left, its entry is removed and the event approved, $(seconds $((t_done - t0))) s after the notice"
else
  fail "by NotBefore: local state '$(local_state)', entry $(lab docker 1 node inspect "$id2" >/dev/null 2>&1 &&
    echo present || echo removed), approvals $(control GET /control/report | grep -o '"approvals":\[[^]]*\]')"
fi
[[ $(local_state) == inactive ]] && pass "node 2's engine: LocalNodeState inactive" ||
  fail "node 2's engine: LocalNodeState '$(local_state)'"
lab docker 1 node inspect "$id2" >/dev/null 2>&1 && fail "the manager still lists $id2" ||
  pass "the manager no longer lists $id2 ($(lab docker 1 node ls -q | wc -l) node(s) left)"
running=$(running_tasks)
on3=$(running_tasks "$host3")
((running == 4 && on3 == 4)) && pass "web: 4/4 Running, all on node 3" || fail "web: $running/4 Running, $on3 on node 3"
if [[ -n $approved_at_ms ]]; then
  ((approved_at_ms < not_before_ms)) &&
    pass "the emulator got StartRequests for $event_id $(seconds $((not_before_ms - approved_at_ms))) s before NotBefore" ||
    fail "approved $(seconds $((approved_at_ms - not_before_ms))) s after NotBefore"
  echo "CLOUD_WINDOWS azure notice_to_done_s=$(seconds $((t_done - t0))) approved_before_notbefore_s=$(seconds $((not_before_ms - approved_at_ms)))"
else
  fail "the emulator got no approval for $event_id"
fi
ledger="$sb_dir/state.notices.json"
for _ in $(seq 25); do grep -Eq '"phase": "(approved|done)"' "$ledger" 2>/dev/null && break; sleep 0.2; done
grep -Eq '"phase": "(approved|done)"' "$ledger" 2>/dev/null &&
  pass "the notice ledger records it handled: $(grep -Eo '"phase": "[a-z]+"' "$ledger" | head -1)" ||
  fail "the notice ledger ($ledger) does not record it handled: $(cat "$ledger" 2>/dev/null)"

say "# what the service said: its log and the Event Log"
tr -d '\r' <"$log" | grep -E '\[cloud\]' | sed 's/^/     /'
events=$(grep -a ":eventlog:ReportEventW" "$work/trace" | tr -d '\r')
for step in "notice seen: azure Terminate id $event_id" "drain done" "left the swarm" "entry of node $id2 removed" \
  "approved event $event_id"; do
  tr -d '\r' <"$log" | grep -q "\[cloud\].*$step" && pass "log: $step" || fail "log: no '$step'"
  grep -q "$step" <<<"$events" && pass "Event Log: $step" || fail "Event Log: no '$step'"
done
grep -q SWMTKN "$log" "$work/trace" "$work/emulator.log" "$sb_dir"/*.json 2>/dev/null &&
  fail "a join token appears in a log or file of the service" || pass "no join token in the log, Event Log, emulator log or state"

stop_timed "$probe" "after the notice"
wine2 "$exe" service uninstall >/dev/null 2>&1 && pass "service uninstall" || fail "service uninstall"

say "# cloud: $failures failure(s)"
((failures == 0))
