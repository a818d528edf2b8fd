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

# The sanitizer, fuzzer and Windows builds are CPU work; most Linux tests wait on engines and services. So
# those builds run now, one after another at the lowest priority, and then the fuzzers' time-bounded runs
# (libFuzzer, 20 s a target, two at a time) in the CPU the Linux tests leave. The other tests of those builds
# run after the Linux ones.
echo "== background builds (ASan+UBSan, libFuzzer, Windows), then fuzzing: log in build-ahead.log =="
fuzz_log=$log_dir/fuzz.log
# shellcheck disable=SC2016 # $1 is the inner shell's
SB_BUILD_ONLY=1 nice -n 19 bash -c '
  scripts/test-asan.sh && scripts/fuzz.sh && scripts/test-windows.sh || exit 1
  SB_BUILD_ONLY= scripts/fuzz.sh 20 >"$1" 2>&1 || exit 2' _ "$fuzz_log" >build-ahead.log 2>&1 &
builds_pid=$!

echo "== tests (Linux) =="
# The second integration lab (dockerd 26.1 and the mixed swarms; label integration2) has its own names and
# lock: it runs beside all the other Linux tests, since its cases mostly wait on engines. Its log follows theirs.
lab2_rc=0
ctest --test-dir build -L integration2 --output-on-failure --timeout 600 >"$log_dir/lab2.log" 2>&1 &
lab2_pid=$!
linux_rc=0
ctest --test-dir build -LE integration2 --output-on-failure --timeout 600 | tee "$log_dir/linux.log" ||
  linux_rc=${PIPESTATUS[0]}
wait "$lab2_pid" || lab2_rc=$?
echo "== integration tests of the second lab (dockerd 26.1, mixed swarms): exit $lab2_rc =="
cat "$log_dir/lab2.log"
((lab2_rc == 0)) || linux_rc=1
phase_done tests-linux

builds_rc=0
wait "$builds_pid" || builds_rc=$?
echo "== background builds and fuzzing: exit $builds_rc =="
((builds_rc != 1)) || tail -n 60 build-ahead.log
phase_done builds-and-fuzz-wait
if [[ -s $fuzz_log ]]; then
  cat "$fuzz_log"
  ((builds_rc != 2)) || linux_rc=1 # a fuzzer's finding counts with the Linux tests
else
  scripts/fuzz.sh 20 || linux_rc=1 # the builds failed before the fuzzers ran: build and run them here
  phase_done fuzz
fi

asan_rc=0
scripts/test-asan.sh || asan_rc=$?
phase_done asan

windows_rc=0
echo "== build and tests (Windows, mingw-w64 + wine) =="
scripts/test-windows.sh | tee "$log_dir/windows.log" || windows_rc=${PIPESTATUS[0]}
phase_done windows

# One closing line over both ctest runs: "N passed, N failed".
passed=0 failed=0
for log in "$log_dir"/linux.log "$log_dir"/lab2.log "$log_dir"/windows.log; do
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
