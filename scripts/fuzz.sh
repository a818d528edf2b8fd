#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, build-fuzz/) and runs each for SECONDS (default 60).
# ./scripts/test.sh runs it with 15 s per target. A finding stops with exit 1, names the saved input and how
# to replay it; turn it into a unit test in tests/unit and a seed in tests/fuzz/corpus/<target>/.
# With --runs N, each target runs until it has executed N inputs, however long that takes.
# Usage: scripts/fuzz.sh [SECONDS | --runs N] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh [SECONDS | --runs N] [TARGET...]" >&2
  exit 2
}
budget=(-max_total_time=60)
if [[ ${1:-} == --runs ]]; then
  [[ ${2:-} =~ ^[0-9]+$ ]] || usage
  budget=(-runs="$2")
  shift 2
elif [[ -n ${1:-} && $1 =~ ^[0-9]+$ ]]; then
  budget=(-max_total_time="$1")
  shift
elif [[ -n ${1:-} && ! $1 =~ ^[a-z_]+$ ]]; then
  usage
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(config_file manager_address duration_labels engine_json http_response state_token metadata_answers)
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
# Runs one target; its report (one line, or the finding with its log) goes to $build/fuzz_TARGET.report.
run_target() {
  local target=$1
  local seeds=tests/fuzz/corpus/$target
  local corpus=$build/corpus/$target # grows across runs; the committed seeds stay as they are
  local artifacts=$build/findings/$target
  local log=$build/fuzz_$target.log report=$build/fuzz_$target.report
  mkdir -p "$corpus" "$artifacts"
  local rc=0 target_started=$SECONDS
  "$build/tests/fuzz/fuzz_$target" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  if ((rc != 0)); then
    {
      echo "fuzz_$target: FINDING after ${execs:-?} executions (exit $rc); the last lines of $log:"
      tail -n 40 "$log"
      for artifact in "$artifacts"/*; do
        [[ -e $artifact ]] && echo "  input: $artifact (replay: $build/tests/fuzz/fuzz_$target $artifact)"
      done
    } >"$report"
    return 0
  fi
  echo "fuzz_$target: ${execs:-?} executions in $((SECONDS - target_started)) s, no finding" \
    "(${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files)" >"$report"
}

# One target per core at a time: each libFuzzer process is single-threaded.
parallel=${SB_FUZZ_JOBS:-$(nproc)}
findings=0
for target in "${targets[@]}"; do
  rm -f "$build/fuzz_$target.report"
  while (($(jobs -rp | wc -l) >= parallel)); do
    wait -n || true
  done
  run_target "$target" &
done
wait
for target in "${targets[@]}"; do
  report=$build/fuzz_$target.report
  if [[ ! -s $report ]]; then
    echo "fuzz_$target: no report (the run did not finish)"
    findings=$((findings + 1))
    continue
  fi
  cat "$report"
  if grep -q ": FINDING after" "$report"; then
    findings=$((findings + 1))
  fi
done
echo "== fuzzing: ${#targets[@]} targets, $findings with findings, $((SECONDS - started)) s =="
((findings == 0))
