#!/usr/bin/env bash
# bench/cloud_idle.sh: what watching for cloud notices costs an idle `run` (issue 17's bars 2 and 3).
#  2. `run --cloud auto` for SB_CLOUD_IDLE_S seconds (default 30) on this machine, which is in no cloud: packets
#     to any metadata address (169.254.0.0/16) and DNS queries (metadata.google.internal), counted by iptables
#     in node 2's namespace, and the warnings in the agent's log. All must be 0.
#  3. `run --cloud azure` against the emulated Azure metadata service (on node 2's loopback), polled every
#     second, for the same time: RSS, CPU and the requests the emulator answered.
# bench/scale-in.sh runs it at its end, so that issue 17's bars print in one run.
# Writes $SB_BENCH_OUT/cloud_idle.csv.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SECONDS_IDLE=${SB_CLOUD_IDLE_S:-30}
bench_require
lab_ensure 2
EMULATOR=${SB_METADATA_EMULATOR:-$(dirname "$SB_BIN")/../tests/unit/sb_metadata_emulator}
[[ -x $EMULATOR ]] || die "sb_metadata_emulator not found ($EMULATOR)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-cloud-idle.XXXXXX")
CSV="$OUT_DIR/cloud_idle.csv"
NS=$(lab_ns 2)
PIDS=()
rules=(
  "OUTPUT -d 169.254.0.0/16 -m comment --comment sb-cloud-metadata -j ACCEPT"
  "OUTPUT -p udp --dport 53 -m comment --comment sb-cloud-dns -j ACCEPT"
  "OUTPUT -p tcp --dport 53 -m comment --comment sb-cloud-dns-tcp -j ACCEPT"
)
cleanup() {
  local rc=$? p r
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for r in "${rules[@]}"; do
    # shellcheck disable=SC2086 # the rule is words
    ip netns exec "$NS" iptables -D $r 2>/dev/null || true
  done
  bench_tmp_done "$rc"
}
trap cleanup EXIT
counter() { ip netns exec "$NS" iptables -L OUTPUT -v -x -n | awk -v c="$1" 'index($0, c" ") || $NF == c || index($0, "/* "c" */") { n += $1 } END { print n + 0 }'; }

lab leave 2 >/dev/null 2>&1 || true
lab leave 1 >/dev/null 2>&1 || true
M=$(lab_addr 1)
lab_docker 1 swarm init --advertise-addr "$M" >/dev/null
for r in "${rules[@]}"; do
  # shellcheck disable=SC2086
  ip netns exec "$NS" iptables -I $r
done

start_agent() { # NAME ARGS...
  local name=$1
  shift
  ip netns exec "$NS" "$SB_BIN" run --interval 30s --docker-host "unix://$(lab_sock 2)" --manager "$M" \
    --state-file "$TMP/$name.state.json" --lock-file "$TMP/$name.lock" "$@" >"$TMP/$name.log" 2>&1 &
  AGENT=$!
  PIDS+=("$AGENT")
}

# Bar 2: a machine in no cloud, --cloud auto.
m0=$(counter sb-cloud-metadata)
d0=$(($(counter sb-cloud-dns) + $(counter sb-cloud-dns-tcp)))
start_agent auto --cloud auto
sleep "$SECONDS_IDLE"
kill -TERM "$AGENT"
wait "$AGENT" || true
metadata_packets=$(($(counter sb-cloud-metadata) - m0))
dns_packets=$(($(counter sb-cloud-dns) + $(counter sb-cloud-dns-tcp) - d0))
# Every warning is printed; the bar counts those of the cloud watch ([cloud]) and any that name a metadata address.
grep -E ' (warning|error) ' "$TMP/auto.log" | sed 's/^/  auto: /' >&2 || true
warnings=$(grep -E ' (warning|error) ' "$TMP/auto.log" | grep -c -E '\[cloud\]|169\.254|metadata' || true)
joined=$(grep -c 'joined\|member' "$TMP/auto.log" || true)
say "--cloud auto, ${SECONDS_IDLE}s: $metadata_packets packets to 169.254.0.0/16, $dns_packets DNS packets, $warnings warnings (log lines about joining: $joined)"
lab leave 2 >/dev/null 2>&1 || true
# Its entry too: the next agent's preflight would otherwise warn of another node with its name.
for id in $(lab_docker 1 node ls -q --filter "name=$(lab_host 2)"); do lab_docker 1 node rm --force "$id" >/dev/null || true; done

# Bar 3: emulated Azure, polled every second.
ip netns exec "$NS" "$EMULATOR" --listen 127.0.0.1:0 --vm-name "$(lab_host 2)" --port-file "$TMP/port" \
  >"$TMP/emulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [[ -s $TMP/port ]] && break; sleep 0.1; done
port=$(<"$TMP/port")
start_agent azure --cloud azure --metadata-endpoint "http://127.0.0.1:$port"
"$PYTHON" "$BENCH_DIR/tools.py" watch-nodes "$(lab_sock 1)" 60 "$(lab_host 2)=labelled" >"$TMP/ready"
sleep 5  # settle: the first looks and the join's own work are over
report() { ip netns exec "$NS" curl -fsS "http://127.0.0.1:$port/control/report"; }
polls() { report | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("GET /metadata/scheduledevents", 0))'; }
clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT/stat"; }
p0=$(polls)
c0=$(cpu_ticks)
w0=$(now_ms)
max_rss=0
for ((s = 0; s < SECONDS_IDLE; s++)); do
  sleep 1
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status")
  ((rss > max_rss)) && max_rss=$rss
done
w1=$(now_ms)
c1=$(cpu_ticks)
p1=$(polls)
threads=$(awk '/^Threads/ { print $2 }' "/proc/$AGENT/status")
cpu=$(awk -v c=$((c1 - c0)) -v hz="$clk" -v ms=$((w1 - w0)) 'BEGIN { printf "%.3f", 100 * c / hz / (ms / 1000) }')
rate=$(awk -v n=$((p1 - p0)) -v ms=$((w1 - w0)) 'BEGIN { printf "%.2f", n / (ms / 1000) }')
grep -E ' (warning|error) ' "$TMP/azure.log" | sed 's/^/  azure: /' >&2 || true
azure_warnings=$(grep -E ' (warning|error) ' "$TMP/azure.log" | grep -c -E '\[cloud\]|169\.254|metadata' || true)
echo "seconds,auto_metadata_packets,auto_dns_packets,auto_warnings,azure_max_rss_kb,azure_threads,azure_cpu_percent,azure_polls_per_s,azure_warnings" >"$CSV"
echo "$SECONDS_IDLE,$metadata_packets,$dns_packets,$warnings,$max_rss,$threads,$cpu,$rate,$azure_warnings" >>"$CSV"
met2=NOT
((metadata_packets == 0 && dns_packets == 0 && warnings == 0)) && met2=""
met3=NOT
((max_rss <= 8192)) && awk -v c="$cpu" 'BEGIN { exit !(c <= 0.2) }' && met3=""
echo "bar 2: run --cloud auto for ${SECONDS_IDLE}s on a machine in no cloud: $metadata_packets packets to 169.254.0.0/16, $dns_packets DNS packets, $warnings warnings of the cloud watch (all 0): ${met2:+$met2 }met"
echo "bar 3: idle run --cloud azure (emulated, 1 s polling) for ${SECONDS_IDLE}s: max RSS ${max_rss} kB, threads $threads, CPU ${cpu} %, ${rate} scheduled-events requests/s, $azure_warnings warnings of the cloud watch (RSS <= 8192 kB, CPU <= 0.2 %): ${met3:+$met3 }met"
echo "csv: $CSV"
lab leave 2 >/dev/null 2>&1 || true
