#!/usr/bin/env bash
# End to end under wine: swarm-bootstrap.exe joins a real swarm through the named pipe.
#
# A lab of two real dockerd engines (tests/integration/lab.sh, its own namespaces and subnet so that it never
# meets the Linux integration lab): node 1 runs `swarm init`; in node 2's network namespace, pipe_relay.exe
# serves \\.\pipe\docker_engine and forwards to node 2's engine (tcp NODE2:2375), and
#   1. `swarm-bootstrap.exe join --manager NODE1 --label zone=w` (default docker host: the named pipe) joins;
#      the manager sees the node ready with labels os=linux (the engine is Linux: the point is the Windows
#      binary's transport and flow), arch, zone=w; the state file records it; a second join changes nothing;
#   1b. `check` answers every check under wine (the firewall's skipped with why);
#   1c. `drain` and `drain --undo` change the node's availability on the manager; `leave --drain` leaves and
#      removes the node's entry;
#   2. after the node left, `swarm-bootstrap.exe service install` runs `run` as a service of wine's SCM: it joins
#      again (new node id, label zone=svc), writes its state file and its join and labels to the Event Log,
#      stops within 1 s of the stop control (`sc stop`);
#   3. with its join request held unanswered by a proxy (tests/systemd/hold_proxy.py), the service stops within
#      1 s of the stop control, mid-join;
#   4. its local engine answering and its only manager one that accepts and never answers (the proxy's silent
#      port), the service stops within 1 s of the stop control; `service uninstall` removes it.
# Needs root, ip netns, dockerd and wine; exits 77 (skip) without them.
# Usage: e2e_join_test.sh SWARM_BOOTSTRAP_EXE PIPE_RELAY_EXE LAB_SH SB_SERVICE_PROBE_EXE
set -uo pipefail
exe=$1
relay=$2
lab_sh=$3
probe=$4

source "$(dirname "$0")/lab_wine.sh"
win_lab_begin e2e "$lab_sh"
win_service_exe=$exe

say "lab: 2 engines in $SB_LAB_PREFIX-n1/-n2 ($SB_LAB_SUBNET.0/24)"
lab down >/dev/null 2>&1
lab up 2 || { fail "lab up"; exit 1; }
lab docker 1 swarm init --advertise-addr "$manager" >/dev/null || { fail "swarm init"; exit 1; }

win_prefix_init
win_scm_start
win_relay_start "$relay"

say "# 1. one-shot join through the named pipe"
t0=$(now_ms)
wine2 "$exe" join --manager "$manager" --label zone=w --timeout 2m >"$work/join.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
tr -d '\r' <"$work/join.log" | sed 's/^/     /' | tail -15
if ((rc == 0)); then pass "join exited 0 after ${took} ms"; else fail "join exited $rc"; fi
grep -q 'npipe:////./pipe/docker_engine' "$work/join.log" && pass "the local engine was reached through the default named pipe" ||
  fail "the log does not mention npipe:////./pipe/docker_engine"
id=$(local_node_id)
[[ -n $id ]] && pass "node 2 is in the swarm as $id" || fail "node 2 has no node id"
[[ $(node_field "$id" '{{.Status.State}}') == ready ]] && pass "the manager sees it ready" || fail "not ready on the manager"
labels=$(node_field "$id" '{{json .Spec.Labels}}')
say "labels on the manager: $labels"
[[ $labels == *'"os":"linux"'* ]] && pass "label os=linux" || fail "label os missing"
[[ $labels == *'"zone":"w"'* ]] && pass "label zone=w" || fail "label zone missing"
[[ $labels == *'"arch":"amd64"'* ]] && pass "label arch=amd64" || fail "label arch missing"
state="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap/state.json"
if [[ -f $state ]] && grep -q "$id" "$state"; then pass "state file %ProgramData%\\swarm-bootstrap\\state.json names the node"; else fail "no state file with the node id"; fi
grep -q SWMTKN "$work/join.log" "$state" 2>/dev/null && fail "a join token appears in the log or state file" || pass "no join token in the log or state file"

say "# 1b. check under wine: every check answers, the Windows ones (Firewall, PathMTU) or say skipped with why"
t0=$(now_ms)
wine2 "$exe" check --manager "$manager" --label zone=w --json >"$work/check.json" 2>"$work/check.err"
rc=$?
took=$(( $(now_ms) - t0 ))
tr -d '\r' <"$work/check.json" | sed 's/^/     /' | grep -E '"(name|status|message)"' | paste - - - | head -20
if python3 - "$work/check.json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", ""))
by = {c["name"]: c for c in d["checks"]}
need = ["EngineVersion", "ManagerAPI", "SwarmPort", "ClockSkew", "DataPathPort", "PathMTU", "Hostname",
        "NodeAddress", "NodeReady", "NodeLabels", "Firewall"]
missing = [n for n in need if n not in by]
assert not missing, f"missing checks {missing}"
for c in d["checks"]:
    assert c["status"] in ("ok", "warning", "error", "skipped"), c
    assert c["message"], f"{c['name']} says nothing"
fw = by["Firewall"]
assert fw["status"] in ("ok", "skipped"), fw
if fw["status"] == "skipped":
    assert "wine" in fw["message"] or "HRESULT" in fw["message"], fw
errors = [c for c in d["checks"] if c["status"] == "error"]
assert not errors, errors
print("Firewall:", fw["status"], "-", fw["message"])
print("PathMTU:", by["PathMTU"]["status"], "-", by["PathMTU"]["message"])
PY
then pass "check under wine: exit $rc after ${took} ms, every check answered or said skipped with why"; else fail "check under wine (exit $rc): $(tr -d '\r' <"$work/check.err" | tail -3)"; fi
((rc == 0)) || fail "check exited $rc on a healthy member"

version_before=$(node_field "$id" '{{.Version.Index}}')
wine2 "$exe" join --manager "$manager" --label zone=w --timeout 1m >"$work/join2.log" 2>&1
rc=$?
((rc == 0)) && [[ $(node_field "$id" '{{.Version.Index}}') == "$version_before" ]] &&
  pass "a second join exits 0 and changes nothing" || fail "second join: exit $rc, version $version_before -> $(node_field "$id" '{{.Version.Index}}')"

say "# 1c. drain, drain --undo and leave --drain from the exe, through the lab's manager"
t0=$(now_ms)
wine2 "$exe" drain --manager "$manager" --deadline 30s >"$work/drain.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
tr -d '\r' <"$work/drain.log" | sed 's/^/     /' | tail -4
availability=$(node_field "$id" '{{.Spec.Availability}}')
((rc == 0)) && [[ $availability == drain ]] && pass "drain exited 0 after ${took} ms; the manager sees availability drain" ||
  fail "drain: exit $rc, availability '$availability'"
t0=$(now_ms)
wine2 "$exe" drain --undo --manager "$manager" >"$work/undrain.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
availability=$(node_field "$id" '{{.Spec.Availability}}')
((rc == 0)) && [[ $availability == active ]] && pass "drain --undo exited 0 after ${took} ms; availability active again" ||
  fail "drain --undo: exit $rc, availability '$availability': $(tr -d '\r' <"$work/undrain.log" | tail -2)"
t0=$(now_ms)
wine2 "$exe" leave --drain --manager "$manager" --deadline 30s >"$work/leave.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
tr -d '\r' <"$work/leave.log" | sed 's/^/     /' | tail -6
local_state=$(lab docker 2 info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)
((rc == 0)) && [[ $local_state == inactive ]] && pass "leave --drain exited 0 after ${took} ms; node 2 left the swarm" ||
  fail "leave --drain: exit $rc, local node state '$local_state'"
lab docker 1 node inspect "$id" >/dev/null 2>&1 && fail "the manager still lists $id" ||
  pass "the manager no longer lists $id (its entry was removed)"
grep -q SWMTKN "$work/drain.log" "$work/undrain.log" "$work/leave.log" && fail "a join token appears in a drain/leave log" ||
  pass "no join token in the drain and leave logs"

say "# 2. the service: run under wine's SCM, joining through the pipe"
# leave --drain (1c) keeps its leaving marker beside the state file: with it, run would pause healing.
rm -f "$state" "$state.leaving"
if wine2 "$exe" service install --no-depends --manager "$manager" --label zone=svc --timeout 5m >"$work/install.log" 2>&1; then
  pass "service install (started)"
else
  fail "service install: $(tr -d '\r' <"$work/install.log")"
fi
new_id=""
for _ in $(seq 120); do
  new_id=$(local_node_id)
  if [[ -n $new_id && $new_id != "$id" && $(node_field "$new_id" '{{index .Spec.Labels "zone"}}') == svc ]]; then break; fi
  sleep 0.5
done
if [[ -n $new_id && $new_id != "$id" ]] && [[ $(node_field "$new_id" '{{index .Spec.Labels "zone"}}') == svc ]]; then
  pass "the service joined node 2 again as $new_id with zone=svc"
else
  fail "the service did not join and label (node id '$new_id')"
fi
for _ in $(seq 50); do [[ -f $state ]] && grep -q "$new_id" "$state" && break; sleep 0.2; done
[[ -n $new_id && -f $state ]] && grep -q "$new_id" "$state" && pass "the service wrote its state file" || fail "no state file from the service"
stop_timed "$probe"
log="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap/swarm-bootstrap.log"
[[ -f $log ]] && { pass "service log:"; tr -d '\r' <"$log" | sed 's/^/     /' | tail -8; } || fail "no service log"
events=$(grep -a ":eventlog:ReportEventW" "$work/trace" | tr -d '\r')
if [[ -n $new_id && $events == *"ReportEventW L\"[join] done: joined as node $new_id in cluster "* &&
  $events == *"ReportEventW L\"[label] labelled node $new_id: "*"zone=svc"* ]]; then
  pass "Event Log: the join and the labels"
else
  fail "Event Log: no join or label event for $new_id"
fi
echo "$events" | sed 's/^/     /'
say "# 3. a stop mid-join: the service's join request held by a proxy (a join can take 35 s)"
# hold_proxy.py, in node 2's namespace, forwards to node 2's engine and holds POST /swarm/join unanswered;
# a second pipe_relay serves it as \\.\pipe\sb_held_engine, the service's docker host.
lab docker 2 swarm leave --force >/dev/null || fail "leave"
hold_dir=$work/hold
mkdir -p "$hold_dir"
touch "$hold_dir/hold-join"
in_node2 python3 "$(dirname "$0")/../systemd/hold_proxy.py" 127.0.0.1:2391 "$node2:2375" "$hold_dir" 2392 \
  </dev/null >"$work/hold_proxy.log" 2>&1 &
relay_spawn "$relay" 127.0.0.1:2391 '\\.\pipe\sb_held_engine' "$work/held_relay.log" ||
  fail "the relay for the held engine did not start: $(cat "$work/held_relay.log")"
held_relay_pid=$relay_spawned_pid
wine2 "$exe" service install --no-depends --no-start --manager "$manager" --docker-host npipe:////./pipe/sb_held_engine \
  --timeout 5m >"$work/install-held.log" 2>&1 || fail "service install (held engine): $(tr -d '\r' <"$work/install-held.log")"
wine2 sc start swarm-bootstrap >/dev/null
for _ in $(seq 300); do grep -q "swarm/join" "$hold_dir/held.log" 2>/dev/null && break; sleep 0.1; done
if grep -q "swarm/join" "$hold_dir/held.log" 2>/dev/null; then
  pass "the service's join is held: $(tail -n 1 "$hold_dir/held.log" | cut -d' ' -f2-)"
  sleep 0.5
  stop_timed "$probe" mid-join swarm-bootstrap-mid-join
  [[ -z $(local_node_id) ]] && pass "the held join never reached the engine" || fail "node 2 joined although its join was held"
else
  fail "the service never sent its join (held.log: $(cat "$hold_dir/held.log" 2>/dev/null))"
fi
kill "$held_relay_pid" 2>/dev/null

say "# 4. a stop while waiting for a manager that hangs: it accepts connections and never answers"
# hold_proxy.py (from 3) also listens on 127.0.0.1:2392 in node 2's namespace as such a manager; each connection
# it holds is a line of held.log. The local engine answers (the default pipe, relayed to node 2's engine).
rm -f "$hold_dir/hold-join"
held_before=$(grep -c "manager connection" "$hold_dir/held.log" 2>/dev/null)
log_before=$(wc -l <"$log" 2>/dev/null || echo 0)
wine2 "$exe" service install --no-depends --no-start --manager 127.0.0.1:2392 \
  --docker-host npipe:////./pipe/docker_engine --timeout 5m >"$work/install-hang.log" 2>&1 ||
  fail "service install (hanging manager): $(tr -d '\r' <"$work/install-hang.log")"
wine2 sc start swarm-bootstrap >/dev/null
# Waiting on it: the engine answered, the proxy holds the probe's connection, and the service says so.
waiting_on_manager() {
  (($(grep -c "manager connection" "$hold_dir/held.log" 2>/dev/null) > held_before)) &&
    tail -n +"$((log_before + 1))" "$log" 2>/dev/null | grep -q "\[preflight\] local engine .* answers" &&
    tail -n +"$((log_before + 1))" "$log" 2>/dev/null |
    grep -q "\[wait-manager\] no manager ready (127.0.0.1:2392: no answer within"
}
for _ in $(seq 300); do waiting_on_manager && break; sleep 0.1; done
if waiting_on_manager; then
  pass "the service's local engine answers and it waits on 127.0.0.1:2392, whose probe hangs (held.log: $(grep -c "manager connection" "$hold_dir/held.log") connection(s))"
  tail -n +"$((log_before + 1))" "$log" | tr -d '\r' | sed 's/^/     /' | tail -4
  sleep 0.5 # well inside the hanging probe
  stop_timed "$probe" "hanging manager" swarm-bootstrap-hanging-manager
  query=$(wine2 sc query swarm-bootstrap | tr -d '\r')
  [[ $query =~ WIN32_EXIT_CODE\ *:\ *0\  ]] && pass "a stop while waiting for the manager is a clean end: exit code 0" ||
    fail "exit code after the stop: $(grep EXIT_CODE <<<"$query" | tr -s ' ')"
  [[ -z $(local_node_id) ]] && pass "node 2 did not join (no manager answered)" || fail "node 2 joined without a manager"
else
  fail "the service did not reach the hanging manager (held.log: $(tail -n 2 "$hold_dir/held.log" 2>/dev/null); log: $(tail -n +"$((log_before + 1))" "$log" 2>/dev/null | tr -d '\r' | tail -3))"
fi
kill "$(cat "$hold_dir/proxy.pid" 2>/dev/null)" 2>/dev/null

wine2 "$exe" service uninstall >/dev/null 2>&1 && pass "service uninstall" || fail "service uninstall"
wine2 sc query swarm-bootstrap >/dev/null 2>&1 && fail "sc query still finds swarm-bootstrap" || pass "sc query no longer finds it"

say "# e2e: $failures failure(s)"
((failures == 0))
