#!/usr/bin/env bash
# Sanitizers in every test run: builds the `asan` preset (AddressSanitizer + UndefinedBehaviorSanitizer,
# warnings as errors), only the targets the selected tests run, and runs under it the unit tests, the
# protocol-level fault cases (ctest label faults-protocol) and the integration cases race, failover and tls
# against the lab's real engines (they skip, exit 77, where root or dockerd are absent).
#
# Any sanitizer report fails the run: the sanitizers stop at the first error (halt_on_error) and write
# their reports to files, which this script prints; the test output is also scanned for "runtime error:".
# Exit status: 0 when every selected test passed or skipped and no report was written, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
build_dir=build-asan
# unit tests, the fault cases against a misbehaving manager, and three integration cases (with the lab
# fixture's setup and cleanup, which ctest adds by itself).
label_regex='^(unit|faults-protocol)$'
integration_regex='^integration\.(race|failover|tls)$'

report_dir=$(mktemp -d)
trap 'rm -rf "$report_dir"' EXIT
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:log_path=$report_dir/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$report_dir/ubsan"

echo "== test-asan: configure and build (preset asan) =="
if [[ -z ${CMAKE_CXX_COMPILER_LAUNCHER:-} ]] && command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake --preset asan >/dev/null

# The executables the selected tests run: the agent, the unit tests and the fault cases' misbehaving manager.
targets=(swarm-bootstrap sb_unit_tests sb_fault_manager)
build_started=$SECONDS
cmake --build --preset asan --target "${targets[@]}"
build_seconds=$((SECONDS - build_started))
# test.sh builds ahead, while the Linux tests run, then calls this again for the tests.
[[ -z ${SB_BUILD_ONLY:-} ]] || exit 0

echo "== test-asan: tests under ASan+UBSan =="
log=$report_dir/ctest.log
# The protocol matrix has 86 agents, all at once in the Release run. Under the sanitizers each one needs several
# times the CPU: here they run 12 at a time, so that a case's time is its own and not the crowd's, and a case
# may still end a few seconds after its Release bound; the bounds still catch a hang.
export SB_FAULTS_ALONE_MAX=${SB_FAULTS_ALONE_MAX:-24} SB_FAULTS_FIRST_MAX=${SB_FAULTS_FIRST_MAX:-22}
export SB_FAULTS_PARALLEL=${SB_FAULTS_PARALLEL:-12}
rc=0
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -L "$label_regex" 2>&1 | tee "$log" || rc=1
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -R "$integration_regex" 2>&1 | tee -a "$log" ||
  rc=1
# The agent's own output in the integration cases goes to the lab's log files; scan those too.
lab_logs=${SB_LAB_DIR:-/tmp/sblab}/logs

reports=$(find "$report_dir" -name 'asan.*' -o -name 'ubsan.*' | sort)
if [[ -n $reports ]]; then
  echo "== test-asan: sanitizer reports ==" >&2
  for f in $reports; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  rc=1
fi
runtime_errors=$( (grep -h 'runtime error:' "$log" "$lab_logs"/*.log 2>/dev/null || true) | sort -u)
if [[ -n $runtime_errors ]]; then
  echo "== test-asan: UBSan runtime errors in the output ==" >&2
  echo "$runtime_errors" >&2
  rc=1
fi
summary=$(grep -E '^[0-9]+% tests passed' "$log" | paste -sd '+' | sed 's/+/ + /g' || true)
echo "== test-asan: ${summary:-no ctest summary}; $(wc -w <<<"$reports") sanitizer reports;" \
  "build ${build_seconds} s, total $((SECONDS - started)) s, exit $rc =="
exit $rc
