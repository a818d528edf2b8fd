#!/usr/bin/env bash
# The README's demo: build swarm-bootstrap, start three real Docker engines in network namespaces (a private
# lab network, no route out), start the agent on nodes 2 and 3 *before* node 1 has a swarm, then create the swarm
# on node 1 and watch the agents notice it, join and label their nodes. Cleans up everything it started on exit.
#
# Needs Debian 12 (or similar) and root: installs what is missing with apt-get.
# Environment: SB_DEMO_WAIT (seconds before `swarm init`, default 10), SB_LAB_DIR (default /tmp/sblab-demo),
# SB_LAB_PREFIX (default sbdemo), SB_LAB_SUBNET (default 10.214.0), BUILD_DIR (default build),
# SB_BIN (use this swarm-bootstrap binary and skip the build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

WAIT_S=${SB_DEMO_WAIT:-10}
BUILD_DIR=${BUILD_DIR:-build}
# A lab of its own, so the demo never touches a test lab (/tmp/sblab, sblab-*, 10.213.0.0/24).
export SB_LAB_DIR=${SB_LAB_DIR:-/tmp/sblab-demo}
export SB_LAB_PREFIX=${SB_LAB_PREFIX:-sbdemo}
export SB_LAB_SUBNET=${SB_LAB_SUBNET:-10.214.0}
LAB="$ROOT/tests/integration/lab.sh"
DOCKER=/usr/bin/docker # not /usr/local/bin/docker: the lab's engines speak API 1.41

if [[ -t 1 ]]; then
  B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
  B='' G='' R='' N=''
fi
T0=$SECONDS
section() { printf '\n%s==== %s ====%s\n' "$B" "$*" "$N"; }
say() { printf '%s[demo %3ds]%s %s\n' "$B" $((SECONDS - T0)) "$N" "$*"; }
die() { printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages, creates network namespaces and runs dockerd)"

# ------------------------------------------------------------------------------------------------ cleanup
AGENT_PIDS=()
LAB_STARTED=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local p
  for p in "${AGENT_PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  if [[ -n $LAB_STARTED ]]; then
    section "cleanup: lab down"
    bash "$LAB" down || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ------------------------------------------------------------------------------------------------ 1. packages
section "1. packages"
scripts/install-deps.sh build lab
say "build and lab packages present"

# ------------------------------------------------------------------------------------------------ 2. build
section "2. build swarm-bootstrap"
BIN=${SB_BIN:-}
if [[ -n $BIN ]]; then
  say "SB_BIN is set: not building"
  [[ -x $BIN ]] || die "SB_BIN=$BIN is not executable"
else
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target swarm-bootstrap
  for c in "$BUILD_DIR/agent/swarm-bootstrap" "$BUILD_DIR/swarm-bootstrap"; do
    [[ -x $c ]] && { BIN=$ROOT/$c; break; }
  done
  [[ -n $BIN ]] || BIN=$(find "$ROOT/$BUILD_DIR" -type f -name swarm-bootstrap -perm -u+x | head -n 1)
  [[ -n $BIN && -x $BIN ]] || die "built, but no swarm-bootstrap binary found under $BUILD_DIR"
fi
say "binary: $BIN"
"$BIN" version || true

# ------------------------------------------------------------------------------------------------ 3. lab
section "3. three Docker engines, each in its own network namespace ($SB_LAB_SUBNET.0/24, no route out)"
LAB_STARTED=1
bash "$LAB" down >/dev/null 2>&1 || true # leftovers of an interrupted demo
bash "$LAB" up 3
bash "$LAB" status
d() { local i=$1; shift; "$DOCKER" -H "unix://$(bash "$LAB" sock "$i")" "$@"; }

# ------------------------------------------------------------------------------------------------ 4. agents
section "4. agents start before the swarm exists"
help=$("$BIN" join --help 2>&1 || true)
# Per-node state file and lock: the lab's nodes share this machine's filesystem.
per_node_args() {
  local i=$1
  [[ $help == *--state-file* ]] && printf '%s\n' --state-file "$SB_LAB_DIR/n$i/agent-state.json"
  [[ $help == *--lock-file* ]] && printf '%s\n' --lock-file "$SB_LAB_DIR/n$i/agent.lock"
  return 0
}
# start_agent I PREFIX ARGS...: runs the agent inside node I's namespace with the node's hostname; its log lines
# stream here prefixed with PREFIX.
start_agent() {
  local i=$1 prefix=$2 extra
  shift 2
  mapfile -t extra < <(per_node_args "$i")
  local cmd=("$BIN" join "${extra[@]}" --docker-host "unix://$(bash "$LAB" sock "$i")" "$@")
  say "node $i: ${cmd[*]#"$ROOT/"}"
  # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
  ip netns exec "$(bash "$LAB" ns "$i")" unshare --uts sh -c 'hostname "$0" && exec "$@"' \
    "$(bash "$LAB" host "$i")" "${cmd[@]}" </dev/null > >(sed -u "s/^/$prefix /") 2>&1 &
  AGENT_PIDS+=($!)
}
M1=$(bash "$LAB" addr 1)
common=(--manager "$M1" --timeout 5m --backoff-initial 500ms --backoff-max 3s)
start_agent 2 "${G}[agent n2]${N}" "${common[@]}" --role worker --label zone=a --label tier=web
if [[ $help == *--lock-file* ]]; then
  start_agent 3 "${G}[agent n3]${N}" "${common[@]}" --role manager --label zone=b
else
  say "(this build has no --lock-file: one agent only, as two on one machine would share the lock)"
fi

# True while PID runs (an exited child is a zombie until waited for).
running() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ ${st%% *} != Z ]]
}
say "waiting ${WAIT_S} s before creating the swarm: the agents keep polling node 1 meanwhile"
for ((s = WAIT_S; s > 0; s--)); do
  sleep 1
done
for p in "${AGENT_PIDS[@]}"; do
  running "$p" || say "an agent exited before the swarm existed (see its log above)"
done

# ------------------------------------------------------------------------------------------------ 5. swarm init
section "5. docker swarm init on node 1"
init_at=$SECONDS
out=$(d 1 swarm init --advertise-addr "$M1") || die "swarm init failed"
echo "${out%%$'\n'*}"
say "swarm created; the agents should find it within their backoff (at most 3 s) and join"

rcs=()
for p in "${AGENT_PIDS[@]}"; do
  rc=0
  wait "$p" || rc=$?
  rcs+=("$rc")
done
say "agents exited with: ${rcs[*]} ($((SECONDS - init_at)) s after swarm init)"
AGENT_PIDS=()

# ------------------------------------------------------------------------------------------------ 6. result
section "6. the swarm, as node 1 sees it"
d 1 node ls
echo
# shellcheck disable=SC2016 # a Go template, not shell
fmt='{{.Description.Hostname}}  role={{.Spec.Role}}  state={{.Status.State}}  labels:{{range $k, $v := .Spec.Labels}} {{$k}}={{$v}}{{end}}'
for id in $(d 1 node ls -q); do
  d 1 node inspect --format "$fmt" "$id"
done

ok=1
for rc in "${rcs[@]}"; do [[ $rc == 0 ]] || ok=0; done
if ((ok)); then
  section "done: every agent joined and labelled its node ($((SECONDS - T0)) s)"
else
  section "done, but an agent failed (exit codes: ${rcs[*]}; see ARCHITECTURE.md for their meaning)"
  exit 1
fi
