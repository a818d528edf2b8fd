#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test — unit, integration on real
# dockerd engines in network namespaces, installer and package tests, and the Windows build under wine.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
scripts/install-deps.sh build lab package lint bench

echo "== build (Linux) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

echo "== tests (Linux) =="
linux_rc=0
ctest --test-dir build --output-on-failure --timeout 600 | tee "$log_dir/linux.log" || linux_rc=${PIPESTATUS[0]}

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
echo "== summary: Linux ctest exit $linux_rc, Windows exit $windows_rc, $((SECONDS - started)) s =="
if ((linux_rc != 0 || windows_rc != 0)); then
  ((failed > 0)) || failed=1
fi
echo "$passed passed, $failed failed"
if ((linux_rc != 0 || windows_rc != 0)); then
  exit 1
fi
