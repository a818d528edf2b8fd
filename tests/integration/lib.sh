#!/usr/bin/env bash
# lib.sh: helpers for the integration tests (sourced, never run). Each test_<case>.sh does:
#
#   source "$(dirname "$0")/lib.sh"
#   test_begin <case>        # skips (exit 77) without root/ip netns/dockerd/binary; resets the lab
#   ...                      # lab_docker, agent_run/agent_start/agent_wait, assert_*, wait_until
#   test_pass
#
# Environment: SB_BIN (the swarm-bootstrap binary; CTest sets it), SB_LAB_DIR (default /tmp/sblab),
# SB_LAB_SUBNET (default 10.213.0). Agent logs go to $SB_LAB_DIR/logs/<case>.<name>.log (one file per run).
# shellcheck shell=bash

SB_IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB="$SB_IT_DIR/lab.sh"
export SB_LAB_DIR=${SB_LAB_DIR:-/tmp/sblab}
export SB_LAB_SUBNET=${SB_LAB_SUBNET:-10.213.0}
SB_LOGS="$SB_LAB_DIR/logs"
DOCKER=${SB_DOCKER:-/usr/bin/docker}
TEST_NAME=
TEST_T0=0
TEST_CLEANUPS=()
AGENT_PIDS=()
AGENT_LOGS=()
# Set by agent_run / agent_wait:
AGENT_RC=
AGENT_LOG=
AGENT_PID=
AGENT_T0=
AGENT_T1=

now_ms() { date +%s%3N; }

# ms_to_s 12345 -> 12.345
ms_to_s() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# elapsed_s START_MS [END_MS] -> seconds with milliseconds
elapsed_s() { ms_to_s $(( ${2:-$(now_ms)} - $1 )); }

note() { echo "[$TEST_NAME $(elapsed_s "$TEST_T0")s] $*"; }

skip() {
  echo "SKIP: $*"
  exit 77
}

# Prints the failure, the tails of this test's agent logs, and exits 1 (the EXIT trap cleans up).
fail() {
  echo "FAIL: $TEST_NAME: $*" >&2
  local f
  for f in "${AGENT_LOGS[@]}"; do
    [[ -f $f ]] || continue
    echo "---- last 40 lines of $f" >&2
    tail -n 40 "$f" | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted by test>/g' >&2
  done
  echo "---- lab status" >&2
  bash "$LAB" status >&2 2>&1 || true
  exit 1
}

# ------------------------------------------------------------------------------------------------- assertions

assert_eq() { # EXPECTED ACTUAL WHAT
  [[ $1 == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

assert_ne() { # UNEXPECTED ACTUAL WHAT
  [[ $1 != "$2" ]] || fail "$3: expected anything but '$1'"
}

assert_nonempty() { # VALUE WHAT
  [[ -n $1 ]] || fail "$2: expected a value, got nothing"
}

assert_rc() { # EXPECTED_RC WHAT  (checks $AGENT_RC)
  [[ $AGENT_RC == "$1" ]] || fail "$2: expected exit code $1, got $AGENT_RC (log: $AGENT_LOG)"
}

# assert_between LOW HIGH VALUE WHAT: decimal numbers, inclusive.
assert_between() {
  awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }' ||
    fail "$4: expected between $1 and $2, got $3"
}

assert_le() { # MAX VALUE WHAT
  awk -v hi="$1" -v v="$2" 'BEGIN { exit !(v + 0 <= hi + 0) }' || fail "$3: expected at most $1, got $2"
}

assert_contains() { # FILE REGEX WHAT
  grep -Eq -- "$2" "$1" || fail "$3: no line of $1 matches /$2/"
}

# No join token in any of FILES (prints the offending lines with the token masked).
assert_no_token() {
  local f bad=0
  for f in "$@"; do
    [[ -f $f ]] || continue
    if grep -q 'SWMTKN-1-' "$f"; then
      echo "token found in $f:" >&2
      grep -n 'SWMTKN-1-' "$f" | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted by test>/g' | head -5 >&2
      bad=1
    fi
  done
  ((bad == 0)) || fail "a join token (SWMTKN-1-...) appears in the agent's output"
}

# Every line is one log record: text "<ISO time>Z <level> [<phase>] <msg>", or one JSON object with level/msg.
assert_log_records() { # FILE text|json
  local f=$1 fmt=$2
  [[ -s $f ]] || fail "log $f is empty"
  if [[ $fmt == json ]]; then
    if ! command -v python3 >/dev/null; then
      note "python3 missing: JSON lines not checked"
      return 0
    fi
    python3 - "$f" <<'EOF' || fail "log $f: not one JSON object per line (see above)"
import json, sys
bad = 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace"), 1):
    try:
        o = json.loads(line)
        if not isinstance(o, dict) or "level" not in o or "msg" not in o:
            raise ValueError("not an object with level and msg")
    except Exception as e:
        print(f"line {n}: {e}: {line.rstrip()[:200]}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
EOF
  else
    local re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z? (trace|debug|info|warning|warn|error|critical) \['
    if grep -Evq "$re" "$f"; then
      grep -Evn "$re" "$f" | head -5 | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted>/g' >&2
      fail "log $f: some lines are not single log records (multi-line message?)"
    fi
  fi
}

# wait_until TIMEOUT_S WHAT CMD...: polls CMD every 0.2 s; fails the test after TIMEOUT_S.
wait_until() {
  local timeout=$1 what=$2 t0
  shift 2
  t0=$(now_ms)
  until "$@" >/dev/null 2>&1; do
    if (($(now_ms) - t0 > timeout * 1000)); then
      fail "timed out after ${timeout}s waiting for: $what"
    fi
    sleep 0.2
  done
}

# ------------------------------------------------------------------------------------------------- the lab

lab() { bash "$LAB" "$@"; }
lab_docker() { local i=$1; shift; "$DOCKER" -H "unix://$SB_LAB_DIR/n$i/docker.sock" "$@"; }
lab_addr() { echo "$SB_LAB_SUBNET.$1"; }
lab_sock() { echo "$SB_LAB_DIR/n$1/docker.sock"; }

# Local view of node I.
local_state() { lab_docker "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
local_node_id() { lab_docker "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null; }
control_available() { lab_docker "$1" info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null; }
cluster_id() { lab_docker "$1" info --format '{{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}' 2>/dev/null; }

# node_inspect MANAGER NODE_ID FORMAT
node_inspect() { lab_docker "$1" node inspect "$2" --format "$3" 2>/dev/null; }
node_label() { node_inspect "$1" "$2" "{{index .Spec.Labels \"$3\"}}"; }

swarm_init() { # I
  lab_docker "$1" swarm init --advertise-addr "$(lab_addr "$1")" >/dev/null ||
    fail "docker swarm init on node $1 failed"
}

# swarm_join_cli I MANAGER_I worker|manager: join with the docker CLI (setting up a swarm for a test).
swarm_join_cli() {
  local token
  token=$(lab_docker "$2" swarm join-token -q "$3") || fail "no $3 join token from node $2"
  lab_docker "$1" swarm join --token "$token" --advertise-addr "$(lab_addr "$1")" "$(lab_addr "$2"):2377" \
    >/dev/null || fail "docker swarm join of node $1 to node $2 as $3 failed"
}

# Real tasks without a registry: $SB_BUSYBOX_IMAGE (images.sh). lab_busybox_image I...: imported on each engine.
# shellcheck source=tests/integration/images.sh
source "$SB_IT_DIR/images.sh"
lab_busybox_image() {
  busybox_image_on "$@" || fail "cannot import the busybox image (needs busybox-static's .deb or apt-get download)"
}

# running_tasks MANAGER SERVICE [EXCEPT_HOSTNAME]: how many of the service's tasks run (on nodes but EXCEPT).
running_tasks() {
  lab_docker "$1" service ps "$2" --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' \
    2>/dev/null | awk -v except="${3:-}" '$2 == "Running" && (except == "" || $1 != except) {n++} END {print n + 0}'
}

is_ready_on() { # MANAGER NODE_ID
  [[ $(node_inspect "$1" "$2" '{{.Status.State}}') == ready ]]
}

# ------------------------------------------------------------------------------------------------- the agent

agent_supports() { "$SB_BIN" join --help 2>&1 | grep -q -- "$1"; }

# agent_start NAME I ARGS...: starts `swarm-bootstrap ARGS...` inside node I's network namespace, under its own
# UTS namespace with the node's hostname (as on a VM), in the background. stdout and stderr go to
# $SB_LOGS/$TEST_NAME.NAME.log. Sets AGENT_PID, AGENT_LOG, AGENT_T0. The agent talks to its engine through the
# unix socket and to managers over TCP inside the lab network.
agent_start() {
  local name=$1 i=$2
  shift 2
  AGENT_LOG="$SB_LOGS/$TEST_NAME.$name.log"
  AGENT_LOGS+=("$AGENT_LOG")
  local extra=()
  if [[ -z ${SB_AGENT_NO_STATE_ARGS:-} ]]; then
    # One state file and lock per node (they would be shared by all nodes of this one machine otherwise).
    [[ -n ${AGENT_HAS_STATE_FILE:-} ]] && extra+=(--state-file "$SB_LOGS/state.n$i.json")
    [[ -n ${AGENT_HAS_LOCK_FILE:-} ]] && extra+=(--lock-file "$SB_LAB_DIR/n$i/agent.lock")
  fi
  local cmd=("$SB_BIN" "$@")
  # Options go after the subcommand: insert the extras after "$1" (the subcommand).
  if ((${#extra[@]})); then
    cmd=("$SB_BIN" "$1" "${extra[@]}" "${@:2}")
  fi
  {
    echo "# node $i ($(lab ns "$i")): ${cmd[*]}" | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted>/g'
  } >"$AGENT_LOG.cmd"
  AGENT_T0=$(now_ms)
  # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
  ip netns exec "$(lab ns "$i")" unshare --uts \
    sh -c 'hostname "$0" && exec "$@"' "$(lab host "$i")" "${cmd[@]}" \
    </dev/null >"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  AGENT_PIDS+=("$AGENT_PID")
  note "agent '$name' started on node $i (pid $AGENT_PID): ${*}"
}

# agent_wait [TIMEOUT_S]: waits for the last started agent; sets AGENT_RC and AGENT_T1. Kills it after TIMEOUT_S
# (default 300) and fails the test.
agent_wait() {
  local timeout=${1:-300} t0
  t0=$(now_ms)
  while pid_running "$AGENT_PID"; do
    if (($(now_ms) - t0 > timeout * 1000)); then
      kill -KILL "$AGENT_PID" 2>/dev/null || true
      fail "agent (pid $AGENT_PID) still running after ${timeout}s"
    fi
    sleep 0.05
  done
  AGENT_RC=0
  wait "$AGENT_PID" || AGENT_RC=$?
  AGENT_T1=$(now_ms)
  note "agent exited with $AGENT_RC after $(elapsed_s "$AGENT_T0" "$AGENT_T1") s (log: $AGENT_LOG)"
}

# True while PID runs (an exited child stays a zombie until waited for: that is not running).
pid_running() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ ${st%% *} != Z && ${st%% *} != X ]]
}

agent_running() { pid_running "$AGENT_PID"; }

# agent_run NAME I ARGS...: agent_start + agent_wait.
agent_run() {
  agent_start "$@"
  agent_wait 300
}

# The usual join command line for node I toward the given managers (addresses).
# join_args I MANAGER_ADDR... -> prints nothing; sets JOIN_ARGS
join_args() {
  local i=$1 m
  shift
  JOIN_ARGS=(join --docker-host "unix://$(lab_sock "$i")")
  for m in "$@"; do JOIN_ARGS+=(--manager "$m"); done
}

# ------------------------------------------------------------------------------------------------- test frame

on_exit() {
  local rc=$? p f
  for p in "${AGENT_PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for f in "${TEST_CLEANUPS[@]}"; do
    eval "$f" || true
  done
  if ((rc != 0 && rc != 77)); then
    echo "[$TEST_NAME] finished with exit code $rc after $(elapsed_s "$TEST_T0") s"
  fi
}

# Register a command to run when the test ends (pass or fail).
at_exit() { TEST_CLEANUPS+=("$1"); }

test_begin() {
  TEST_NAME=$1
  TEST_T0=$(now_ms)
  [[ $(id -u) -eq 0 ]] || skip "integration tests need root (network namespaces, dockerd)"
  { command -v ip >/dev/null && ip netns list >/dev/null 2>&1; } || skip "ip netns (iproute2) is not available"
  [[ -x /usr/sbin/dockerd ]] || skip "/usr/sbin/dockerd not found (apt-get install docker.io)"
  [[ -x $DOCKER ]] || skip "$DOCKER not found (apt-get install docker.io)"
  command -v curl >/dev/null || skip "curl not found"
  command -v unshare >/dev/null || skip "unshare not found"
  if [[ -z ${SB_BIN:-} ]]; then
    local c
    for c in "$SB_IT_DIR"/../../build*/agent/swarm-bootstrap "$SB_IT_DIR"/../../build*/swarm-bootstrap; do
      if [[ -x $c ]]; then SB_BIN=$(cd "$(dirname "$c")" && pwd)/swarm-bootstrap; break; fi
    done
  fi
  [[ -n ${SB_BIN:-} && -x $SB_BIN ]] || skip "SB_BIN (the swarm-bootstrap binary) is not set or not executable"
  export SB_BIN
  trap on_exit EXIT
  # Run by hand without the CTest fixture: bring the lab up.
  if (($(lab nodes | wc -l) < 4)); then
    note "no lab of 4 nodes: running lab.sh up 4 (lab.sh down removes it)"
    lab up 4 >/dev/null || fail "lab.sh up 4 failed"
  fi
  lab reset 2>/dev/null || fail "lab.sh reset failed"
  mkdir -p "$SB_LOGS"
  # state.nI.json.leaving: a drain or leave of an earlier test would keep `run` from healing that node.
  rm -f "$SB_LOGS/$TEST_NAME".* "$SB_LOGS"/state.n*.json "$SB_LOGS"/state.n*.json.leaving
  agent_supports --state-file && AGENT_HAS_STATE_FILE=1
  agent_supports --lock-file && AGENT_HAS_LOCK_FILE=1
  note "begin (lab reset, binary $SB_BIN)"
}

test_pass() {
  # No test may leak a token into its own logs or state files.
  assert_no_token "${AGENT_LOGS[@]}" "$SB_LOGS"/state.n*.json
  echo "PASS: $TEST_NAME ($(elapsed_s "$TEST_T0") s)"
  exit 0
}
