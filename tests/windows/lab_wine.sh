#!/usr/bin/env bash
# lab_wine.sh: what the Windows tests that run swarm-bootstrap.exe in a lab node share (sourced, never run):
# e2e_join_test.sh, e2e_tls_test.sh and msi_test.sh. Each does:
#
#   source "$(dirname "$0")/lab_wine.sh"
#   win_lab_begin TAG LAB_SH   # skips (exit 77) without root/ip netns/dockerd/wine; the lab's environment,
#                              # $work, a private $WINEPREFIX; say/pass/fail; cleanup on exit
#   ...                        # lab up, swarm init
#   win_prefix_init            # the private prefix: a copy of the caller's, or a new one
#   win_scm_start              # wineserver and the SCM in node 2's namespace; the Event Log trace in $work/trace
#   win_relay_start            # \\.\pipe\docker_engine in node 2's namespace, forwarded to node 2's engine
#
# The lab gets its own namespaces and subnet (SB_WIN_LAB_DIR/SUBNET/PREFIX) so that it never meets the Linux
# integration lab. Set win_service_exe to the exe whose `service uninstall` the cleanup runs.
# shellcheck shell=bash

win_lab_sh=
win_tag=
win_service_exe=
relay_pid=
failures=0
t_start=$(date +%s%3N)

now_ms() { date +%s%3N; }
say() { printf '[%s %5.1fs] %s\n' "$win_tag" "$(($(now_ms) - t_start))e-3" "$*"; }
pass() { say "ok   - $*"; }
fail() {
  say "FAIL - $*"
  failures=$((failures + 1))
}
skip() {
  echo "SKIP: $*"
  exit 77
}
lab() { bash "$win_lab_sh" "$@"; }
# Runs a program (a wine program: wine2) inside node 2's network namespace.
in_node2() { lab exec 2 "$@"; }
wine2() { in_node2 wine "$@" </dev/null; }
node_field() { lab docker 1 node inspect "$1" --format "$2" 2>/dev/null; }
local_node_id() { lab docker 2 info --format '{{.Swarm.NodeID}}' 2>/dev/null; }

# TAG names the test in its output and its work directory; LAB_SH is tests/integration/lab.sh.
win_lab_begin() {
  win_tag=$1
  win_lab_sh=$2
  [[ $(id -u) -eq 0 ]] || skip "the lab needs root (network namespaces, dockerd)"
  { command -v ip >/dev/null && ip netns list >/dev/null 2>&1; } || skip "ip netns (iproute2) is not available"
  [[ -x /usr/sbin/dockerd ]] || skip "/usr/sbin/dockerd not found (apt-get install docker.io)"
  [[ -f $win_lab_sh ]] || skip "$win_lab_sh not found (the integration lab)"
  command -v wine >/dev/null || skip "wine is not installed"

  export SB_LAB_DIR=${SB_WIN_LAB_DIR:-/tmp/sblab-win}
  export SB_LAB_SUBNET=${SB_WIN_LAB_SUBNET:-10.214.0}
  export SB_LAB_PREFIX=${SB_WIN_LAB_PREFIX:-sbwin}
  export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  # shellcheck disable=SC2034 # for the tests that source this
  manager=$SB_LAB_SUBNET.1
  node2=$SB_LAB_SUBNET.2
  work=$(mktemp -d "/tmp/sb-win-$win_tag.XXXXXX")
  base_prefix=${WINEPREFIX:-}
  export WINEPREFIX=$work/prefix
  trap win_lab_end EXIT
}

win_lab_end() {
  [[ -z $win_service_exe ]] || wine2 "$win_service_exe" service uninstall >/dev/null 2>&1
  [[ -z $relay_pid ]] || kill "$relay_pid" 2>/dev/null
  wineserver -k 2>/dev/null
  lab down >/dev/null 2>&1
  if ((failures == 0)); then rm -rf "$work"; else say "kept $work for inspection"; fi
}

# A copy of the caller's prefix (fast), or a new one, made outside the namespace: wine's first boot in the
# namespace keeps its SCM busy for many seconds.
win_prefix_init() {
  if [[ -n $base_prefix && -d $base_prefix/drive_c ]]; then
    cp -a "$base_prefix" "$WINEPREFIX"
  else
    wineboot -i >/dev/null 2>&1
    wineserver -w
  fi
}

# The prefix's wineserver, and so its SCM, start again in node 2's namespace and stay up (-p) while the test runs:
# wine's SCM ends services once no user process is left. Wine's own processes start here with no pipe of ours
# attached. The services its SCM starts inherit this stderr and WINEDEBUG: wine keeps no Event Log, but its
# ReportEventW writes each event to the eventlog channel, so the events end up in $work/trace.
win_scm_start() {
  in_node2 wineserver -p
  WINEDEBUG=-all,+eventlog wine2 sc query sb-prime >/dev/null 2>"$work/trace"
}

# stop_timed PROBE [WHAT] [KEY]: the stop control that `sc stop` sends to the swarm-bootstrap service and the
# time until the SCM reports STOPPED, measured in one process by sb_service_probe; it passes under 1000 ms.
# WHAT prefixes the line; KEY names a SERVICE_STOP_LATENCY_MS line for test-windows.sh's summary.
stop_timed() {
  local probe=$1 what=${2:+$2: } key=${3:-} latency
  latency=$(wine2 "$probe" stop swarm-bootstrap 20000 | tr -d '\r')
  if [[ $latency =~ ^[0-9]+$ ]] && ((latency < 1000)); then
    pass "${what}stop control -> STOPPED in $latency ms (limit 1000)"
  else
    fail "${what}stop control -> STOPPED: '$latency' ms"
  fi
  [[ -z $key ]] || echo "SERVICE_STOP_LATENCY_MS $key=$latency"
}

# relay_spawn EXE TARGET PIPE LOG: pipe_relay.exe in node 2's namespace, serving PIPE for TARGET (host:port);
# sets relay_spawned_pid. Now and then a wine process started in the background never gets going (its log stays
# empty: seen once in three runs of the mid-join step); such a start is killed and tried again, three times.
relay_spawn() {
  local exe=$1 target=$2 pipe=$3 log=$4 attempt
  for attempt in 1 2 3; do
    in_node2 wine "$exe" "$target" "$pipe" </dev/null >"$log" 2>&1 &
    relay_spawned_pid=$!
    for _ in $(seq 150); do
      grep -q "pipe_relay:" "$log" 2>/dev/null && return 0
      sleep 0.1
    done
    say "relay for $pipe: no word after 15 s (attempt $attempt); starting it again"
    kill "$relay_spawned_pid" 2>/dev/null
    pkill -f "pipe_relay.exe $target" 2>/dev/null
  done
  return 1
}

# pipe_relay.exe serves \\.\pipe\docker_engine in node 2's namespace for node 2's engine (tcp NODE2:2375): the
# Windows binary's default docker host. Exits the test when it does not start.
win_relay_start() {
  relay_spawn "$1" "$node2:2375" '\\.\pipe\docker_engine' "$work/relay.log"
  relay_pid=$relay_spawned_pid
  if grep -q '\\\\.\\pipe\\docker_engine -> ' "$work/relay.log"; then
    pass "relay: $(head -1 "$work/relay.log" | tr -d '\r')"
  else
    fail "relay did not start: $(cat "$work/relay.log")"
    exit 1
  fi
}
