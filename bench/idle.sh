#!/usr/bin/env bash
# bench/idle.sh: the cost of an idle `run` after it joined. Lab node 1 is the manager, node 2 runs
# `swarm-bootstrap run --interval INTERVAL` (default 10s; SB_IDLE_INTERVAL) through a unix-socket proxy that counts
# its connections to the local engine (one request each). Once the node is Ready and labelled and one interval
# has passed, it measures SB_IDLE_INTERVALS intervals (default 6): RSS, threads, CPU, requests to the local
# engine and new API connections to the manager (a SYN counter inside the manager's namespace) per interval.
# Writes $SB_BENCH_OUT/idle.csv.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

INTERVAL=${SB_IDLE_INTERVAL:-10}
K=${SB_IDLE_INTERVALS:-6}
bench_require
lab_ensure 2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-idle.XXXXXX")
CSV="$OUT_DIR/idle.csv"
PIDS=()
cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  syn_counter_del 1 2375
  bench_tmp_done "$rc"
}
trap cleanup EXIT

lab leave 2 >/dev/null 2>&1 || true
lab leave 1 >/dev/null 2>&1 || true
M=$(lab_addr 1)
lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
syn_counter_del 1 2375
syn_counter_add 1 2375

"$PYTHON" "$BENCH_DIR/tools.py" count-proxy "$TMP/local.sock" "$(lab_sock 2)" "$TMP/local.count" &
PIDS+=($!)
for _ in $(seq 1 50); do [[ -S $TMP/local.sock ]] && break; sleep 0.1; done
ip netns exec "$(lab_ns 2)" "$SB_BIN" run --interval "${INTERVAL}s" --docker-host "unix://$TMP/local.sock" \
  --manager "$M" --state-file "$TMP/state.json" --lock-file "$TMP/lock" >"$TMP/agent.log" 2>&1 &
AGENT=$!
PIDS+=("$AGENT")
t0=$(now_ms)
"$PYTHON" "$BENCH_DIR/tools.py" watch-nodes "$(lab_sock 1)" 60 "$(lab_host 2)=labelled" >"$TMP/ready"
read -r _ joined <"$TMP/ready"
[[ $joined != nan ]] || die "the agent did not join within 60 s (log: $TMP/agent.log)"
say "joined and labelled $((joined - t0)) ms after the start; settling for one interval, then measuring $K x ${INTERVAL}s"
sleep "$INTERVAL"

clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT/stat"; }
l0=$(<"$TMP/local.count")
m0=$(syn_counter_read 1 2375)
c0=$(cpu_ticks)
w0=$(now_ms)
max_rss=0
for ((s = 0; s < K * INTERVAL; s++)); do
  sleep 1
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status")
  ((rss > max_rss)) && max_rss=$rss
done
w1=$(now_ms)
c1=$(cpu_ticks)
l1=$(<"$TMP/local.count")
m1=$(syn_counter_read 1 2375)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status")
threads=$(awk '/^Threads/ { print $2 }' "/proc/$AGENT/status")
cpu=$(awk -v c=$((c1 - c0)) -v hz="$clk" -v ms=$((w1 - w0)) 'BEGIN { printf "%.3f", 100 * c / hz / (ms / 1000) }')
lpi=$(awk -v n=$((l1 - l0)) -v k="$K" 'BEGIN { printf "%.2f", n / k }')
mpi=$(awk -v n=$((m1 - m0)) -v k="$K" 'BEGIN { printf "%.2f", n / k }')
echo "interval_s,intervals,rss_kb,max_rss_kb,threads,cpu_percent,local_requests_per_interval,manager_connections_per_interval" >"$CSV"
echo "$INTERVAL,$K,$rss,$max_rss,$threads,$cpu,$lpi,$mpi" >>"$CSV"
echo "idle run (--interval ${INTERVAL}s, $K intervals after joining):"
echo "  RSS ${rss} kB (max ${max_rss} kB), threads ${threads}, CPU ${cpu} %"
echo "  requests per interval: local engine ${lpi}, manager ${mpi} (new API connections)"
echo "csv: $CSV (the agent's log in $TMP stays only if this run fails)"
lab leave 2 >/dev/null 2>&1 || true
