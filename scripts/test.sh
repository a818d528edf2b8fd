#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test — unit, integration on real
# dockerd engines in network namespaces, installer and package tests, and the Windows build under wine.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
scripts/install-deps.sh build lab package

echo "== build (Linux) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2

echo "== tests (Linux) =="
linux_rc=0
ctest --test-dir build --output-on-failure --timeout 600 || linux_rc=$?

windows_rc=0
if [[ -x scripts/test-windows.sh ]]; then
  echo "== build and tests (Windows, mingw-w64 + wine) =="
  scripts/test-windows.sh || windows_rc=$?
fi

echo "== summary: Linux ctest exit $linux_rc, Windows exit $windows_rc, $((SECONDS - started)) s =="
if ((linux_rc != 0 || windows_rc != 0)); then
  exit 1
fi
