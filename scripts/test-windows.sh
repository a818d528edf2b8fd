#!/usr/bin/env bash
# Builds the Windows binaries with mingw-w64 (preset `windows`) and runs their tests under wine in a private
# WINEPREFIX: the platform-neutral unit tests plus the Windows-only ones (named pipe, platform, labels), the
# service test (SCM under wine) and, as root with the lab, the end-to-end join through the named pipe.
# Installs what is missing first. Exit status: 0 when every test passed (or was skipped), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD
started=$SECONDS

scripts/install-deps.sh build windows

# OpenSSL for TLS, built once from Debian's source package and cached (scripts/build-openssl-mingw.sh).
echo "== test-windows: OpenSSL for mingw =="
openssl_started=$SECONDS
openssl_root=$(scripts/build-openssl-mingw.sh | tail -1)
openssl_seconds=$((SECONDS - openssl_started))

echo "== test-windows: configure and build (mingw-w64, preset windows) =="
cmake --preset windows -DSB_OPENSSL_MINGW_ROOT="$openssl_root" >/dev/null
build_started=$SECONDS
cmake --build --preset windows
build_seconds=$((SECONDS - build_started))
# test.sh builds ahead, while the Linux tests run, then calls this again for the tests.
[[ -z ${SB_BUILD_ONLY:-} ]] || exit 0

exe=build-windows/agent/swarm-bootstrap.exe
stripped=$(mktemp --suffix=.exe)
x86_64-w64-mingw32-strip -o "$stripped" "$exe"
exe_size=$(stat -c %s "$stripped")
imports=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name/ {print $3}' | sort -u | tr '\n' ' ')
rm -f "$stripped"

# A private wine prefix, new for every run: no service or file from an earlier run survives.
export WINEPREFIX=${SB_WINEPREFIX:-$root_dir/build-windows/wineprefix}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Under wine 8.0 on a CPU with AVX-512, OpenSSL's AVX code paths corrupt the process's heap now and then: a
# TLS handshake under wine crashed (free() on a corrupted heap, or a hang) in 4 of 40 runs on a loaded machine,
# and in 0 of 75 with those paths masked (AES-NI, PCLMUL and SSSE3 kept). Windows itself keeps the AVX state of
# every thread; wine 8.0's signal handling is what we suspect. Every wine process of these tests (the SCM's
# services included) inherits the mask.
export OPENSSL_ia32cap=${OPENSSL_ia32cap:-"~0x1000000000000000:0"}
WINEPREFIX=$WINEPREFIX wineserver -k 2>/dev/null || true
rm -rf "$WINEPREFIX"
prefix_started=$SECONDS
wineboot -i >/dev/null 2>&1
wineserver -w
prefix_seconds=$((SECONDS - prefix_started))

echo "== test-windows: ctest under wine =="
ctest_log=$(mktemp)
set +o pipefail
ctest --test-dir build-windows --output-on-failure --timeout 900 2>&1 | tee "$ctest_log"
rc=${PIPESTATUS[0]}
# Under wine, a process of these tests now and then dies of a corrupted heap (wine's crash report in the
# test's output) or hangs: about 1 TLS join in 15 on a loaded machine, with no cause found in our code yet
# (README, Windows). A failed test runs once more; the summary names it, so a retry never goes unseen.
retried=""
if ((rc != 0)); then
  retried=$(grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Timeout)' "$ctest_log" | awk '{print $4}' | tr '\n' ' ')
  echo "== test-windows: running once more under wine: $retried =="
  ctest --test-dir build-windows --output-on-failure --timeout 900 --rerun-failed 2>&1 | tee -a "$ctest_log"
  rc=${PIPESTATUS[0]}
fi
set -o pipefail
wineserver -k 2>/dev/null || true

echo
echo "== test-windows summary =="
echo "openssl:        ${openssl_seconds}s ($openssl_root)"
echo "build:          ${build_seconds}s (cmake --build --preset windows, -j2)"
echo "swarm-bootstrap.exe: $((exe_size / 1024)) KiB stripped; imports: $imports"
echo "wine prefix:    ${prefix_seconds}s to create ($WINEPREFIX)"
grep -E "^ *[0-9]+/[0-9]+ Test +#" "$ctest_log" | sed 's/^ */  /' || true
last=build-windows/Testing/Temporary/LastTest.log
if [[ -f $last ]]; then
  grep -E "^\[doctest\] (test cases|assertions)" "$last" | sed 's/^/  unit under wine: /' || true
  grep -E "^SERVICE_STOP_LATENCY_MS|stop control -> STOPPED in|^MSI_TIMES_MS|^CLOUD_WINDOWS" "$last" | sed 's/^/  /' || true
fi
grep -E "tests passed|tests failed" "$ctest_log" || true
[[ -z $retried ]] || echo "RETRIED under wine (failed once, see above): $retried"
echo "total:          $((SECONDS - started))s"
rm -f "$ctest_log"
if ((rc != 0)); then
  echo "test-windows: FAILED (ctest exit $rc)"
  exit 1
fi
echo "test-windows: OK"
