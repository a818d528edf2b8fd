# shellcheck shell=bash
# bench/lib.sh: what the benchmarks share (sourced). They run on the dockerd lab of the integration tests
# (tests/integration/lab.sh), so they need root, ip netns and docker.io, and they honour its environment:
# SB_LAB_PREFIX, SB_LAB_SUBNET, SB_LAB_DIR. SB_BIN is the agent (default: build/agent/swarm-bootstrap).
# Results go to SB_BENCH_OUT (default bench/results), one CSV per benchmark.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
LAB="$REPO_DIR/tests/integration/lab.sh"
export SB_LAB_PREFIX=${SB_LAB_PREFIX:-sblab}
export SB_LAB_SUBNET=${SB_LAB_SUBNET:-10.213.0}
export SB_LAB_DIR=${SB_LAB_DIR:-/tmp/sblab}
SB_BIN=${SB_BIN:-$REPO_DIR/build/agent/swarm-bootstrap}
OUT_DIR=${SB_BENCH_OUT:-$BENCH_DIR/results}
DOCKER=${SB_DOCKER:-/usr/bin/docker}
PYTHON=${SB_PYTHON:-python3}

now_ms() { date +%s%3N; }
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
die() {
  echo "bench: $*" >&2
  exit 1
}

lab() { bash "$LAB" "$@"; }
lab_addr() { echo "$SB_LAB_SUBNET.$1"; }
lab_ns() { echo "$SB_LAB_PREFIX-n$1"; }
lab_host() { echo "$SB_LAB_PREFIX-n$1"; }
lab_sock() { echo "$SB_LAB_DIR/n$1/docker.sock"; }
lab_docker() {
  local i=$1
  shift
  "$DOCKER" -H "unix://$(lab_sock "$i")" "$@"
}

bench_require() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, iptables)"
  [[ -x $SB_BIN ]] || die "SB_BIN=$SB_BIN is not an executable; build first (cmake --build build)"
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
  command -v iptables >/dev/null || die "iptables not found"
  mkdir -p "$OUT_DIR"
}

# lab_ensure N: a lab of at least N engines (nodes 1..N) is up.
lab_ensure() {
  local n=$1 size=0
  [[ -f $SB_LAB_DIR/size ]] && size=$(<"$SB_LAB_DIR/size")
  if ((size < n)); then
    say "lab up $n (was $size)"
    lab up "$n" >&2
  fi
  local i
  for ((i = 1; i <= n; i++)); do
    lab start "$i" >/dev/null 2>&1 || die "engine $i does not start"
  done
}

# stats NAME FILE: prints "NAME n=.. p50=.. p90=.. max=.." of the numbers in FILE (one per line, seconds).
# Percentiles by nearest rank.
stats() {
  sort -g "$2" | awk -v name="$1" '
    { v[NR] = $1 }
    END {
      if (NR == 0) { printf "%s n=0\n", name; exit }
      p50 = v[int(NR * 0.5 + 0.999999)]; p90 = v[int(NR * 0.9 + 0.999999)]
      printf "%s n=%d p50=%.3f p90=%.3f max=%.3f\n", name, NR, p50, p90, v[NR]
    }'
}

# stat_value FILE P: the P-th percentile (nearest rank) of the numbers in FILE.
stat_value() {
  sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (NR) print v[int(NR * p + 0.999999)]; else print "nan" }'
}

# SYN counter on TCP port PORT inside node I's namespace (an ACCEPT rule that only counts).
syn_counter_add() { ip netns exec "$(lab_ns "$1")" iptables -I INPUT 1 -p tcp --dport "$2" --syn -m comment --comment "sb-bench-$2" -j ACCEPT; }
syn_counter_del() { ip netns exec "$(lab_ns "$1")" iptables -D INPUT -p tcp --dport "$2" --syn -m comment --comment "sb-bench-$2" -j ACCEPT 2>/dev/null || true; }
syn_counter_read() {
  ip netns exec "$(lab_ns "$1")" iptables -L INPUT -v -x -n | awk -v c="sb-bench-$2" 'index($0, c) { print $1; exit }'
}

# proc_cpu_ticks PID: user + system CPU time of PID so far, in clock ticks (0 when it is gone).
# The end of a benchmark's work directory $TMP: removed after a run that succeeded ($1, its exit status, is 0);
# kept, for its agents' logs, after one that failed.
bench_tmp_done() {
  if (($1 == 0)); then rm -rf "$TMP" 2>/dev/null || true; else echo "kept $TMP for inspection" >&2; fi
}
proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
