#!/usr/bin/env bash
# bench/race.sh [TRIALS]: swarm-bootstrap with its default settings, side by side with the acs-engine loop
# (bench/acs_loop.sh), both started 20–40 s (random) before `swarm init`. Measured from `swarm init` returning to
# the node being Ready on the manager (acs) or Ready with its os label (ours), by polling the manager's node list
# every 50 ms. Lab nodes (tests/integration/lab.sh):
#   1 the manager (swarm init)            2 the acs-engine loop
#   3 ours, --manager <1>                 4 ours, --manager <7> --manager <1>: the first manager blackholed
#   5 ours, first manager <8> hangs       6 ours, first manager <9> answers garbage
#   7 no engine, every TCP SYN dropped    8 no engine, 2375/2377 accept and never answer
#   9 no engine, 2375/2377 answer bytes that are not HTTP
# Every trial runs all five agents at once against one `swarm init`. Prints per-trial figures, p50/p90/max per
# variant and the acs/ours ratios; writes $SB_BENCH_OUT/race.csv. SB_RACE_WAIT_MIN/MAX (s) change the 20–40 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TRIALS=${1:-10}
WAIT_MIN=${SB_RACE_WAIT_MIN:-20}
WAIT_MAX=${SB_RACE_WAIT_MAX:-40}
bench_require
lab_ensure 9
for i in 7 8 9; do lab stop "$i" >/dev/null 2>&1; done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-race.XXXXXX")
CSV="$OUT_DIR/race.csv"
HELPERS=()
AGENTS=()
cleanup() {
  local rc=$? p
  for p in "${AGENTS[@]}" "${HELPERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  ip netns exec "$(lab_ns 7)" iptables -D INPUT -p tcp -m comment --comment sb-bench-blackhole -j DROP 2>/dev/null || true
  bench_tmp_done "$rc"
}
trap cleanup EXIT

# The three bad first managers.
ip netns exec "$(lab_ns 7)" iptables -D INPUT -p tcp -m comment --comment sb-bench-blackhole -j DROP 2>/dev/null || true
ip netns exec "$(lab_ns 7)" iptables -A INPUT -p tcp -m comment --comment sb-bench-blackhole -j DROP
ip netns exec "$(lab_ns 8)" "$PYTHON" "$BENCH_DIR/tools.py" hang 2375 2377 >"$TMP/hang.log" 2>&1 &
HELPERS+=($!)
ip netns exec "$(lab_ns 9)" "$PYTHON" "$BENCH_DIR/tools.py" garbage 2375 2377 >"$TMP/garbage.log" 2>&1 &
HELPERS+=($!)

M=$(lab_addr 1)
declare -A FIRST=([3]="" [4]="$(lab_addr 7)" [5]="$(lab_addr 8)" [6]="$(lab_addr 9)")
declare -A VARIANT=([2]=acs [3]=ours [4]=ours_blackholed [5]=ours_hanging [6]=ours_garbage)
ORDER=(2 3 4 5 6)

echo "trial,wait_s,variant,seconds,exit_code" >"$CSV"
say "race: $TRIALS trials, agents started ${WAIT_MIN}-${WAIT_MAX} s before swarm init; agent $SB_BIN"
for ((t = 1; t <= TRIALS; t++)); do
  for i in 1 2 3 4 5 6; do lab leave "$i" >/dev/null 2>&1 || true; done
  rm -f "$TMP"/state.* "$TMP"/lock.*
  AGENTS=()
  declare -A PID=()
  ip netns exec "$(lab_ns 2)" bash "$BENCH_DIR/acs_loop.sh" "$M" "$(lab_sock 2)" >"$TMP/t$t.n2.log" 2>&1 &
  PID[2]=$!
  for i in 3 4 5 6; do
    args=(join --docker-host "unix://$(lab_sock "$i")" --state-file "$TMP/state.$i" --lock-file "$TMP/lock.$i")
    [[ -n ${FIRST[$i]} ]] && args+=(--manager "${FIRST[$i]}")
    args+=(--manager "$M")
    ip netns exec "$(lab_ns "$i")" "$SB_BIN" "${args[@]}" >"$TMP/t$t.n$i.log" 2>&1 &
    PID[$i]=$!
  done
  AGENTS=("${PID[@]}")
  wait_ms=$((WAIT_MIN * 1000 + (RANDOM * 32768 + RANDOM) % ((WAIT_MAX - WAIT_MIN) * 1000 + 1)))
  want=("$(lab_host 2)=ready")
  for i in 3 4 5 6; do want+=("$(lab_host "$i")=labelled"); done
  "$PYTHON" "$BENCH_DIR/tools.py" watch-nodes "$(lab_sock 1)" $((WAIT_MAX + 30)) "${want[@]}" >"$TMP/t$t.ready" &
  watcher=$!
  sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
  lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
  t0=$(now_ms)
  wait "$watcher"
  line="trial $t (waited $(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000))) s):"
  for i in "${ORDER[@]}"; do
    rc=0
    # An agent still running 20 s after everything was measured is a failure of that run.
    for _ in $(seq 1 200); do kill -0 "${PID[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "${PID[$i]}" 2>/dev/null || true
    wait "${PID[$i]}" || rc=$?
    s=$(awk -v h="$(lab_host "$i")" -v t0="$t0" '$1 == h { if ($2 == "nan") print "nan"; else printf "%.3f", ($2 - t0) / 1000 }' "$TMP/t$t.ready")
    echo "$t,$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000))),${VARIANT[$i]},$s,$rc" >>"$CSV"
    line+=" ${VARIANT[$i]}=${s}s(rc $rc)"
  done
  echo "$line"
done

echo "race figures (seconds from swarm init returning to Ready; ours also labelled), $TRIALS trials:"
for v in acs ours ours_blackholed ours_hanging ours_garbage; do
  awk -F, -v v="$v" 'NR > 1 && $3 == v && $4 != "nan" { print $4 }' "$CSV" >"$TMP/$v.values"
  missing=$(awk -F, -v v="$v" 'NR > 1 && $3 == v && ($4 == "nan" || $5 != 0) { n++ } END { print n + 0 }' "$CSV")
  echo "  $(stats "$v" "$TMP/$v.values") failed_or_missing=$missing"
done
for v in ours ours_blackholed ours_hanging ours_garbage; do
  awk -v v="$v" -v a50="$(stat_value "$TMP/acs.values" 0.5)" -v a90="$(stat_value "$TMP/acs.values" 0.9)" \
    -v o50="$(stat_value "$TMP/$v.values" 0.5)" -v o90="$(stat_value "$TMP/$v.values" 0.9)" \
    'BEGIN { if (o50 > 0 && o90 > 0) printf "  ratio acs/%s: p50 %.1fx, p90 %.1fx\n", v, a50 / o50, a90 / o90 }'
done
echo "csv: $CSV (agent logs: $TMP)"
