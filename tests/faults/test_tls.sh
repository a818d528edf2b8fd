#!/usr/bin/env bash
# Fault matrix, TLS: a manager API on TLS (fault_manager, certificates made with the openssl CLI here) that the
# agent must not trust or cannot satisfy. Each is a TLS failure: exit 4 at once, long before --timeout.
#   wrong CA          the server's certificate is signed by a CA the agent does not trust
#   no client cert    the server requires a client certificate (--tlsverify) and the agent has none
#   expired           the server's certificate expired yesterday
#   name mismatch     the certificate names another host and address
# A control case (a certificate the agent trusts) proves the set-up: the agent then gets as far as the join.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin faults_tls
command -v openssl >/dev/null || skip "openssl not found"
fm_up

pki="$SB_LOGS/$TEST_NAME-pki"
rm -rf "$pki"
mkdir -p "$pki"
q() { "$@" >/dev/null 2>&1 || fail "openssl failed: $*"; }
ca() { # NAME
  q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$1.key" \
    -out "$pki/$1.pem" -days 2 -subj "/CN=fault $1"
}
cert() { # NAME CA DAYS EXT
  q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" \
    -subj "/CN=$1"
  printf '%s\n' "$4" >"$pki/$1.ext"
  q openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" -CAcreateserial -days "$3" \
    -extfile "$pki/$1.ext" -out "$pki/$1.pem"
}
ca ca
ca foreign
server_ext="subjectAltName=IP:$FM_ADDR
extendedKeyUsage=serverAuth"
cert server ca 2 "$server_ext"
cert foreign_server foreign 2 "$server_ext"
cert expired_server ca -1 "$server_ext"
cert other_server ca 2 "subjectAltName=DNS:other.example,IP:$SB_LAB_SUBNET.99
extendedKeyUsage=serverAuth"
cert client ca 2 "extendedKeyUsage=clientAuth"

fm_start fm \
  --tls-cert "$pki/foreign_server.pem" --tls-key "$pki/foreign_server.key" --serve 2461 good \
  --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --tls-client-ca "$pki/ca.pem" --serve 2462 good \
  --tls-cert "$pki/expired_server.pem" --tls-key "$pki/expired_server.key" --tls-client-ca "$pki/ca.pem" \
  --serve 2463 good \
  --tls-cert "$pki/other_server.pem" --tls-key "$pki/other_server.key" --tls-client-ca "$pki/ca.pem" \
  --serve 2464 good \
  --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --tls-client-ca "$pki/ca.pem" --serve 2465 good

client=(--tls-ca "$pki/ca.pem" --tls-cert "$pki/client.pem" --tls-key "$pki/client.key")
max=${SB_FAULTS_TLS_MAX:-5}
join_fast 30s "${client[@]}" --manager "$FM_ADDR:2461"
case_start wrong_ca 4 "$max" "${JOIN_ARGS[@]}"
join_fast 30s --tls-ca "$pki/ca.pem" --manager "$FM_ADDR:2462"
case_start no_client_cert 4 "$max" "${JOIN_ARGS[@]}"
join_fast 30s "${client[@]}" --manager "$FM_ADDR:2463"
case_start expired_server_cert 4 "$max" "${JOIN_ARGS[@]}"
join_fast 30s "${client[@]}" --manager "$FM_ADDR:2464"
case_start server_name_mismatch 4 "$max" "${JOIN_ARGS[@]}"
# Control: trusted and matching, so the TLS part works; the fake lists no reachable swarm port: deadline, 3.
join_fast 3s "${client[@]}" --manager "$FM_ADDR:2465"
case_start control_trusted 3 12 "${JOIN_ARGS[@]}"
cases_wait
for c in wrong_ca no_client_cert expired_server_cert server_name_mismatch; do
  assert_contains "$SB_LOGS/$TEST_NAME.$c.log" 'TLS' "case $c names the TLS failure"
done
assert_contains "$SB_LOGS/$TEST_NAME.control_trusted.log" 'manager .* is ready' "the trusted manager was accepted"
assert_no_token "$SB_LOGS/$TEST_NAME".*
test_pass
