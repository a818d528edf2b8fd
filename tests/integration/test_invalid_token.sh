#!/usr/bin/env bash
# invalid_token: a well-formed but wrong token in --token-file is rejected: exit 4 within 60 s, the final error
# is one line, and the token is in no output. Two cases: the swarm's CA digest with a wrong secret (a rotated
# or mistyped token: "A valid join token is necessary"), and a digest of no swarm (CA mismatch).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin invalid_token

swarm_init 1
real=$(lab_docker 1 swarm join-token -q worker)
digest=$(cut -d- -f3 <<<"$real")
[[ ${#digest} == 50 ]] || fail "unexpected token shape from the manager (digest of ${#digest} chars)"

rand() { tr -dc 'a-z0-9' </dev/urandom | head -c "$1"; }
tokdir="$SB_LAB_DIR/tokens"
mkdir -p "$tokdir"
chmod 700 "$tokdir"
printf 'SWMTKN-1-%s-%s\n' "$digest" "$(rand 25)" >"$tokdir/wrong-secret"
printf 'SWMTKN-1-%s-%s\n' "$(rand 50)" "$(rand 25)" >"$tokdir/wrong-ca"
chmod 600 "$tokdir"/*
at_exit "rm -rf '$tokdir'"

for kind in wrong-secret wrong-ca; do
  join_args 2 "$(lab_addr 1)"
  agent_run "$kind" 2 "${JOIN_ARGS[@]}" --token-file "$tokdir/$kind" --timeout 5m --backoff-max 2s
  secs=$(elapsed_s "$AGENT_T0" "$AGENT_T1")
  echo "MEASURE invalid_token.$kind.exit_s=$secs"
  assert_rc 4 "join with a $kind token"
  assert_le 60 "$secs" "seconds until the $kind token was rejected"
  assert_log_records "$AGENT_LOG" text
  last=$(tail -n 1 "$AGENT_LOG")
  note "final line: $last"
  [[ $last =~ \ (error|critical)\ \[ ]] || fail "the log's final line is not an error record: $last"
  grep -qi 'token\|CA\|fingerprint\|reject' <<<"$last" || fail "the final error does not say what was wrong: $last"
  note "node 2 after the rejected join: $(local_state 2)"
  assert_no_token "$AGENT_LOG"
  # Let the engine settle back to inactive for the next case.
  [[ $(local_state 2) == inactive ]] || lab leave 2
done
test_pass
