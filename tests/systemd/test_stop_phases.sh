#!/usr/bin/env bash
# Stop in every phase: `systemctl stop` ends the agent within 1 s while it is blocked in a request, whatever it
# waits for. The unit's engine is a proxy to the lab engine (hold_proxy.py) that can hold requests unanswered:
#   healing   the node left the swarm; the agent's join again is held (a join can take 35 s);
#   mid-join  the first join after a start is held;
#   engine    every request is held (a dockerd that is starting accepts and answers nothing);
#   manager   the only manager accepts connections and never answers.
# Each stop must take at most 1 s and end the unit inactive with exit status 0, without a restart.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_stop_phases

silent_port=2390
swarm_init 1
ct_boot 2
ip netns exec "$(lab ns 2)" python3 "$SB_SD_DIR/hold_proxy.py" "$CT_IN/engine.sock" "$(lab_sock 2)" "$CT_IN" \
  "$silent_port" >"$CT_WORK/proxy.log" 2>&1 &
AGENT_PIDS+=("$!")
wait_until 10 "the proxy's socket" test -S "$CT_IN/engine.sock"
write_config() { # MANAGER
  printf '%s\n' '{"managers": ["'"$1"'"], "docker_host": "unix:///sb/in/engine.sock", "interval": "1s"}' \
    >"$CT_IN/config.json"
}
write_config "$(lab_addr 1)"
ct_install_sh --config /sb/in/config.json
assert_eq 0 "$INSTALL_RC" "install.sh exit code, joined through the proxy (log $INSTALL_LOG)"

held_count() { [[ -f $CT_IN/held.log ]] && wc -l <"$CT_IN/held.log" || echo 0; }
held_more_than() { (($(held_count) > $1)); }
# stop_in PHASE: waits until the proxy holds a new request, then stops the unit and checks how.
stops=()
stop_in() {
  local phase=$1 before=$2 t0 took
  wait_until 30 "the agent to be blocked ($phase)" held_more_than "$before"
  sleep 0.5 # well inside the held request
  note "$phase: holding $(tail -n 1 "$CT_IN/held.log" | cut -d' ' -f2-); systemctl stop"
  t0=$(now_ms)
  ct systemctl stop swarm-bootstrap.service
  took=$(elapsed_s "$t0")
  stops+=("$phase=${took}s")
  assert_eq inactive "$(ct systemctl is-active swarm-bootstrap.service || true)" "is-active after a stop ($phase)"
  assert_eq 0 "$(unit_prop ExecMainStatus)" "exit status after a stop ($phase)"
  assert_eq 0 "$(unit_prop NRestarts)" "NRestarts after a stop ($phase)"
  note "$phase: systemctl stop took $took s (result $(unit_prop Result))"
  assert_le 1.0 "$took" "seconds systemctl stop took ($phase)"
}

# Healing: the node leaves; the agent (checking every second) joins again, and that join is held.
before=$(held_count)
touch "$CT_IN/hold-join"
lab_docker 2 swarm leave --force >/dev/null
stop_in healing "$before"

# Mid-join: started again (not a member: the held join never reached the engine), the first join is held.
before=$(held_count)
ct systemctl start --no-block swarm-bootstrap.service
stop_in mid-join "$before"

# Waiting for the engine: it accepts and answers nothing.
before=$(held_count)
touch "$CT_IN/hold-all"
ct systemctl start --no-block swarm-bootstrap.service
stop_in engine "$before"

# Waiting for a manager that accepts and never answers.
rm -f "$CT_IN/hold-all" "$CT_IN/hold-join"
write_config "127.0.0.1:$silent_port"
ct cp /sb/in/config.json /etc/swarm-bootstrap/config.json # install.sh copied the first one there
before=$(held_count)
ct systemctl start --no-block swarm-bootstrap.service
stop_in manager "$before"

note "stop latencies: ${stops[*]}"
assert_no_token_in_journal
test_pass
