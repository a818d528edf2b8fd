#!/usr/bin/env bash
# invalid_token: a well-formed but wrong token in --token-file is rejected: exit 4 within 60 s, the final error
# is one line, and the token is in no output. Three cases, three different answers of the engine:
#   wrong-secret  the swarm's CA digest with a wrong secret (a rotated or mistyped token):
#                 400 "A valid join token is necessary to join this cluster" after about 10 s
#   other-swarm   the token of another swarm: 500 "remote CA does not match fingerprint" after about 10 s
#   garbled       50 random base-36 characters as the digest: 500 "invalid checksum digest length" at once
#                 (most such strings are longer than a SHA-256 in base 36)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin invalid_token

# The token of a swarm that is not node 1's: node 3 creates one and leaves it again.
swarm_init 3
other=$(lab_docker 3 swarm join-token -q worker)
lab leave 3
swarm_init 1
real=$(lab_docker 1 swarm join-token -q worker)
digest=$(cut -d- -f3 <<<"$real")
[[ ${#digest} == 50 ]] || fail "unexpected token shape from the manager (digest of ${#digest} chars)"
[[ $other != "$real" ]] || fail "node 3's token equals node 1's"

rand() { tr -dc 'a-z0-9' </dev/urandom | head -c "$1" || true; }
tokdir="$SB_LAB_DIR/tokens"
mkdir -p "$tokdir"
chmod 700 "$tokdir"
at_exit "rm -rf '$tokdir'"
printf 'SWMTKN-1-%s-%s\n' "$digest" "$(rand 25)" >"$tokdir/wrong-secret"
printf '%s\n' "$other" >"$tokdir/other-swarm"
# 'z' first: a 50-digit base-36 number starting with z is above 2^256, never a valid digest.
printf 'SWMTKN-1-z%s-%s\n' "$(rand 49)" "$(rand 25)" >"$tokdir/garbled"
chmod 600 "$tokdir"/*

for kind in wrong-secret other-swarm garbled; do
  join_args 2 "$(lab_addr 1)"
  # --timeout 90s: an agent that wrongly retries ends with 3 instead of hanging the test.
  agent_run "$kind" 2 "${JOIN_ARGS[@]}" --token-file "$tokdir/$kind" --timeout 90s --backoff-max 2s
  secs=$(elapsed_s "$AGENT_T0" "$AGENT_T1")
  echo "MEASURE invalid_token.$kind.exit_s=$secs"
  assert_no_token "$AGENT_LOG"
  assert_rc 4 "join with a $kind token"
  assert_le 60 "$secs" "seconds until the $kind token was rejected"
  assert_log_records "$AGENT_LOG" text
  last=$(tail -n 1 "$AGENT_LOG")
  note "final line: $last"
  [[ $last =~ \ (error|critical)\ \[ ]] || fail "the log's final line is not an error record: $last"
  grep -qi 'token\|CA\|fingerprint\|reject' <<<"$last" || fail "the final error does not say what was wrong: $last"
  note "node 2 after the rejected join: $(local_state 2)"
  # Let the engine settle back to inactive for the next case.
  [[ $(local_state 2) == inactive ]] || lab leave 2
done
test_pass
