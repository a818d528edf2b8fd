#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test — unit, integration on real
# dockerd engines in network namespaces, installer and package tests, and the Windows build under wine.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
# Everything up front, so the builds below that run in the background never wait for apt.
scripts/install-deps.sh build lab package lint systemd fuzz windows bench

echo "== build (Linux, Release, warnings as errors) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSB_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build -j2

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

builds_rc=0
wait "$builds_pid" || builds_rc=$?
echo "== background builds: exit $builds_rc =="
((builds_rc == 0)) || tail -n 60 build-ahead.log

scripts/fuzz.sh 15 || linux_rc=1 # libFuzzer targets, 15 s each (counts with the Linux tests)

asan_rc=0
scripts/test-asan.sh || asan_rc=$?

windows_rc=0
echo "== build and tests (Windows, mingw-w64 + wine) =="
scripts/test-windows.sh | tee "$log_dir/windows.log" || windows_rc=${PIPESTATUS[0]}

# One closing line over both ctest runs: "N passed, N failed".
passed=0 failed=0
for log in "$log_dir"/linux.log "$log_dir"/windows.log; do
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    failed=$((failed + BASH_REMATCH[1]))
    passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  fi
done
echo "== summary: Linux ctest exit $linux_rc, ASan+UBSan exit $asan_rc, Windows exit $windows_rc," \
  "$((SECONDS - started)) s =="
if ((linux_rc != 0 || windows_rc != 0 || asan_rc != 0)); then
  ((failed > 0)) || failed=1
fi
echo "$passed passed, $failed failed"
if ((linux_rc != 0 || windows_rc != 0 || asan_rc != 0)); then
  exit 1
fi
