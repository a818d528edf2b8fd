#!/usr/bin/env bash
# Every C++ file is formatted with the committed .clang-format (exit 77, a skip, without clang-format).
# Usage: check_format.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "SKIP: clang-format is not installed"; exit 77; }
mapfile -t files < <(find agent common tests -name '*.cpp' -o -name '*.hpp' | sort)
if ! out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
  echo "$out" | grep "error:" || true
  echo "FAIL: not formatted; run: clang-format -i <file>"
  exit 1
fi
echo "ok - ${#files[@]} files formatted ($(clang-format --version))"
