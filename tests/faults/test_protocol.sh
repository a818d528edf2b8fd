#!/usr/bin/env bash
# Fault matrix, protocol level: one misbehaving manager per port (fault_manager in its own lab namespace), the
# agent on node 1, a real manager on node 2. Every case runs twice, side by side with the others:
#   alone   --manager BAD, --timeout 3s: must exit 3 (deadline waiting for a manager) within MAX seconds;
#   first   --manager BAD --manager REAL --dry-run: must exit 0 within MAX seconds (the bad one never blocks).
# Then one real join with every bad manager listed before the real one: joined (0), no token in any output.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin faults_protocol
fm_up
swarm_init 2
real=$(lab_addr 2)

# name port behaviour [arg]
specs=(
  "refused 2401 -"
  "blackholed 2402 good"
  "silent 2403 silent"
  "close_after_accept 2404 close"
  "reset_mid_headers 2405 reset-headers"
  "reset_mid_body 2406 reset-body"
  "body_1_byte_per_s 2411 slow-body"
  "body_over_cap_length 2412 oversize-length"
  "body_over_cap_chunked 2413 oversize-chunked"
  "truncated_body 2414 truncated"
  "invalid_chunked 2415 bad-chunked"
  "non_http_garbage 2416 garbage"
  "info_wrong_types 2450 info-types"
  "swarm_wrong_types 2451 swarm-types"
  "swarm_without_tokens 2452 no-tokens"
  "remote_managers_unreachable 2453 remote-unreachable $SB_LAB_SUBNET.250:2377,$SB_LAB_SUBNET.251:2377,$SB_LAB_SUBNET.252:,:x,[::1]:99999"
)
# The engine messages the agent classifies, each answered to GET /swarm with 500 and with 503.
messages=(
  "not_manager|This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."
  "being_prepared|This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster."
  "worker|This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."
  "no_leader|rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online."
  "lost_leader|raft: failed to process the request: node lost leader status"
  "dial_error|rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp 10.0.0.1:2377: connect: connection refused\""
  "join_timeout|Timeout was reached before node joined. The attempt to join the swarm will continue in the background."
  "already_in_swarm|This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one."
  "not_in_swarm|This node is not part of a swarm"
  "invalid_token|invalid join token"
  "ca_mismatch|remote CA does not match fingerprint. Expected: 0123456789abcdef"
  "out_of_sequence|rpc error: code = Unknown desc = update out of sequence"
  "unknown|something else went wrong"
)
port=2420
for m in "${messages[@]}"; do
  for code in 500 503; do
    specs+=("http${code}_${m%%|*} $port status $code ${m#*|}")
    port=$((port + 1))
  done
done

fm_args=()
for s in "${specs[@]}"; do
  read -r name p behaviour arg <<<"$s"
  [[ $behaviour == - ]] && continue
  fm_args+=(--serve "$p" "$behaviour")
  [[ -n $arg ]] && fm_args+=("$arg")
done
fm_start fm "${fm_args[@]}"
# Blackholed: the port is open behind a DROP rule, so SYNs go unanswered.
ip netns exec "$FM_NS" iptables -w -A INPUT -p tcp --dport 2402 -j DROP

# A slow manager may cost one request timeout (10 s) before the round's deadline check.
alone_max=${SB_FAULTS_ALONE_MAX:-16}
first_max=${SB_FAULTS_FIRST_MAX:-14}
bad_args=()
for s in "${specs[@]}"; do
  read -r name p _ <<<"$s"
  join_fast 3s --manager "$FM_ADDR:$p"
  case_start "$name.alone" 3 "$alone_max" "${JOIN_ARGS[@]}"
  join_fast 60s --manager "$FM_ADDR:$p" --manager "$real" --dry-run
  case_start "$name.first" 0 "$first_max" "${JOIN_ARGS[@]}"
  # The real join below lists the bad managers that answer at once (each slow one costs every round 10 s).
  case $name in blackholed | silent | body_1_byte_per_s) ;; *) bad_args+=(--manager "$FM_ADDR:$p") ;; esac
done
cases_wait

# A real join with the misbehaving managers listed first. Three of them look ready (no token, wrong types,
# unreachable RemoteManagers) and take no join: each is moved to the back in turn, then the real one wins.
join_fast 60s "${bad_args[@]}" --manager "$real"
case_start all_bad_then_real.join 0 30 "${JOIN_ARGS[@]}"
cases_wait
[[ $(local_state 1) == active ]] || fail "node 1 is not active after the join"
assert_no_token "$SB_LOGS/$TEST_NAME".*
test_pass
