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

# The sanitizer, fuzzer and Windows builds are CPU work; most Linux tests wait on engines and services. So
# those builds run now, one after another at the lowest priority, and their tests run after the Linux ones.
echo "== background builds (ASan+UBSan, libFuzzer, Windows): log in build-ahead.log =="
SB_BUILD_ONLY=1 nice -n 19 bash -c 'scripts/test-asan.sh && scripts/fuzz.sh && scripts/test-windows.sh' \
  >build-ahead.log 2>&1 &
builds_pid=$!

echo "== tests (Linux) =="
linux_rc=0
ctest --test-dir build --output-on-failure --timeout 600 | tee "$log_dir/linux.log" || linux_rc=${PIPESTATUS[0]}
phase_done tests-linux

builds_rc=0
wait "$builds_pid" || builds_rc=$?
echo "== background builds: exit $builds_rc =="
((builds_rc == 0)) || tail -n 60 build-ahead.log
phase_done builds-wait

scripts/fuzz.sh 20 || linux_rc=1 # libFuzzer targets, 20 s each, two at a time (counts with the Linux tests)
phase_done fuzz

asan_rc=0
scripts/test-asan.sh || asan_rc=$?
phase_done asan

windows_rc=0
echo "== build and tests (Windows, mingw-w64 + wine) =="
scripts/test-windows.sh | tee "$log_dir/windows.log" || windows_rc=${PIPESTATUS[0]}
phase_done windows

# One closing line over both ctest runs: "N passed, N failed".
passed=0 failed=0
for log in "$log_dir"/linux.log "$log_dir"/windows.log; do
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
