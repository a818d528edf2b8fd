#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test — unit, integration on real
# dockerd engines in network namespaces, installer and package tests, and the Windows build under wine.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
phase_started=$SECONDS
phase_times=()
# Closes the phase that just ended: its wall time goes into the summary at the end.
phase_done() {
  phase_times+=("$1 $((SECONDS - phase_started))s")
  phase_started=$SECONDS
}

# Everything up front, so the builds below that run in the background never wait for apt.
scripts/install-deps.sh build lab package lint systemd fuzz windows bench
# Debian 13's dockerd 26.1 for the second integration lab (cached; fetched once through a private apt state).
scripts/fetch-docker-trixie.sh >/dev/null
phase_done install-deps

# Every build (Linux, ASan, fuzz, Windows) goes through ccache, one cache per machine, shared by every clone:
# paths are hashed relative to the clone, so a new checkout of the same sources compiles nothing twice.
export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
if [[ $(id -u) -eq 0 ]]; then
  export CCACHE_DIR=/var/cache/swarm-bootstrap/ccache
fi

echo "== build (Linux, Release, warnings as errors) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSB_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build -j2
phase_done build-linux

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

# Three lanes at once, each with labs of its own (own namespaces, subnets and directories), since most tests
# wait on engines and services rather than use the CPU:
#   lane 1 (here): the Linux tests on the first lab (integration on dockerd 20.10, systemd, installer, lint);
#   lane 2: the second lab (dockerd 26.1 and the mixed swarms), then the fault cases and the benchmarks' smoke
#           run on a third lab;
#   lane 3: the sanitizer, fuzzer and Windows builds (the CPU work, at the lowest priority), then the tests
#           under the sanitizers (a lab of their own), the Windows tests under wine (theirs) and the fuzzers'
#           time-bounded runs (libFuzzer, 20 s a target, two at a time).
# Each lane writes its own log; lanes 2 and 3 are printed after lane 1.
echo "== lanes 2 and 3 in the background: second and third labs; builds, sanitizers, Windows, fuzzing =="
lane2() {
  local rc=0
  ctest --test-dir build -L integration2 --output-on-failure --timeout 600 >"$log_dir/lab2.log" 2>&1 || rc=1
  SB_LAB_PREFIX=sblab3 SB_LAB_DIR=/tmp/sblab3 SB_LAB_SUBNET=10.216.0 \
    ctest --test-dir build -L '^(faults|faults-protocol|bench-smoke)$' --output-on-failure --timeout 600 \
    >"$log_dir/lab3.log" 2>&1 || rc=1
  return "$rc"
}
lane3() {
  local rc=0
  if ! {
    SB_BUILD_ONLY=1 nice -n 19 scripts/test-asan.sh &&
      SB_BUILD_ONLY=1 nice -n 19 scripts/fuzz.sh &&
      SB_BUILD_ONLY=1 nice -n 19 scripts/test-windows.sh
  } >"$log_dir/builds.log" 2>&1; then
    echo "the background builds failed:" >"$log_dir/asan.log"
    tail -n 60 "$log_dir/builds.log" >>"$log_dir/asan.log"
    return 1
  fi
  SB_LAB_PREFIX=sbasan SB_LAB_DIR=/tmp/sbasanlab SB_LAB_SUBNET=10.217.0 \
    scripts/test-asan.sh >"$log_dir/asan.log" 2>&1 || rc=$((rc | 2))
  scripts/test-windows.sh >"$log_dir/windows.log" 2>&1 || rc=$((rc | 4))
  nice -n 19 scripts/fuzz.sh 20 >"$log_dir/fuzz.log" 2>&1 || rc=$((rc | 8))
  return "$rc"
}
lane2 &
lane2_pid=$!
lane3 &
lane3_pid=$!

echo "== lane 1: tests (Linux, first lab) =="
linux_rc=0
ctest --test-dir build -LE '^(integration2|faults|faults-protocol|bench-smoke)$' --output-on-failure \
  --timeout 600 | tee "$log_dir/linux.log" || linux_rc=${PIPESTATUS[0]}
phase_done lane-1

lane2_rc=0
wait "$lane2_pid" || lane2_rc=$?
phase_done lane-2-wait
echo "== lane 2: the second lab (dockerd 26.1, mixed swarms): =="
cat "$log_dir/lab2.log"
echo "== lane 2: the fault cases and the benchmarks' smoke run (third lab): =="
cat "$log_dir/lab3.log"
((lane2_rc == 0)) || linux_rc=1

lane3_rc=0
wait "$lane3_pid" || lane3_rc=$?
phase_done lane-3-wait
asan_rc=0 windows_rc=0
echo "== lane 3: ASan+UBSan =="
cat "$log_dir/asan.log" 2>/dev/null || true
echo "== lane 3: Windows (mingw-w64 + wine) =="
cat "$log_dir/windows.log" 2>/dev/null || true
echo "== lane 3: fuzzing =="
cat "$log_dir/fuzz.log" 2>/dev/null || true
if ((lane3_rc == 1)); then
  asan_rc=1 windows_rc=1
else
  ((lane3_rc & 2)) && asan_rc=1
  ((lane3_rc & 4)) && windows_rc=1
  ((lane3_rc & 8)) && linux_rc=1 # a fuzzer's finding counts with the Linux tests
fi

# One closing line over both ctest runs: "N passed, N failed".
passed=0 failed=0
for log in "$log_dir"/linux.log "$log_dir"/lab2.log "$log_dir"/lab3.log "$log_dir"/windows.log; do
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    failed=$((failed + BASH_REMATCH[1]))
    passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  fi
done
echo "== phases: ${phase_times[*]} =="
echo "== summary: Linux ctest exit $linux_rc, ASan+UBSan exit $asan_rc, Windows exit $windows_rc," \
  "$((SECONDS - started)) s =="
if ((linux_rc != 0 || windows_rc != 0 || asan_rc != 0)); then
  ((failed > 0)) || failed=1
fi
echo "$passed passed, $failed failed"
if ((linux_rc != 0 || windows_rc != 0 || asan_rc != 0)); then
  exit 1
fi
