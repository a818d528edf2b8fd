#!/usr/bin/env bash
# tls: the manager's Engine API is TLS with client certificates (dockerd --tlsverify on 2376). With --tls-ca,
# --tls-cert and --tls-key the agent joins through it and gives no plain-TCP warning; with a CA that did not sign
# the engine's certificate it stops at once with exit 4 instead of waiting for the deadline.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin tls
command -v openssl >/dev/null || skip "openssl is needed to make the test certificates"

pki="$SB_LAB_DIR/tls-pki"
engine_tls="$(lab dir 1)/tls"
rm -rf "$pki" "$engine_tls"
mkdir -p "$pki" "$engine_tls"
# Node 1 goes back to plain TCP whatever happens, so later tests find the usual lab.
at_exit "rm -rf '$engine_tls'; bash '$LAB' restart 1 >/dev/null 2>&1"

mkcert() { # NAME CN [SAN]: a key and a certificate signed by the CA in $pki
  local name=$1 cn=$2 san=${3:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -keyout "$pki/$name-key.pem" -out "$pki/$name.csr" 2>/dev/null
  local ext="$pki/$name.ext"
  echo "basicConstraints=CA:FALSE" >"$ext"
  [[ -z $san ]] || echo "subjectAltName=$san" >>"$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca-key.pem" -CAcreateserial \
    -days 1 -extfile "$ext" -out "$pki/$name-cert.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=lab CA" -days 1 \
  -keyout "$pki/ca-key.pem" -out "$pki/ca.pem" 2>/dev/null
mkcert server "$(lab host 1)" "IP:$(lab_addr 1)"
mkcert client swarm-bootstrap
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=other CA" -days 1 \
  -keyout "$pki/other-ca-key.pem" -out "$pki/other-ca.pem" 2>/dev/null
cp "$pki/ca.pem" "$engine_tls/ca.pem"
cp "$pki/server-cert.pem" "$engine_tls/server-cert.pem"
cp "$pki/server-key.pem" "$engine_tls/server-key.pem"

note "restarting node 1 with --tlsverify on 2376"
lab restart 1 >/dev/null || fail "node 1 did not restart with TLS"
swarm_init 1

join_args 2 "$(lab_addr 1)"
agent_run wrong_ca 2 "${JOIN_ARGS[@]}" --tls-ca "$pki/other-ca.pem" --tls-cert "$pki/client-cert.pem" \
  --tls-key "$pki/client-key.pem" --timeout 60s
assert_rc 4 "join with a CA that did not sign the engine's certificate"
assert_le 10 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds until the TLS failure ended the join"
assert_contains "$AGENT_LOG" "TLS" "the one-line reason"
[[ $(local_state 2) == inactive ]] || fail "node 2 changed ($(local_state 2)) after a refused TLS connection"

agent_run tls 2 "${JOIN_ARGS[@]}" --tls-ca "$pki/ca.pem" --tls-cert "$pki/client-cert.pem" \
  --tls-key "$pki/client-key.pem" --label zone=tls --timeout 60s
assert_rc 0 "join over TLS"
assert_contains "$AGENT_LOG" "$(lab_addr 1):2376" "the manager reached on the TLS port"
if grep -q "plain TCP" "$AGENT_LOG"; then
  fail "the agent warned about plain TCP although it used TLS"
fi
id=$(local_node_id 2)
assert_eq ready "$(node_inspect 1 "$id" '{{.Status.State}}')" "node 2 on the manager"
assert_eq tls "$(node_label 1 "$id" zone)" "label zone"
if grep -q "PRIVATE KEY" "$AGENT_LOG"; then
  fail "key material in the agent's log"
fi
test_pass
