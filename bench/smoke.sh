#!/usr/bin/env bash
# bench/smoke.sh: a short run of every benchmark (about a minute), so that CI notices when one breaks. The figures
# of such short runs mean little; run the benchmarks themselves for those (README, Performance).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip() {
  echo "SKIP: $*"
  exit 77
}
[[ $(id -u) -eq 0 ]] || skip "the benchmarks need root (network namespaces, dockerd, iptables)"
{ command -v ip >/dev/null && ip netns list >/dev/null 2>&1; } || skip "ip netns (iproute2) is not available"
[[ -x /usr/sbin/dockerd ]] || skip "/usr/sbin/dockerd not found (apt-get install docker.io)"
command -v iptables >/dev/null || skip "iptables not found"
command -v "${SB_PYTHON:-python3}" >/dev/null || skip "python3 not found"
if [[ -z ${SB_BENCH_OUT:-} ]]; then
  SB_BENCH_OUT=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-smoke.XXXXXX")
  trap 'rm -rf "$SB_BENCH_OUT"' EXIT
fi
export SB_BENCH_OUT
t0=$SECONDS
SB_RACE_WAIT_MIN=2 SB_RACE_WAIT_MAX=3 bash "$here/race.sh" 1
SB_HERD_WAIT=4 SB_HERD_REAL=3 SB_HERD_REAL_WAIT=3 bash "$here/herd.sh" 20
SB_IDLE_INTERVAL=2 SB_IDLE_INTERVALS=2 bash "$here/idle.sh"
bash "$here/scale-in.sh" --quick
bash "$here/bar.sh" "$SB_BENCH_OUT"
for f in race.csv herd.csv herd-summary.csv herd-real.csv idle.csv scale-in.csv; do
  [[ $(wc -l <"$SB_BENCH_OUT/$f") -ge 2 ]] || { echo "FAIL: $f has no results"; exit 1; }
done
echo "bench smoke: all benchmarks ran in $((SECONDS - t0)) s"
