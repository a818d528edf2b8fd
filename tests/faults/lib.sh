#!/usr/bin/env bash
# lib.sh for the fault matrix (sourced): the integration helpers (../integration/lib.sh) plus the misbehaving
# manager and a runner for many agent cases at once.
#
#   fm_up                      namespace $SB_LAB_PREFIX-fm on the lab switch, address $FM_ADDR (no engine)
#   fm_start NAME ARGS...      start fault_manager ARGS... in it (--bind $FM_ADDR is added); waits until it listens
#   case_start NAME EXPECT MAX_S ARGS...   run `swarm-bootstrap ARGS...` on node 1 (own state and lock file)
#   cases_wait                 wait for every started case; each must exit EXPECT within MAX_S seconds
#
# Every case's outcome (name, expected and measured exit code, seconds) is appended to $SB_LOGS/faults.results.
# shellcheck shell=bash
# shellcheck source=../integration/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../integration/lib.sh"

FM_NS="${SB_LAB_PREFIX:-sblab}-fm"
FM_ADDR="$SB_LAB_SUBNET.100"
FM_PIDS=()
CASES=()

fm_down() {
  local p
  for p in "${FM_PIDS[@]}"; do
    kill -KILL "$p" 2>/dev/null || true
  done
  ip netns del "$FM_NS" 2>/dev/null || true
}

fm_up() {
  [[ -n ${SB_FAULT_MANAGER:-} && -x $SB_FAULT_MANAGER ]] || skip "SB_FAULT_MANAGER (the fault_manager binary) is not set"
  local sw="${SB_LAB_PREFIX:-sblab}-sw"
  fm_down
  ip netns add "$FM_NS"
  ip -n "$FM_NS" link set lo up
  ip -n "$sw" link del vfm >/dev/null 2>&1 || true
  ip -n "$sw" link add vfm type veth peer name eth0 netns "$FM_NS"
  ip -n "$sw" link set vfm master br0
  ip -n "$sw" link set vfm up
  # A fixed MAC: the lab nodes' ARP caches still hold the previous run's entry for $FM_ADDR, and a new MAC
  # would cost each of them up to 20 s of stale-entry probing before the first packet gets through.
  ip -n "$FM_NS" link set eth0 address 02:5b:00:00:00:64
  ip -n "$FM_NS" addr add "$FM_ADDR/24" dev eth0
  ip -n "$FM_NS" link set eth0 up
  local i
  for i in $(lab nodes); do
    ip -n "$(lab ns "$i")" neigh flush to "$FM_ADDR" 2>/dev/null || true
  done
  at_exit fm_down
}

fm_start() {
  local name=$1 ready
  shift
  ready="$SB_LOGS/$TEST_NAME.$name.ready"
  rm -f "$ready"
  ip netns exec "$FM_NS" "$SB_FAULT_MANAGER" --bind "$FM_ADDR" --ready "$ready" "$@" \
    </dev/null >"$SB_LOGS/$TEST_NAME.$name.log" 2>&1 &
  FM_PIDS+=($!)
  disown $!
  AGENT_LOGS+=("$SB_LOGS/$TEST_NAME.$name.log")
  wait_until 10 "fault manager '$name' listening" test -f "$ready"
}

# case_start NAME EXPECTED_RC MAX_SECONDS ARGS...: an agent on node 1 (in its namespace, with its hostname), in
# the background; its exit code and end time go to LOG.rc the moment it exits (cases run side by side).
case_start() {
  local name=$1 expect=$2 max=$3
  shift 3
  local log="$SB_LOGS/$TEST_NAME.$name.log"
  local cmd=("$SB_BIN" "$1" --state-file "$SB_LOGS/$TEST_NAME.$name.state.json"
    --lock-file "$SB_LOGS/$TEST_NAME.$name.lock" "${@:2}")
  AGENT_LOGS+=("$log")
  rm -f "$log.rc"
  cases_throttle
  echo "# node 1: ${cmd[*]}" >"$log.cmd"
  (
    t0=$(now_ms)
    rc=0
    # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
    timeout -s KILL $((max + 30)) ip netns exec "$(lab ns 1)" unshare --uts \
      sh -c 'hostname "$0" && exec "$@"' "$(lab host 1)" "${cmd[@]}" </dev/null >"$log" 2>&1 || rc=$?
    echo "$rc $t0 $(now_ms)" >"$log.rc"
  ) &
  CASES+=("$name $expect $max $! $log")
}

# At most SB_FAULTS_PARALLEL cases at once (default 24; 0: all at once). 86 agents at once on 2 cores, beside
# the other lanes of test.sh, starve each other of CPU, and a case's time would measure the crowd, not the
# case. Each case's time still runs from its own start.
cases_throttle() {
  local limit=${SB_FAULTS_PARALLEL:-24} running c log
  ((limit > 0)) || return 0
  while :; do
    running=0
    for c in "${CASES[@]}"; do
      log=${c##* }
      [[ -f $log.rc ]] || running=$((running + 1))
    done
    ((running < limit)) && return 0
    sleep 0.05
  done
}

# The join command line for node 1 with short deadlines: join_fast TIMEOUT [OPTIONS...]
join_fast() {
  local timeout=$1
  shift
  JOIN_ARGS=(join --docker-host "unix://$(lab_sock 1)" --timeout "$timeout" --backoff-initial 200ms
    --backoff-max 1s "$@")
}

cases_wait() {
  local c name expect max pid log rc t0 t1 secs failed=0
  for c in "${CASES[@]}"; do
    read -r name expect max pid log <<<"$c"
    wait "$pid" || true
    read -r rc t0 t1 <"$log.rc"
    secs=$(elapsed_s "$t0" "$t1")
    printf '%-30s expected %s got %-3s %7s s (max %s)\n' "$name" "$expect" "$rc" "$secs" "$max" |
      tee -a "$SB_LOGS/faults.results"
    if [[ $rc != "$expect" ]]; then
      echo "FAIL: case $name: expected exit $expect, got $rc; last lines of $log:" >&2
      tail -n 5 "$log" | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted>/g' >&2
      failed=1
    elif ! awk -v s="$secs" -v m="$max" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
      echo "FAIL: case $name: took $secs s, more than $max s; last lines of $log:" >&2
      tail -n 5 "$log" | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted>/g' >&2
      failed=1
    fi
    if grep -Eq 'AddressSanitizer|runtime error:|terminate called|Segmentation fault' "$log"; then
      echo "FAIL: case $name: crash or sanitizer report in $log" >&2
      failed=1
    fi
  done
  CASES=()
  ((failed == 0)) || fail "some fault cases did not end as documented (above)"
}
