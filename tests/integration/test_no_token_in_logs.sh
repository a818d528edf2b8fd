#!/usr/bin/env bash
# no_token_in_logs: runs last; no output of any agent run of the tests (logs, state files) holds a join token.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TEST_NAME=no_token_in_logs
TEST_T0=$(now_ms)
[[ $(id -u) -eq 0 ]] || skip "integration tests need root"
[[ -d $SB_LOGS ]] || skip "no agent logs in $SB_LOGS (run the other integration tests first)"
mapfile -t files < <(find "$SB_LOGS" -type f | sort)
((${#files[@]})) || skip "no agent logs in $SB_LOGS"
note "checking ${#files[@]} files in $SB_LOGS"
assert_no_token "${files[@]}"
# dockerd's own logs are not the agent's output, but say so if a token shows up there.
for f in "$SB_LAB_DIR"/n*/dockerd.log; do
  if [[ -f $f ]] && grep -q 'SWMTKN-1-' "$f"; then
    note "note: $f (dockerd's own log, not the agent's) contains a token"
  fi
done
echo "PASS: $TEST_NAME ($(elapsed_s "$TEST_T0") s, ${#files[@]} files)"
