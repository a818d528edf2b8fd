#!/usr/bin/env bash
# bench/scale-in.sh [--quick]: taking workers away, abruptly and with `leave --drain`, side by side in one run.
# Lab nodes (tests/integration/lab.sh): 1 the manager, 2-5 workers, every node's agent under `run`; a service
# "web" of 8 replicas (busybox `sleep`, imported on each engine) constrained to workers. Then:
#   (a) abrupt: workers 4 and 5 vanish (every process in their namespaces killed: no drain, no leave). Printed:
#       replica-seconds the service missed (its running containers on the workers' engines, counted every 0.1 s:
#       the manager lists a vanished node's tasks as running until it notices), how long it ran short,
#       what the manager keeps (Down entries); when the agent has --reap-down-after, the manager's agent runs with
#       --reap-down-after 30s and the entries left within grace + 2 x interval are printed too.
#   (b) graceful: two fresh workers take their place and the service is spread again; `leave --drain` runs on 4
#       and 5 (beside their `run`, which holds the lock), then the VMs go. Printed: replica-seconds missed,
#       entries left when each command returned, tasks Running when it returned.
#   (c) managers: 3 managers; `leave --drain` on one, then a `docker service update` at once; with one manager
#       down, `leave --drain` on a second (expected: refused, exit 10).
# --quick (bench/smoke.sh): 4 replicas, no reaper wait. Writes $SB_BENCH_OUT/scale-in.csv.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/images.sh
source "$REPO_DIR/tests/integration/images.sh"

QUICK=0
[[ ${1:-} == --quick ]] && QUICK=1
REPLICAS=8
((QUICK)) && REPLICAS=4
INTERVAL=5s
INTERVAL_S=5
GRACE_S=30
bench_require
lab_ensure 5

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-scale-in.XXXXXX")
CSV="$OUT_DIR/scale-in.csv"
declare -A RUN_PID=()
SAMPLER=
cleanup() {
  local rc=$? p
  for p in "${RUN_PID[@]}" $SAMPLER; do kill -TERM "$p" 2>/dev/null || true; done
  for i in 1 2 3 4 5; do lab start "$i" >/dev/null 2>&1 || true; done
  bench_tmp_done "$rc"
}
trap cleanup EXIT

M=$(lab_addr 1)
REAPER=()
if "$SB_BIN" run --help 2>&1 | grep -q -- --reap-down-after; then
  REAPER=(--reap-down-after "${GRACE_S}s")
fi

# agent I ARGS...: the agent in node I's namespace with its hostname, its own state and lock files.
agent() {
  local i=$1
  shift
  # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
  ip netns exec "$(lab_ns "$i")" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$(lab_host "$i")" \
    "$SB_BIN" "$1" --docker-host "unix://$(lab_sock "$i")" --state-file "$TMP/state.$i" \
    --lock-file "$TMP/lock.$i" "${@:2}"
}
start_run() { # I ARGS...
  local i=$1
  shift
  agent "$i" run --manager "$M" --interval "$INTERVAL" "$@" >>"$TMP/run.$i.log" 2>&1 &
  RUN_PID[$i]=$!
}
# The VM is gone: every process in the node's namespace (dockerd, containerd, shims, agents) and the tasks'
# processes are killed at once, without notice.
vm_gone() {
  local i=$1 pids
  pids=$(lab_docker "$i" ps -q 2>/dev/null | xargs -r "$DOCKER" -H "unix://$(lab_sock "$i")" inspect \
    --format '{{.State.Pid}}' 2>/dev/null || true)
  pids="$pids $(ip netns pids "$(lab_ns "$i")" | tr '\n' ' ')"
  # shellcheck disable=SC2086 # a list of pids
  kill -KILL $pids 2>/dev/null || true
  unset "RUN_PID[$i]"
}
node_id_of() { lab_docker "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null; }
running() { # the service's Running tasks, from the manager
  lab_docker 1 service ps web --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null |
    grep -c '^Running' || true
}
down_entries() { lab_docker 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Down' || true; }
entries_of() { lab_docker 1 node ls -q --filter "id=$1" 2>/dev/null | grep -c . || true; }
wait_for() { # TIMEOUT_S WHAT CMD...
  local t0 timeout=$1 what=$2
  shift 2
  t0=$(now_ms)
  until "$@" >/dev/null 2>&1; do
    (($(now_ms) - t0 < timeout * 1000)) || die "timed out after ${timeout}s waiting for $what"
    sleep 0.2
  done
}
full() { [[ $(running) == "$REPLICAS" ]]; }
spread() { # every worker runs a task and the service is full
  full || return 1
  local per
  per=$(lab_docker 1 service ps web --filter desired-state=running --format '{{.Node}}' | sort -u | wc -l)
  ((per == 4))
}
sampler_start() { # NAME
  rm -f "$TMP/stop.$1"
  "$PYTHON" "$BENCH_DIR/tools.py" sample-running web 0.1 "$TMP/stop.$1" "$(lab_sock 2)" "$(lab_sock 3)" \
    "$(lab_sock 4)" "$(lab_sock 5)" >"$TMP/$1.samples" &
  SAMPLER=$!
}
sampler_stop() { # NAME
  touch "$TMP/stop.$1"
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=
}
# missed NAME FROM_MS: "REPLICA_SECONDS SHORT_S": the replica-seconds missed from FROM_MS on (a failed sample
# counts as the one before it), and the time from FROM_MS to the last sample that was short.
missed() {
  awk -v from="$2" -v want="$REPLICAS" '
    $1 < from { if ($2 != "nan") last = $2; next }
    { v = ($2 == "nan") ? last : $2; last = v
      if (v < want) { sum += (want - v) * 0.1; end = $1 } }
    END { printf "%.1f %.1f\n", sum, (end ? (end - from) / 1000 : 0) }' "$TMP/$1.samples"
}

setup_workers() {
  local i
  busybox_image_on 2 3 4 5 || die "cannot import the busybox image"
  for i in 2 3 4 5; do
    [[ -n ${RUN_PID[$i]:-} ]] || start_run "$i"
  done
}

# ------------------------------------------------------------------------------------------- set-up: 1 + 4
say "scale-in: lab of 1 manager + 4 workers under run, web: $REPLICAS replicas on workers; agent $SB_BIN"
for i in 1 2 3 4 5; do lab leave "$i" >/dev/null 2>&1 || true; done
for i in 1 2 3 4 5; do lab wipe "$i" >/dev/null 2>&1 || die "engine $i does not start"; done
lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
start_run 1 --role manager "${REAPER[@]}"
setup_workers
wait_for 90 "4 ready workers" sh -c "[ \$($DOCKER -H unix://$(lab_sock 1) node ls --filter role=worker \
  --format '{{.Status}}' | grep -c Ready) -ge 4 ]"
lab_docker 1 service create -d --no-resolve-image --name web --replicas "$REPLICAS" --constraint node.role==worker \
  "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null
wait_for 120 "web spread over 4 workers" spread

# ------------------------------------------------------------------------------------------- (a) abrupt
id4=$(node_id_of 4)
id5=$(node_id_of 5)
say "(a) abrupt: workers 4 and 5 vanish"
sampler_start abrupt
sleep 1
t_a=$(now_ms)
vm_gone 4
vm_gone 5
wait_for 120 "the manager to see 4 and 5 down" sh -c "[ \$($DOCKER -H unix://$(lab_sock 1) node ls \
  --format '{{.Status}}' | grep -c Down) -ge 2 ]"
t_down=$(now_ms)
wait_for 120 "web back to $REPLICAS" full
sleep 2
sampler_stop abrupt
read -r a_missed a_short < <(missed abrupt "$t_a")
a_kept=$(down_entries)
a_reaped="-"
if ((${#REAPER[@]})) && ((!QUICK)); then
  limit=$((GRACE_S + 2 * INTERVAL_S))
  say "(a) the manager's agent reaps with a grace of ${GRACE_S}s: waiting ${limit}s after the nodes went down"
  left_ms=$((t_down + limit * 1000 - $(now_ms)))
  ((left_ms > 0)) && sleep "$((left_ms / 1000)).$(printf '%03d' $((left_ms % 1000)))"
  a_reaped=$(down_entries)
fi
# What the manager kept is not the next phase's business.
for id in "$id4" "$id5"; do lab_docker 1 node rm --force "$id" >/dev/null 2>&1 || true; done

# ------------------------------------------------------------------------------------------- (b) leave --drain
say "(b) graceful: two new workers, web spread again, then leave --drain on 4 and 5"
lab wipe 4 >/dev/null
lab wipe 5 >/dev/null
setup_workers
wait_for 90 "4 ready workers" sh -c "[ \$($DOCKER -H unix://$(lab_sock 1) node ls --filter role=worker \
  --format '{{.Status}}' | grep -c Ready) -ge 4 ]"
lab_docker 1 service update -d --force web >/dev/null
wait_for 180 "web spread over 4 workers again" spread
sleep 2
id4=$(node_id_of 4)
id5=$(node_id_of 5)
sampler_start graceful
sleep 1
t_b=$(now_ms)
declare -A LPID=() LRC=() LEFT=() RUNNING_AT=() LT=()
for i in 4 5; do
  agent "$i" leave --drain --manager "$M" --deadline 120s >"$TMP/leave.$i.log" 2>&1 &
  LPID[$i]=$!
done
while ((${#LPID[@]})); do
  for i in "${!LPID[@]}"; do
    if ! kill -0 "${LPID[$i]}" 2>/dev/null; then
      rc=0
      wait "${LPID[$i]}" || rc=$?
      LT[$i]=$((($(now_ms) - t_b) / 100))
      LRC[$i]=$rc
      id=$id4
      [[ $i == 5 ]] && id=$id5
      LEFT[$i]=$(entries_of "$id")
      RUNNING_AT[$i]=$(running)
      unset "LPID[$i]"
      vm_gone "$i" # the VM goes once the command returns
    fi
  done
  sleep 0.05
done
wait_for 60 "web back to $REPLICAS" full
sleep 2
sampler_stop graceful
read -r b_missed b_short < <(missed graceful "$t_b")
b_kept=$(down_entries)
grep -h 'going ahead beside it\|running elsewhere\|drained:\|removed node' "$TMP"/leave.[45].log | sed 's/^/    /' >&2 || true

# ------------------------------------------------------------------------------------------- (c) managers
say "(c) managers: 3 managers; leave --drain on one, then a service update; one down, then a second leave"
for p in "${RUN_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
RUN_PID=()
lab reset >/dev/null 2>&1 || die "lab.sh reset failed"
for i in 1 2 3; do
  wait_for 30 "node $i out of the swarm" sh -c "[ \$($DOCKER -H unix://$(lab_sock "$i") info \
    --format '{{.Swarm.LocalNodeState}}') = inactive ]"
done
lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
token=$(lab_docker 1 swarm join-token -q manager)
for i in 2 3; do
  lab_docker "$i" swarm join --token "$token" --advertise-addr "$(lab_addr "$i")" "$M:2377" >/dev/null
done
unset token
busybox_image_on 1 2 3 || die "cannot import the busybox image"
lab_docker 1 service create -d --no-resolve-image --name web --replicas 3 "$SB_BUSYBOX_IMAGE" "${SB_BUSYBOX_SLEEPER[@]}" >/dev/null
MS=(--manager "$M" --manager "$(lab_addr 2)" --manager "$(lab_addr 3)")
t0=$(now_ms)
c_rc=0
agent 3 leave --drain "${MS[@]}" --deadline 60s >"$TMP/leave-manager.log" 2>&1 || c_rc=$?
c_s=$((($(now_ms) - t0) / 100))
t0=$(now_ms)
u_rc=0
lab_docker 1 service update -d --replicas 2 web >/dev/null 2>&1 || u_rc=$?
u_ms=$(($(now_ms) - t0))
c_managers=$(lab_docker 1 node ls --filter role=manager -q | wc -l)
token=$(lab_docker 1 swarm join-token -q manager)
lab_docker 3 swarm join --token "$token" --advertise-addr "$(lab_addr 3)" "$M:2377" >/dev/null
unset token
id2=$(node_id_of 2)
vm_gone 2
wait_for 60 "manager 2 unreachable" sh -c "$DOCKER -H unix://$(lab_sock 1) node inspect $id2 \
  --format '{{.ManagerStatus.Reachability}}' | grep -qx unreachable"
t0=$(now_ms)
r_rc=0
agent 3 leave --drain "${MS[@]}" --deadline 60s >"$TMP/refuse.log" 2>&1 || r_rc=$?
r_ms=$(($(now_ms) - t0))
r_line=$(grep -o 'refusing.*needed for a quorum' "$TMP/refuse.log" | head -n 1 || true)
lab start 2 >/dev/null 2>&1 || true

# ------------------------------------------------------------------------------------------- the figures
ratio=$(awk -v a="$a_missed" -v b="$b_missed" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "nan" }')
bar=$(awk -v r="$ratio" 'BEGIN { print (r != "nan" && r <= 0.2) ? "met" : "NOT met" }')
{
  echo "variant,replica_seconds_missed,short_s,entries_left,extra"
  echo "abrupt,$a_missed,$a_short,$a_kept,reaped_left=$a_reaped"
  echo "leave_drain,$b_missed,$b_short,$((LEFT[4] + LEFT[5])),running_at_return=${RUNNING_AT[4]}/${RUNNING_AT[5]}"
  echo "manager_leave,,,,exit=$c_rc seconds=$(printf '%d.%d' $((c_s / 10)) $((c_s % 10))) update_exit=$u_rc"
  echo "quorum_refusal,,,,exit=$r_rc ms=$r_ms"
} >"$CSV"

printf '\nscale-in: 1 manager + 4 workers under run; web: %d replicas on workers; 2 workers taken away; samples every 0.1 s\n' "$REPLICAS"
printf '%-44s %-26s %s\n' "" "(a) abrupt (VM killed)" "(b) leave --drain, then VM gone"
printf '%-44s %-26s %s\n' "replica-seconds missed" "$a_missed" "$b_missed"
printf '%-44s %-26s %s\n' "service short for (s, from the event)" "$a_short" "$b_short"
printf '%-44s %-26s %s\n' "Down entries the manager keeps" "$a_kept" "$b_kept"
printf '%-44s %-26s %s\n' "entries of the node when its command returned" "-" "n4: ${LEFT[4]}, n5: ${LEFT[5]}"
printf '%-44s %-26s %s\n' "web Running when the command returned" "-" "n4: ${RUNNING_AT[4]}/$REPLICAS, n5: ${RUNNING_AT[5]}/$REPLICAS"
printf '%-44s %-26s %s\n' "command exit codes (time, s)" "-" "n4: ${LRC[4]} ($(printf '%d.%d' $((LT[4] / 10)) $((LT[4] % 10)))), n5: ${LRC[5]} ($(printf '%d.%d' $((LT[5] / 10)) $((LT[5] % 10))))"
if ((${#REAPER[@]})); then
  printf '%-44s %-26s %s\n' "with --reap-down-after ${GRACE_S}s: left after grace + 2 x ${INTERVAL_S}s" "$a_reaped" "-"
else
  printf '%-44s %-26s %s\n' "reaper (--reap-down-after)" "not in this agent" "-"
fi
printf 'bar: graceful/abrupt replica-seconds = %s (at most 0.20): %s\n' "$ratio" "$bar"
printf 'managers: leave --drain on 1 of 3: exit %s in %d.%d s, %s managers left; docker service update right after: exit %s in %d ms\n' \
  "$c_rc" $((c_s / 10)) $((c_s % 10)) "$c_managers" "$u_rc" "$u_ms"
printf 'managers: 1 of 3 down, leave --drain on a second: exit %s in %d ms: %s\n' "$r_rc" "$r_ms" "$r_line"
