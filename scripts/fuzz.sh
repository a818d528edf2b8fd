#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, build-fuzz/) and runs each for SECONDS (default 60).
# ./scripts/test.sh runs it with 15 s per target. A finding stops with exit 1, names the saved input and how
# to replay it; turn it into a unit test in tests/unit and a seed in tests/fuzz/corpus/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(config_file manager_address duration_labels engine_json http_response state_token)
fi

scripts/install-deps.sh build fuzz

started=$SECONDS
echo "== fuzzing: build (clang-14, libFuzzer, ASan + UBSan) =="
build="build-fuzz"
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DSB_FUZZ=ON -DSB_BUILD_TESTS=OFF -DSB_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_targets
echo "fuzz build: $((SECONDS - started)) s"
# test.sh builds ahead, while the Linux tests run, then calls this again for the runs.
[[ -z ${SB_BUILD_ONLY:-} ]] || exit 0

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
findings=0
for target in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$target
  corpus=$build/corpus/$target   # grows across runs; the committed seeds stay as they are
  artifacts=$build/findings/$target
  mkdir -p "$corpus" "$artifacts"
  log=$build/fuzz_$target.log
  rc=0
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  if ((rc != 0)); then
    findings=$((findings + 1))
    echo "fuzz_$target: FINDING after ${execs:-?} executions (exit $rc); the last lines of $log:"
    tail -n 40 "$log"
    for artifact in "$artifacts"/*; do
      [[ -e $artifact ]] && echo "  input: $artifact (replay: $build/tests/fuzz/fuzz_$target $artifact)"
    done
  else
    echo "fuzz_$target: ${execs:-?} executions in $seconds s, no finding (${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files)"
  fi
done
echo "== fuzzing: ${#targets[@]} targets, $findings with findings, $((SECONDS - started)) s =="
((findings == 0))
