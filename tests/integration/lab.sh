#!/usr/bin/env bash
# lab.sh: a small lab of real Docker engines (dockerd 20.10 from Debian's docker.io, or per node another dockerd,
# e.g. Debian 13's 26.1 from scripts/fetch-docker-trixie.sh), each in its own network
# namespace with its own address on a private bridge. The network has no default route and no link to the host
# namespace, so all traffic stays inside it. Tests reach each engine through its unix socket (a path in the lab
# directory); programs that must use TCP run inside a node's namespace (`lab.sh exec I CMD...`).
#
#   namespace sblab-sw  : bridge "br0" (the switch), one veth "vI" per node
#   namespace sblab-nI  : "eth0" (the veth peer) with ${SB_LAB_SUBNET}.I/24, plus lo; no default route
#   engine I            : dockerd in sblab-nI under its own UTS namespace (hostname sblab-nI), listening on
#                         unix://$SB_LAB_DIR/nI/docker.sock and tcp://${SB_LAB_SUBNET}.I:2375 (no TLS)
#
# Environment:
#   SB_LAB_DIR     lab directory (default /tmp/sblab)
#   SB_LAB_SUBNET  first three octets of the /24 (default 10.213.0)
#   SB_LAB_PREFIX  prefix of namespace names and hostnames (default sblab)
#   SB_LAB_START_TIMEOUT  seconds to wait for an engine's /_ping (default 60)
#   SB_DOCKERD     dockerd binary (default /usr/sbin/dockerd); SB_DOCKER docker client (default /usr/bin/docker)
#   SB_LAB_DOCKERD_<I>  dockerd binary of node I at `up` (default SB_DOCKERD): mixed swarms of engine versions.
#                  Each node records its binary in its directory (dockerd.path), so later start/restart/wipe/reset
#                  keep it; `lab.sh engine I PATH` switches a node to another one. The directory of that binary
#                  and its ../bin come first in the engine's PATH: dockerd starts the containerd that comes with it.
#
# Needs root, iproute2 (ip netns), util-linux (unshare, flock), curl and docker.io.
set -euo pipefail

LAB_DIR=${SB_LAB_DIR:-/tmp/sblab}
SUBNET=${SB_LAB_SUBNET:-10.213.0}
PREFIX=${SB_LAB_PREFIX:-sblab}
START_TIMEOUT=${SB_LAB_START_TIMEOUT:-60}
DOCKERD=${SB_DOCKERD:-/usr/sbin/dockerd}
DOCKER=${SB_DOCKER:-/usr/bin/docker}
SWITCH_NS="${PREFIX}-sw"
BRIDGE=br0

usage() {
  cat <<EOF
usage: lab.sh COMMAND [ARGS]
  up N            create the network and start N engines (waits for each /_ping); prints the time it took
  down            stop every engine (TERM, then KILL), delete namespaces, unmount, remove the lab directory
  start I         start engine I (no-op when it runs)      stop I    stop engine I (its namespace stays)
  restart I       stop, then start engine I
  wipe I          stop engine I, delete its data (and trust key), start it again: a reimaged VM
  engine I PATH   run node I on dockerd PATH: when it runs another one, stop it, wipe its data (an engine never
                  inherits another version's data root) and start it on PATH
  dockerd I       print the dockerd binary node I runs on
  reset           start stopped engines, kill stray processes in node namespaces, force every engine out of its
                  swarm (all become inactive)
  status          one line per node: namespace, address, pid, swarm state
  sock I | addr I | ns I | host I | dir I | log I   print node I's socket path, IP address, namespace name,
                  hostname, directory, dockerd log file
  nodes           print the node numbers of the lab, one per line
  docker I ARGS.. run $DOCKER -H unix://SOCK ARGS...
  curl I PATH [CURL ARGS..]  GET (or other) on node I's Engine API through its socket
  exec I CMD...   run CMD inside node I's network namespace
  leave I         force engine I out of its swarm
EOF
}

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "lab.sh: $*" >&2; }

now_ms() { date +%s%3N; }

check_index() {
  [[ ${1:-} =~ ^[1-9][0-9]*$ ]] || die "node number expected, got '${1:-}'"
  (( $1 <= 250 )) || die "node number must be at most 250"
}

node_ns() { echo "${PREFIX}-n$1"; }
# SB_LAB_HOST_<I> gives engine I another hostname when it (re)starts (two nodes of one name: a cloned image).
node_host() { local v="SB_LAB_HOST_$1"; echo "${!v:-${PREFIX}-n$1}"; }
node_addr() { echo "${SUBNET}.$1"; }
node_dir() { echo "${LAB_DIR}/n$1"; }
node_sock() { echo "${LAB_DIR}/n$1/docker.sock"; }
node_pidfile() { echo "${LAB_DIR}/n$1/dockerd.pid"; }
node_log() { echo "${LAB_DIR}/n$1/dockerd.log"; }
node_exec_root() { echo "${LAB_DIR}/n$1/run"; }
node_data_root() { echo "${LAB_DIR}/n$1/data"; }
node_dockerd_file() { echo "${LAB_DIR}/n$1/dockerd.path"; }

# The dockerd binary of node I: the one it was set up with, else SB_LAB_DOCKERD_<I>, else SB_DOCKERD.
node_dockerd() {
  local file var
  file=$(node_dockerd_file "$1")
  if [[ -s $file ]]; then
    cat "$file"
    return 0
  fi
  var=SB_LAB_DOCKERD_$1
  echo "${!var:-$DOCKERD}"
}

ns_exists() { [[ -e /run/netns/$1 ]]; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  command -v ip >/dev/null || die "ip (iproute2) not found"
  command -v unshare >/dev/null || die "unshare (util-linux) not found"
  command -v flock >/dev/null || die "flock (util-linux) not found"
  command -v curl >/dev/null || die "curl not found"
  [[ -x $DOCKERD ]] || die "$DOCKERD not found (install docker.io)"
}

# The nodes the lab knows about: directories nI in the lab dir, and namespaces named PREFIX-nI.
lab_nodes() {
  {
    if [[ -d $LAB_DIR ]]; then
      local d
      for d in "$LAB_DIR"/n*; do
        [[ -d $d ]] || continue
        d=${d##*/n}
        [[ $d =~ ^[0-9]+$ ]] && echo "$d"
      done
    fi
    ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^${PREFIX}-n\([0-9][0-9]*\)\$/\1/p"
  } | sort -n -u
}

# The pid in pidfile FILE when it is a live NAME process, nothing otherwise (a stale file names a dead or reused pid).
pid_in_file() {
  local file=$1 name=$2 pid
  [[ -s $file ]] || return 0
  pid=$(<"$file")
  if pid_alive "$pid" "$name"; then
    echo "$pid"
  fi
}

# PID of engine I when it runs (dockerd writes its own pidfile), and of its containerd (dockerd supervises its own).
engine_pid() { pid_in_file "$(node_pidfile "$1")" dockerd; }
containerd_pid() { pid_in_file "$(node_exec_root "$1")/containerd/containerd.pid" containerd; }

# True when PID is a live process (not a zombie waiting for PID 1 to reap it) whose name starts with NAME.
pid_alive() {
  local pid=$1 name=${2:-} stat
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # Field 3 (after the parenthesised name) is the state.
  stat=${stat##*) }
  [[ ${stat%% *} != Z && ${stat%% *} != X ]] || return 1
  if [[ -n $name ]]; then
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name"* ]] || return 1
  fi
}

ping_engine() {
  curl -s --max-time 2 --unix-socket "$(node_sock "$1")" http://localhost/_ping 2>/dev/null | grep -qx OK
}

# ---------------------------------------------------------------------------------------------------- network

net_up_switch() {
  if ! ns_exists "$SWITCH_NS"; then
    ip netns add "$SWITCH_NS"
  fi
  ip -n "$SWITCH_NS" link set lo up
  if ! ip -n "$SWITCH_NS" link show "$BRIDGE" >/dev/null 2>&1; then
    ip -n "$SWITCH_NS" link add "$BRIDGE" type bridge
  fi
  ip -n "$SWITCH_NS" link set "$BRIDGE" up
}

net_up_node() {
  local i=$1 ns
  ns=$(node_ns "$i")
  if ! ns_exists "$ns"; then
    ip netns add "$ns"
  fi
  ip -n "$ns" link set lo up
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    # Created inside the switch namespace, the peer moved straight into the node: nothing touches the host's.
    ip -n "$SWITCH_NS" link del "v$i" >/dev/null 2>&1 || true
    ip -n "$SWITCH_NS" link add "v$i" type veth peer name eth0 netns "$ns"
    ip -n "$SWITCH_NS" link set "v$i" master "$BRIDGE"
    ip -n "$SWITCH_NS" link set "v$i" up
  fi
  if ! ip -n "$ns" -4 addr show dev eth0 | grep -q "inet $(node_addr "$i")/"; then
    ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0
  fi
  ip -n "$ns" link set eth0 up
}

# ---------------------------------------------------------------------------------------------------- engines

write_node_files() {
  local i=$1 dir
  dir=$(node_dir "$i")
  mkdir -p "$dir" "$(node_data_root "$i")" "$(node_exec_root "$i")"
  # The trust key decides the engine ID: it lives in the data root, so a wiped node gets a new ID.
  cat >"$dir/daemon.json" <<EOF
{
  "deprecated-key-path": "$(node_data_root "$i")/key.json"
}
EOF
  # Run inside the node's network namespace (ip netns exec gives it a private mount namespace, slave of the
  # host's) and UTS namespace. ip netns exec remounts /sys, which hides the cgroup hierarchies, and dockerd then
  # stops with "Devices cgroup isn't mounted": mount them again as PID 1 has them.
  cat >"$dir/inner.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
hostname "$SB_NODE_HOSTNAME"
if ! grep -q ' /sys/fs/cgroup/devices ' /proc/self/mounts && ! grep -q ' /sys/fs/cgroup cgroup2 ' /proc/self/mounts; then
  while read -r dev mnt type opts _; do
    case $mnt in /sys/fs/cgroup | /sys/fs/cgroup/*) ;; *) continue ;; esac
    case $type in
      tmpfs | cgroup | cgroup2)
        mkdir -p "$mnt" 2>/dev/null || true
        mount -t "$type" -o "$opts" "$dev" "$mnt"
        ;;
    esac
  done </proc/1/mounts
fi
exec "$@"
EOF
}

# Start engine I; returns when it answers /_ping. Idempotent: a running engine is left alone.
engine_start() {
  local i=$1 ns dir sock pid lockfd t0 deadline
  ns=$(node_ns "$i")
  dir=$(node_dir "$i")
  sock=$(node_sock "$i")
  ns_exists "$ns" || die "namespace $ns does not exist (run: lab.sh up N)"
  write_node_files "$i"
  exec {lockfd}>"$dir/start.lock"
  flock "$lockfd"
  pid=$(engine_pid "$i")
  if [[ -n $pid ]]; then
    flock -u "$lockfd"
    exec {lockfd}>&-
    if ! wait_ping "$i" "$pid"; then
      die "engine $i (pid $pid) runs but does not answer /_ping; see $(node_log "$i")"
    fi
    return 0
  fi
  # A stale containerd of a killed engine would hold the containerd socket: end it first.
  local cpid
  cpid=$(containerd_pid "$i")
  if [[ -n $cpid ]]; then
    kill -KILL "$cpid" 2>/dev/null || true
  fi
  rm -f "$(node_pidfile "$i")" "$sock"
  t0=$(now_ms)
  {
    echo "==== lab.sh: starting engine $i at $(date -Is)"
  } >>"$(node_log "$i")"
  # stdin/stdout/stderr all go to files: a test runner waiting on the caller's pipes must not wait for dockerd.
  # setsid: the engine is not in the caller's process group, so a ^C to a test does not hit it.
  # With certificates in $dir/tls (ca.pem, server-cert.pem, server-key.pem) the engine's TCP API is TLS on 2376 and
  # requires client certificates (--tlsverify), as a hardened manager's would; otherwise plain TCP on 2375.
  local dockerd bindir
  dockerd=$(node_dockerd "$i")
  [[ -x $dockerd ]] || die "engine $i: $dockerd is not an executable dockerd"
  echo "$dockerd" >"$(node_dockerd_file "$i")"
  bindir=$(dirname "$dockerd")
  echo "==== lab.sh: $("$dockerd" --version 2>&1)" >>"$(node_log "$i")"
  local tcp_args=(-H "tcp://$(node_addr "$i"):2375" --tls=false)
  if [[ -f $dir/tls/server-key.pem ]]; then
    tcp_args=(-H "tcp://$(node_addr "$i"):2376" --tlsverify --tlscacert "$dir/tls/ca.pem"
      --tlscert "$dir/tls/server-cert.pem" --tlskey "$dir/tls/server-key.pem")
  fi
  PATH="$bindir:$bindir/../bin:$PATH" SB_NODE_HOSTNAME=$(node_host "$i") setsid ip netns exec "$ns" unshare --uts \
    bash "$dir/inner.sh" "$dockerd" \
    --config-file "$dir/daemon.json" \
    --data-root "$(node_data_root "$i")" \
    --exec-root "$(node_exec_root "$i")" \
    --pidfile "$(node_pidfile "$i")" \
    -H "unix://$sock" \
    "${tcp_args[@]}" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --bridge=none --userland-proxy=false --storage-driver=vfs \
    </dev/null >>"$(node_log "$i")" 2>&1 &
  local launcher=$!
  deadline=$(( $(now_ms) + START_TIMEOUT * 1000 ))
  while :; do
    if ping_engine "$i"; then
      break
    fi
    if ! pid_alive "$launcher" && [[ -z $(engine_pid "$i") ]]; then
      flock -u "$lockfd"
      exec {lockfd}>&-
      tail -n 20 "$(node_log "$i")" >&2 || true
      die "engine $i exited during start-up; see $(node_log "$i")"
    fi
    if (( $(now_ms) > deadline )); then
      flock -u "$lockfd"
      exec {lockfd}>&-
      tail -n 20 "$(node_log "$i")" >&2 || true
      die "engine $i did not answer /_ping within ${START_TIMEOUT}s; see $(node_log "$i")"
    fi
    sleep 0.1
  done
  flock -u "$lockfd"
  exec {lockfd}>&-
  log "engine $i up ($(node_host "$i"), $(node_addr "$i"), pid $(engine_pid "$i"), $dockerd) in $(( $(now_ms) - t0 )) ms"
}

wait_ping() {
  local i=$1 pid=$2 deadline
  deadline=$(( $(now_ms) + START_TIMEOUT * 1000 ))
  until ping_engine "$i"; do
    pid_alive "$pid" dockerd || return 1
    (( $(now_ms) < deadline )) || return 1
    sleep 0.1
  done
}

# Kill PIDS with TERM, wait up to SECS, then KILL.
term_then_kill() {
  local secs=$1; shift
  local pids=("$@") p alive deadline
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$(( $(now_ms) + secs * 1000 ))
  while :; do
    alive=()
    for p in "${pids[@]}"; do
      pid_alive "$p" && alive+=("$p")
    done
    ((${#alive[@]})) || return 0
    if (( $(now_ms) > deadline )); then
      log "still running after ${secs}s, sending KILL: ${alive[*]}"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.2
      return 0
    fi
    sleep 0.1
  done
}

engine_stop() {
  local i=$1 pid cpid pids=()
  pid=$(engine_pid "$i")
  cpid=$(containerd_pid "$i")
  [[ -n $pid ]] && pids+=("$pid")
  [[ -n $cpid ]] && pids+=("$cpid")
  if ((${#pids[@]} == 0)); then
    return 0
  fi
  # dockerd stops its containerd itself on TERM; KILL catches both if it hangs.
  term_then_kill 15 "${pids[@]}"
  # A killed dockerd leaves its containerd behind: its pid may have been written after we looked.
  cpid=$(containerd_pid "$i")
  [[ -n $cpid ]] && term_then_kill 5 "$cpid"
  rm -f "$(node_pidfile "$i")"
  echo "==== lab.sh: engine $i stopped at $(date -Is)" >>"$(node_log "$i")"
  log "engine $i stopped"
}

engine_leave() {
  local i=$1 out
  [[ -n $(engine_pid "$i") ]] || return 0
  out=$(curl -s --max-time 30 --unix-socket "$(node_sock "$i")" -X POST \
    "http://localhost/swarm/leave?force=true" -w ' HTTP%{http_code}' 2>&1) || true
  case $out in
    *HTTP200 | *HTTP503) ;; # left, or was not in a swarm
    *) log "engine $i: leave answered: $out" ;;
  esac
}

engine_control() {
  curl -s --max-time 5 --unix-socket "$(node_sock "$1")" http://localhost/info 2>/dev/null |
    grep -o '"ControlAvailable":[a-z]*' | cut -d: -f2 || true
}

gossip_listening() {
  [[ $(engine_state "$1") == inactive ]] || return 1
  ip netns exec "$(node_ns "$1")" ss -Hltn 'sport = :7946' 2>/dev/null | grep -q .
}

engine_state() {
  curl -s --max-time 5 --unix-socket "$(node_sock "$1")" http://localhost/info 2>/dev/null |
    grep -o '"LocalNodeState":"[a-z]*"' | cut -d'"' -f4 || true
}

# ---------------------------------------------------------------------------------------------------- commands

cmd_up() {
  local n=${1:-} i t0 t1
  check_index "$n"
  require_root
  t0=$(now_ms)
  mkdir -p "$LAB_DIR"
  chmod 755 "$LAB_DIR"
  net_up_switch
  for ((i = 1; i <= n; i++)); do
    net_up_node "$i"
    write_node_files "$i"
  done
  # Start engines concurrently (2 at a time is what 2 cores handle well; all at once is fine too).
  local pids=() rc=0
  for ((i = 1; i <= n; i++)); do
    engine_start "$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    wait "$i" || rc=1
  done
  ((rc == 0)) || die "some engines did not start"
  t1=$(now_ms)
  echo "$n" >"$LAB_DIR/size"
  printf 'lab up: %d engines in %d.%03d s\n' "$n" $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000))
}

cmd_down() {
  require_root
  local i pids=() p
  # Engines first (TERM, wait, KILL), all concurrently.
  for i in $(lab_nodes); do
    engine_stop "$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  # Anything else still inside a node namespace (agents under test, orphans): TERM, then KILL.
  local ns left=()
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}-(n[0-9]+|sw)\$" || true); do
    mapfile -t -O "${#left[@]}" left < <(ip netns pids "$ns" 2>/dev/null || true)
  done
  if ((${#left[@]})); then
    log "ending leftover processes in lab namespaces: ${left[*]}"
    term_then_kill 5 "${left[@]}"
  fi
  # Mounts under the lab dir (none are expected: engines mount in their own mount namespaces).
  if [[ -d $LAB_DIR ]]; then
    local m
    while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done < <(awk '{print $2}' /proc/self/mounts | grep -F "$LAB_DIR/" | sort -r || true)
  fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}-(n[0-9]+|sw)\$" || true); do
    ip netns del "$ns" 2>/dev/null || log "could not delete namespace $ns"
  done
  if [[ -d $LAB_DIR ]]; then
    # Keep captured agent logs if a caller asked for it (tests keep them in $SB_LAB_LOGS, outside).
    rm -rf --one-file-system "$LAB_DIR"
  fi
  log "lab down"
}

cmd_reset() {
  require_root
  local i pids=() p nodes
  nodes=$(lab_nodes)
  [[ -n $nodes ]] || die "no lab (run: lab.sh up N)"
  # Stray processes in node namespaces (agents of a test that failed) would interfere: end them.
  local ns stray=() pid
  for i in $nodes; do
    ns=$(node_ns "$i")
    ns_exists "$ns" || continue
    while read -r pid; do
      [[ -n $pid ]] || continue
      [[ $pid == "$(engine_pid "$i")" || $pid == "$(containerd_pid "$i")" ]] && continue
      stray+=("$pid")
    done < <(ip netns pids "$ns" 2>/dev/null || true)
  done
  if ((${#stray[@]})); then
    log "reset: ending stray processes in node namespaces: ${stray[*]}"
    term_then_kill 5 "${stray[@]}"
  fi
  for i in $nodes; do
    engine_start "$i" 2>/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  # Managers leave first, then workers: a worker leaving while its manager is going away waits 5 s for the
  # ingress network ("timeout while waiting for ingress network removal"); after the managers it takes 0.2 s.
  local managers=()
  for i in $nodes; do
    [[ $(engine_control "$i") == true ]] && managers+=("$i")
  done
  pids=()
  for i in "${managers[@]}"; do
    engine_leave "$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  pids=()
  for i in $nodes; do
    (
      engine_leave "$i"
      # dockerd 20.10 sometimes keeps its gossip listener (:7946) after a leave; the next join then logs
      # "error in agentInit ... bind: address already in use" and a later leave waits 5 s for the ingress
      # network. Restart such an engine so every test starts from a clean one.
      if gossip_listening "$i"; then
        log "reset: engine $i still listens on :7946 after leaving: restarting it"
        engine_stop "$i" 2>/dev/null
        engine_start "$i" 2>/dev/null
      fi
    ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  local bad=0 st
  for i in $nodes; do
    st=$(engine_state "$i")
    if [[ $st != inactive ]]; then
      log "reset: engine $i is '${st:-unreachable}', not inactive"
      bad=1
    fi
  done
  ((bad == 0)) || die "reset failed"
  log "reset: all engines inactive"
}

# Node I runs on dockerd PATH from now on. A node that ran another binary starts from an empty data root.
cmd_engine() {
  local i=$1 path=$2
  [[ -d $(node_dir "$i") ]] || die "node $i does not exist (run: lab.sh up N)"
  if [[ $(node_dockerd "$i") != "$path" ]]; then
    engine_stop "$i"
    rm -rf --one-file-system "$(node_data_root "$i")" "$(node_exec_root "$i")"
    echo "$path" >"$(node_dockerd_file "$i")"
  fi
  engine_start "$i"
}

cmd_status() {
  local i pid st
  printf '%-4s %-10s %-14s %-8s %s\n' NODE NAMESPACE ADDRESS PID SWARM
  for i in $(lab_nodes); do
    pid=$(engine_pid "$i")
    st=-
    [[ -n $pid ]] && st=$(engine_state "$i")
    printf '%-4s %-10s %-14s %-8s %s\n' "$i" "$(node_ns "$i")" "$(node_addr "$i")" "${pid:--}" "${st:-?}"
  done
}

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || { usage >&2; exit 2; }
  shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    start) check_index "${1:-}"; require_root; engine_start "$1" ;;
    stop) check_index "${1:-}"; require_root; engine_stop "$1" ;;
    restart) check_index "${1:-}"; require_root; engine_stop "$1"; engine_start "$1" ;;
    wipe)
      check_index "${1:-}"; require_root
      engine_stop "$1"
      rm -rf --one-file-system "$(node_data_root "$1")" "$(node_exec_root "$1")"
      engine_start "$1"
      ;;
    engine)
      check_index "${1:-}"; require_root
      [[ -x ${2:-} ]] || die "engine: an executable dockerd expected, got '${2:-}'"
      cmd_engine "$1" "$2"
      ;;
    dockerd) check_index "${1:-}"; node_dockerd "$1" ;;
    reset) cmd_reset ;;
    status) cmd_status ;;
    nodes) lab_nodes ;;
    sock) check_index "${1:-}"; node_sock "$1" ;;
    addr) check_index "${1:-}"; node_addr "$1" ;;
    ns) check_index "${1:-}"; node_ns "$1" ;;
    host) check_index "${1:-}"; node_host "$1" ;;
    dir) check_index "${1:-}"; node_dir "$1" ;;
    log) check_index "${1:-}"; node_log "$1" ;;
    pid) check_index "${1:-}"; engine_pid "$1" ;;
    docker) check_index "${1:-}"; local i=$1; shift; exec "$DOCKER" -H "unix://$(node_sock "$i")" "$@" ;;
    curl)
      check_index "${1:-}"; local i=$1 path=${2:-/_ping}; shift; shift || true
      exec curl -sS --max-time 30 --unix-socket "$(node_sock "$i")" "$@" "http://localhost${path}"
      ;;
    exec) check_index "${1:-}"; local i=$1; shift; (($#)) || die "exec: command expected"; exec ip netns exec "$(node_ns "$i")" "$@" ;;
    leave) check_index "${1:-}"; engine_leave "$1" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
