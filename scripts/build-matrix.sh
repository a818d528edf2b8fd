#!/usr/bin/env bash
# The build matrix: every CMake build type with GCC, and one build with Clang 14, each configured the way a user
# or packager does it (plain `cmake -S . -B DIR -DCMAKE_BUILD_TYPE=X`, default options, default generator).
# Each build counts its compiler warnings: the project's own builds add only -Werror to these flags
# (SB_WARNINGS_AS_ERRORS=ON, cmake/warnings.cmake), so a build with 0 warnings is one that also builds with
# warnings as errors. The unit tests of each build run once, to show the binary works. Prints a table; exit 0
# when every row built with 0 warnings and its unit tests passed.
#
# Usage: scripts/build-matrix.sh [ROW...]
#   ROW: gcc-Debug gcc-Release gcc-RelWithDebInfo gcc-MinSizeRel clang14-Release (default: all of them)
# Build trees go to $SB_MATRIX_DIR (default build-matrix/), logs next to them. Uses ccache when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD
matrix_dir=${SB_MATRIX_DIR:-$root_dir/build-matrix}
mkdir -p "$matrix_dir"
if [[ -z ${CMAKE_CXX_COMPILER_LAUNCHER:-} ]] && command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
jobs=${SB_MATRIX_JOBS:-2}

all_rows=(gcc-Debug gcc-Release gcc-RelWithDebInfo gcc-MinSizeRel clang14-Release)
rows=("$@")
((${#rows[@]} > 0)) || rows=("${all_rows[@]}")

# Runs one configure + build; prints the table cell ("ok", "ok, 3 warnings", "FAILED: ...").
# $1 build dir, $2 compiler (g++ or clang++-14), $3 build type, $4.. extra cmake arguments.
build_one() {
  local dir=$1 cxx=$2 type=$3
  shift 3
  local log=$dir.log
  rm -rf "$dir"
  if ! CXX=$cxx cmake -S "$root_dir" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >"$log" 2>&1; then
    echo "FAILED: configure (see $log)"
    return 1
  fi
  local rc=0
  cmake --build "$dir" -j"$jobs" >>"$log" 2>&1 || rc=$?
  local warnings
  warnings=$(grep -c 'warning: ' "$log" || true)
  if ((rc != 0)); then
    # A compiler crash (clang's "PLEASE submit a bug report", a signal) is worth naming as such.
    if grep -qE 'PLEASE submit a bug report|Segmentation fault|signal [0-9]+' "$log"; then
      echo "FAILED: compiler crashed (see $log)"
    else
      local first
      first=$(grep -m1 -E 'error: |Error [0-9]+' "$log" | sed -E "s|$root_dir/||; s|^(.{90}).*|\1...|")
      echo "FAILED: ${first:-build exit $rc} (see $log)"
    fi
    return 1
  fi
  if ((warnings > 0)); then
    echo "ok, $warnings warnings"
  else
    echo "ok"
  fi
}

declare -a table
failed=0
for row in "${rows[@]}"; do
  case $row in
    gcc-*) cxx=g++ type=${row#gcc-} ;;
    clang14-*) cxx=clang++-14 type=${row#clang14-} ;;
    *)
      echo "build-matrix: unknown row '$row'; known: ${all_rows[*]}" >&2
      exit 2
      ;;
  esac
  if ! command -v "$cxx" >/dev/null; then
    echo "build-matrix: $cxx is not installed; run scripts/install-deps.sh build" >&2
    exit 2
  fi
  version=$("$cxx" -dumpfullversion -dumpversion 2>/dev/null || true)
  started=$SECONDS
  echo "== build-matrix: $row ($cxx $version), default options ==" >&2
  build=$(build_one "$matrix_dir/$row" "$cxx" "$type") || failed=1
  if [[ $build == ok ]]; then
    werror="ok (0 warnings)"
  elif [[ $build == ok* ]]; then
    werror="fails: ${build#ok, }"
    failed=1
  else
    werror="-"
  fi
  unit=skipped
  if [[ $build == ok* ]]; then
    unit_log=$matrix_dir/$row.unit.log
    if "$matrix_dir/$row/tests/unit/sb_unit_tests" --no-intro >"$unit_log" 2>&1; then
      unit="ok ($(grep -oE '[0-9]+ passed' "$unit_log" | head -1 || true))"
    else
      unit="FAILED (see $unit_log)"
      failed=1
    fi
  fi
  table+=("$(printf '| %-18s | %-17s | %-40s | %-24s | %-24s | %7d |' "$row" "$cxx $version" "$build" "$werror" \
    "$unit" $((SECONDS - started)))")
done

printf '\n| %-18s | %-17s | %-40s | %-24s | %-24s | %7s |\n' build compiler "default options" \
  "with warnings as errors" "unit tests" seconds
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..20})" "$(printf -- '-%.0s' {1..19})" \
  "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..26})" "$(printf -- '-%.0s' {1..26})" \
  "$(printf -- '-%.0s' {1..9})"
printf '%s\n' "${table[@]}"
exit $failed
