#!/usr/bin/env bash
# sd_notify: `run` speaks systemd's notify protocol as the Type=notify unit needs: READY=1 only after the node has
# joined, WATCHDOG=1 keepalives while it watches, STOPPING=1 on SIGTERM. A datagram socket stands in for systemd.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin sd_notify
command -v python3 >/dev/null || skip "python3 is needed for the stand-in notify socket"

sock="$SB_LAB_DIR/notify.sock"
msgs="$SB_LOGS/$TEST_NAME.notify.txt"
rm -f "$sock" "$msgs"
python3 - "$sock" "$msgs" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as out:
    try:
        while True:
            data = s.recv(4096).decode()
            out.write(f"{time.time():.3f} {data.replace(chr(10), ' ')}\n")
            if "STOPPING=1" in data:
                break
    except socket.timeout:
        pass
PY
listener=$!
at_exit "kill $listener 2>/dev/null || true"
wait_until 10 "the notify socket" test -S "$sock"

join_args 2 "$(lab_addr 1)"
args=("${JOIN_ARGS[@]:1}")
export NOTIFY_SOCKET=$sock
agent_start run 2 run "${args[@]}" --interval 2s --backoff-initial 200ms --backoff-max 1s
unset NOTIFY_SOCKET
sleep 3
if grep -q 'READY=1' "$msgs" 2>/dev/null; then
  fail "READY=1 was sent before the node joined (no swarm exists yet)"
fi
swarm_init 1
ready() { grep -q 'READY=1' "$msgs"; }
wait_until 20 "READY=1 after the join" ready
[[ $(local_state 2) == active ]] || fail "READY=1 came but node 2 is '$(local_state 2)'"
sleep 3
keepalives=$(grep -c 'WATCHDOG=1' "$msgs" || true)
((keepalives >= 2)) || fail "expected WATCHDOG=1 keepalives while watching, got $keepalives"
kill -TERM "$AGENT_PID"
agent_wait 5
assert_rc 0 "run after SIGTERM"
stopping() { grep -q 'STOPPING=1' "$msgs"; }
wait_until 5 "STOPPING=1" stopping
note "notify messages: $(cut -d' ' -f2- "$msgs" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
test_pass
