#!/usr/bin/env bash
# bench/herd.sh [N]: N agents with the default settings and --dry-run, each with its own lock and state file, all
# on one lab node sharing its engine, wait for a manager (lab node 1) that has no swarm yet. Prints the new API
# connections per second the manager received while they waited (a SYN counter on :2375 inside its namespace),
# then `swarm init` and the distribution of the agents' times to be ready to join (a token in hand and the swarm
# port open: the dry run exits right then), from init returning, and the CPU the manager's and the local dockerd
# and the agents spent from init on. Writes $SB_BENCH_OUT/herd.csv (per agent) and herd-summary.csv (the figures).
# SB_HERD_ARGS adds agent arguments (e.g. "--log-level debug": each probe's answer and time in the agents' logs).
# Then the real herd: SB_HERD_REAL (default 12) real engines run `join` with defaults, started before the swarm
# exists; all must be Ready and labelled within 3 s of init (polling the manager's node list every 50 ms).
# SB_HERD_WAIT (s, default 30) is how long the agents wait before init.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=${1:-200}
WAIT=${SB_HERD_WAIT:-30}
REAL=${SB_HERD_REAL:-12}
bench_require
lab_ensure $((REAL + 1 > 2 ? REAL + 1 : 2))

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-herd.XXXXXX")
CSV="$OUT_DIR/herd.csv"
PIDS=()
cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  syn_counter_del 1 2375
  bench_tmp_done "$rc"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

for i in $(seq 1 $((REAL + 1))); do lab leave "$i" >/dev/null 2>&1 || true; done
M=$(lab_addr 1)
syn_counter_del 1 2375
syn_counter_add 1 2375

say "herd: starting $N dry-run agents on node 2 against manager $M (no swarm yet)"
c0=$(syn_counter_read 1 2375)
t_start=$(now_ms)
for ((k = 1; k <= N; k++)); do
  (
    ns=$(lab_ns 2) sock=$(lab_sock 2)
    times >"$TMP/cpu0.$k" # CPU of this subshell's children so far (the two above)
    # shellcheck disable=SC2086 # SB_HERD_ARGS: extra agent arguments, split on purpose
    ip netns exec "$ns" "$SB_BIN" join --dry-run --docker-host "unix://$sock" --manager "$M" \
      --state-file "$TMP/state.$k" --lock-file "$TMP/lock.$k" ${SB_HERD_ARGS:-} >"$TMP/agent.$k.log" 2>&1
    rc=$?
    # Builtins only from here (no `date`, no `time`): 200 forks would eat the CPU the agents are measured on.
    end_us=${EPOCHREALTIME/./}
    echo "$rc $((end_us / 1000))" >"$TMP/done.$k"
    times >"$TMP/cpu.$k" # the second line: the agent's user and system CPU time
  ) &
  PIDS+=($!)
done
t_started=$(now_ms)
say "all $N started in $((t_started - t_start))ms; waiting ${WAIT}s"
# Per-second samples, for the peak.
peak=0
prev=$(syn_counter_read 1 2375)
samples="$TMP/conn_per_s"
: >"$samples"
for ((s = 1; s <= WAIT; s++)); do
  sleep 1
  c=$(syn_counter_read 1 2375)
  echo "$((c - prev))" >>"$samples"
  ((c - prev > peak)) && peak=$((c - prev))
  prev=$c
done
t_init=$(now_ms)
c1=$(syn_counter_read 1 2375)
# CPU time (clock ticks) of the manager's and the local engine's dockerd, and of the waiting agents, at init.
manager_cpu0=$(proc_cpu_ticks "$(<"$SB_LAB_DIR/n1/dockerd.pid")")
local_cpu0=$(proc_cpu_ticks "$(<"$SB_LAB_DIR/n2/dockerd.pid")")
# One awk over all the agents' /proc/PID/stat (a fork per agent would take a second of this loaded machine).
# shellcheck disable=SC2046 # one path per agent
agents_cpu0=$(awk '{ s += $14 + $15 } END { print s + 0 }' $(pgrep -f -- "--state-file $TMP/state\\." | sed 's|.*|/proc/&/stat|') 2>/dev/null || echo 0)
total=$((c1 - c0))
window_ms=$((t_init - t_start))
# SB_HERD_PERF=FILE: a system-wide CPU profile (perf) of the 3 s from init, for finding where the time goes.
if [[ -n ${SB_HERD_PERF:-} ]]; then
  perf record -q -a -F 499 -o "$SB_HERD_PERF" -- sleep 3 >/dev/null 2>&1 &
fi
lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
t0=$(now_ms)
echo "$t0" >"$TMP/t_init"
# Steady state: the last half of the wait (after the first backoff steps).
half=$((WAIT / 2))
steady=$(tail -n "$half" "$samples" | awk '{ s += $1 } END { if (NR) printf "%.1f", s / NR; else print "nan" }')

for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()
manager_cpu=$(($(proc_cpu_ticks "$(<"$SB_LAB_DIR/n1/dockerd.pid")") - manager_cpu0))
local_cpu=$(($(proc_cpu_ticks "$(<"$SB_LAB_DIR/n2/dockerd.pid")") - local_cpu0))
# `times` prints "0m1.234s 0m0.056s"; its second line is the agent's.
agents_cpu=$(for ((k = 1; k <= N; k++)); do sed -n 2p "$TMP/cpu.$k"; sed -n 2p "$TMP/cpu0.$k"; done | awk -v t0="$agents_cpu0" -v hz="$(getconf CLK_TCK)" '
  function sec(x) { split(x, a, "m"); sub("s", "", a[2]); return a[1] * 60 + a[2] }
  { s += (NR % 2 ? 1 : -1) * (sec($1) + sec($2)) } END { printf "%.2f", s - t0 / hz }')
echo "agent,exit_code,seconds_after_init" >"$CSV"
: >"$TMP/ready.values"
failed=0
for ((k = 1; k <= N; k++)); do
  read -r rc t_end <"$TMP/done.$k" || { rc=nan t_end=0; }
  s=$(awk -v a="$t_end" -v b="$t0" 'BEGIN { printf "%.3f", (a - b) / 1000 }')
  echo "$k,$rc,$s" >>"$CSV"
  if [[ $rc == 0 ]] && grep -q 'dry run: would join' "$TMP/agent.$k.log"; then
    echo "$s" >>"$TMP/ready.values"
  else
    failed=$((failed + 1))
  fi
done
within=$(awk '$1 <= 1.5 { n++ } END { print n + 0 }' "$TMP/ready.values")
echo "herd of $N dry-run agents, defaults, one shared local engine:"
echo "  new API connections to the manager while waiting ($(awk -v w="$window_ms" 'BEGIN { printf "%.1f", w / 1000 }') s from the first start to init): $total in total, $(awk -v t="$total" -v w="$window_ms" 'BEGIN { printf "%.1f", t / (w / 1000) }')/s average, peak ${peak}/s in one second, ${steady}/s over the last ${half}s"
echo "  after init: $(stats ready_s "$TMP/ready.values"); $within of $N ready within 1.5 s; failed=$failed"
hz=$(getconf CLK_TCK)
echo "  CPU from swarm init on (until the last agent exits): manager dockerd $(awk -v t="$manager_cpu" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }') s, local dockerd $(awk -v t="$local_cpu" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }') s, the $N agents ${agents_cpu} s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  init at $t0 ms (the agents' logs in $TMP stay only if this run fails)"
echo "csv: $CSV"
echo "agents,wait_s,connections,connections_per_s,peak_per_s,steady_per_s,ready_p50_s,ready_p90_s,ready_max_s,ready_within_1_5s,failed,manager_cpu_s,local_cpu_s,agents_cpu_s,load_1m" >"$OUT_DIR/herd-summary.csv"
echo "$N,$WAIT,$total,$(awk -v t="$total" -v w="$window_ms" 'BEGIN { printf "%.1f", t / (w / 1000) }'),$peak,$steady,$(stat_value "$TMP/ready.values" 0.5),$(stat_value "$TMP/ready.values" 0.9),$(stat_value "$TMP/ready.values" 1),$within,$failed,$(awk -v t="$manager_cpu" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }'),$(awk -v t="$local_cpu" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }'),$agents_cpu,$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT_DIR/herd-summary.csv"

# The real herd.
if ((REAL > 0)); then
  for i in $(seq 1 $((REAL + 1))); do lab leave "$i" >/dev/null 2>&1 || true; done
  say "real herd: $REAL engines (nodes 2..$((REAL + 1))) join with defaults"
  want=()
  for ((i = 2; i <= REAL + 1; i++)); do
    ip netns exec "$(lab_ns "$i")" "$SB_BIN" join --docker-host "unix://$(lab_sock "$i")" --manager "$M" \
      --state-file "$TMP/real-state.$i" --lock-file "$TMP/real-lock.$i" >"$TMP/real.$i.log" 2>&1 &
    PIDS+=($!)
    want+=("$(lab_host "$i")=labelled")
  done
  "$PYTHON" "$BENCH_DIR/tools.py" watch-nodes "$(lab_sock 1)" $((${SB_HERD_REAL_WAIT:-20} + 30)) "${want[@]}" >"$TMP/real.ready.abs" &
  watcher=$!
  sleep "${SB_HERD_REAL_WAIT:-20}"
  lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
  t0=$(now_ms)
  wait "$watcher"
  awk -v t0="$t0" '{ if ($2 == "nan") print $1, "nan"; else printf "%s %.3f\n", $1, ($2 - t0) / 1000 }' "$TMP/real.ready.abs" >"$TMP/real.ready"
  failed=0
  for p in "${PIDS[@]}"; do wait "$p" || failed=$((failed + 1)); done
  PIDS=()
  awk '$2 != "nan" { print $2 }' "$TMP/real.ready" >"$TMP/real.values"
  echo "host,seconds_after_init" >"$OUT_DIR/herd-real.csv"
  awk '{ print $1 "," $2 }' "$TMP/real.ready" >>"$OUT_DIR/herd-real.csv"
  within=$(awk '$1 <= 3 { n++ } END { print n + 0 }' "$TMP/real.values")
  echo "real herd of $REAL engines, defaults: $(stats ready_labelled_s "$TMP/real.values"); $within of $REAL Ready and labelled within 3 s; agents failed=$failed"
  echo "csv: $OUT_DIR/herd-real.csv"
  for i in $(seq 1 $((REAL + 1))); do lab leave "$i" >/dev/null 2>&1 || true; done
fi
