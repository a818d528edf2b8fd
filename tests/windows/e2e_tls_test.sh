#!/usr/bin/env bash
# End to end under wine, over TLS: swarm-bootstrap.exe (OpenSSL linked statically) fetches the join token from a
# manager whose Engine API requires client certificates (dockerd --tlsverify on 2376, tests/integration/lab.sh).
# Node 1 is the manager; in node 2's namespace pipe_relay.exe serves \\.\pipe\docker_engine for node 2's engine.
#   1. `version` says TLS is available;
#   2. a CA that did not sign the manager's certificate: exit 4 at once, one line that says TLS;
#   3. no client certificate (TLS 1.3: the manager's refusal arrives on the first read): exit 4;
#   4. --tls-ca/--tls-cert/--tls-key: joins, labelled, over 2376, no plain-TCP warning;
#   5. DOCKER_TLS_VERIFY=1 with the files in %USERPROFILE%\.docker (the docker CLI's default): joins again;
#   6. the service, with the TLS paths in its config file, joins over TLS; `service status` reads it back;
#   no key material in any log, the Event Log trace, the state file or the config file.
# Needs root, ip netns, dockerd, openssl and wine; exits 77 (skip) without them.
# Usage: e2e_tls_test.sh SWARM_BOOTSTRAP_EXE PIPE_RELAY_EXE LAB_SH
set -uo pipefail
exe=$1
relay=$2
lab_sh=$3

source "$(dirname "$0")/lab_wine.sh"
win_lab_begin tls "$lab_sh"
win_service_exe=$exe
command -v openssl >/dev/null || skip "openssl is needed to make the test certificates"
local_state() { lab docker 2 info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
show() { tr -d '\r' <"$1" | sed 's/^/     /' | tail -"${2:-6}"; }

# The PKI, as in tests/integration/test_tls.sh: a lab CA, the manager's certificate for its address, a client
# certificate, and a CA that signed neither.
pki=$work/pki
mkdir -p "$pki"
mkcert() { # NAME CN [SAN]
  local name=$1 cn=$2 san=${3:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -keyout "$pki/$name-key.pem" -out "$pki/$name.csr" 2>/dev/null
  echo "basicConstraints=CA:FALSE" >"$pki/$name.ext"
  [[ -z $san ]] || echo "subjectAltName=$san" >>"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca-key.pem" -CAcreateserial \
    -days 1 -extfile "$pki/$name.ext" -out "$pki/$name-cert.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=lab CA" -days 1 \
  -keyout "$pki/ca-key.pem" -out "$pki/ca.pem" 2>/dev/null
mkcert server "$SB_LAB_PREFIX-n1" "IP:$manager"
mkcert client swarm-bootstrap
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=other CA" -days 1 \
  -keyout "$pki/other-ca-key.pem" -out "$pki/other-ca.pem" 2>/dev/null
# A line of the client key's base64: found anywhere, key material leaked.
key_line=$(sed -n 2p "$pki/client-key.pem")

say "lab: 2 engines in $SB_LAB_PREFIX-n1/-n2 ($SB_LAB_SUBNET.0/24); node 1 with --tlsverify on 2376"
lab down >/dev/null 2>&1
lab up 2 >/dev/null || { fail "lab up"; exit 1; }
engine_tls="$(lab dir 1)/tls"
mkdir -p "$engine_tls"
cp "$pki/ca.pem" "$pki/server-cert.pem" "$pki/server-key.pem" "$engine_tls/"
lab restart 1 >/dev/null || { fail "node 1 did not restart with TLS"; exit 1; }
lab docker 1 swarm init --advertise-addr "$manager" >/dev/null || { fail "swarm init"; exit 1; }

win_prefix_init
# The certificates as a Windows administrator would keep them: C:\certs, and the docker CLI's default
# %USERPROFILE%\.docker (wine's profile for this user is C:\users\<name>).
certs="$WINEPREFIX/drive_c/certs"
mkdir -p "$certs"
cp "$pki/ca.pem" "$pki/other-ca.pem" "$pki/client-cert.pem" "$pki/client-key.pem" "$certs/"
win_scm_start
profile=$(wine2 cmd /c echo %USERPROFILE% 2>/dev/null | tr -d '\r')
profile_dir=$(WINEPREFIX=$WINEPREFIX winepath -u "$profile" 2>/dev/null)
tls_ca='C:\certs\ca.pem'
tls_cert='C:\certs\client-cert.pem'
tls_key='C:\certs\client-key.pem'

win_relay_start "$relay"

say "# 1. version"
out=$(wine2 "$exe" version | tr -d '\r')
echo "$out" | sed 's/^/     /'
[[ $out == *"TLS: available, OpenSSL 3."* ]] && pass "version: TLS available (OpenSSL linked in)" || fail "version does not say TLS is available"

say "# 2. a foreign CA"
t0=$(now_ms)
wine2 "$exe" join --manager "$manager" --tls-ca 'C:\certs\other-ca.pem' --tls-cert "$tls_cert" --tls-key "$tls_key" \
  --timeout 60s >"$work/wrong-ca.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
show "$work/wrong-ca.log" 3
((rc == 4)) && pass "exit 4 after ${took} ms" || fail "foreign CA: exit $rc (expected 4)"
((took < 15000)) || fail "the TLS failure took ${took} ms to end the join (limit 15000)"
reason=$(tr -d '\r' <"$work/wrong-ca.log" | grep -E 'error|TLS' | tail -1)
[[ $reason == *TLS* && $reason == *"$manager:2376"* ]] && pass "one-line reason: $reason" || fail "no one-line TLS reason"
[[ $(local_state) == inactive ]] && pass "node 2 unchanged (inactive)" || fail "node 2 changed: $(local_state)"

say "# 3. no client certificate"
wine2 "$exe" join --manager "$manager" --tls-ca "$tls_ca" --timeout 60s >"$work/no-cert.log" 2>&1
rc=$?
show "$work/no-cert.log" 3
((rc == 4)) && pass "no client certificate: exit 4" || fail "no client certificate: exit $rc (expected 4)"
grep -q TLS "$work/no-cert.log" && pass "the reason says TLS" || fail "no TLS reason"

say "# 4. --tls-ca/--tls-cert/--tls-key"
t0=$(now_ms)
wine2 "$exe" join --manager "$manager" --tls-ca "$tls_ca" --tls-cert "$tls_cert" --tls-key "$tls_key" \
  --label zone=tls --timeout 2m >"$work/tls.log" 2>&1
rc=$?
took=$(( $(now_ms) - t0 ))
show "$work/tls.log" 8
((rc == 0)) && pass "join over TLS exited 0 after ${took} ms" || fail "join over TLS: exit $rc"
grep -q "$manager:2376" "$work/tls.log" && pass "the manager was reached on 2376" || fail "no $manager:2376 in the log"
grep -q "plain TCP" "$work/tls.log" && fail "warned about plain TCP although it used TLS" || pass "no plain-TCP warning"
id=$(local_node_id)
[[ -n $id && $(node_field "$id" '{{.Status.State}}') == ready ]] && pass "the manager sees node $id ready" || fail "not ready on the manager"
[[ $(node_field "$id" '{{index .Spec.Labels "zone"}}') == tls ]] && pass "label zone=tls" || fail "label zone missing"

say "# 5. DOCKER_TLS_VERIFY=1 and %USERPROFILE%\\.docker ($profile)"
lab docker 2 swarm leave --force >/dev/null || fail "leave"
if [[ -n $profile_dir ]]; then
  mkdir -p "$profile_dir/.docker"
  cp "$pki/ca.pem" "$profile_dir/.docker/ca.pem"
  cp "$pki/client-cert.pem" "$profile_dir/.docker/cert.pem"
  cp "$pki/client-key.pem" "$profile_dir/.docker/key.pem"
fi
in_node2 env DOCKER_TLS_VERIFY=1 wine "$exe" join --manager "$manager" --label zone=docker-env --timeout 2m \
  </dev/null >"$work/env.log" 2>&1
rc=$?
show "$work/env.log" 3
id2=$(local_node_id)
((rc == 0)) && [[ -n $id2 && $(node_field "$id2" '{{index .Spec.Labels "zone"}}') == docker-env ]] &&
  pass "joined with the docker CLI's defaults (node $id2, zone=docker-env)" || fail "DOCKER_TLS_VERIFY join: exit $rc"
rm -rf "${profile_dir:?}/.docker"

say "# 6. the service, TLS paths from its config file"
lab docker 2 swarm leave --force >/dev/null || fail "leave"
state="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap/state.json"
config="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap/config.json"
rm -f "$state"
if wine2 "$exe" service install --no-depends --manager "$manager" --tls-ca "$tls_ca" --tls-cert "$tls_cert" \
  --tls-key "$tls_key" --label zone=svc-tls --timeout 5m >"$work/install.log" 2>&1; then
  pass "service install (started)"
else
  fail "service install: $(tr -d '\r' <"$work/install.log")"
fi
svc_id=""
for _ in $(seq 120); do
  svc_id=$(local_node_id)
  if [[ -n $svc_id && $(node_field "$svc_id" '{{index .Spec.Labels "zone"}}') == svc-tls ]]; then break; fi
  sleep 0.5
done
[[ -n $svc_id && $(node_field "$svc_id" '{{index .Spec.Labels "zone"}}') == svc-tls ]] &&
  pass "the service joined over TLS as $svc_id (zone=svc-tls)" || fail "the service did not join over TLS"
for _ in $(seq 50); do [[ -f $state ]] && grep -q "$svc_id" "$state" && break; sleep 0.2; done
grep -q "$svc_id" "$state" 2>/dev/null && pass "state file names the node" || fail "no state file from the service"
grep -q 'tls_key' "$config" 2>/dev/null && pass "config.json names the key file (a path)" || fail "config.json lacks tls_key"
wine2 "$exe" service status >"$work/status.log" 2>&1
show "$work/status.log" 14
grep -q "state: *running" "$work/status.log" && pass "service status: running" || fail "service status does not say running"
wine2 sc stop swarm-bootstrap >/dev/null 2>&1
for _ in $(seq 100); do wine2 sc query swarm-bootstrap 2>/dev/null | grep -q STOPPED && break; sleep 0.1; done

say "# no key material anywhere"
log="$WINEPREFIX/drive_c/ProgramData/swarm-bootstrap/swarm-bootstrap.log"
[[ -f $log ]] || fail "no service log file"
grep -a -q "ReportEventW" "$work/trace" && pass "the Event Log trace has events" || fail "no Event Log trace"
leaks=$(grep -a -l -e "PRIVATE KEY" -e "$key_line" "$work"/*.log "$work/trace" "$log" "$state" "$config" 2>/dev/null)
[[ -z $leaks ]] && pass "no key material in the join logs, the service log, the Event Log trace, state.json, config.json" ||
  fail "key material in: $leaks"
grep -a -q SWMTKN "$work"/*.log "$work/trace" "$log" "$state" 2>/dev/null && fail "a join token leaked" || pass "no join token either"

wine2 "$exe" service uninstall >/dev/null 2>&1 && pass "service uninstall" || fail "service uninstall"
say "# tls e2e: $failures failure(s)"
((failures == 0))
