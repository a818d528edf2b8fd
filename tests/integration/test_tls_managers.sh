#!/usr/bin/env bash
# tls_managers: two TLS managers of one swarm. Node 1 serves a certificate of another CA; node 3 a certificate
# that names only its DNS name, mgr3.<prefix>.test (what the docker docs' "protect the daemon socket" recipe
# makes), which the agents' namespaces resolve through /etc/netns/<ns>/hosts.
#  1. --manager https://mgr3.<prefix>.test:2376: the agent verifies the name it was given (and sends it as SNI),
#     not the address it resolved to, and joins.
#  2. --manager NODE1 --manager mgr3.<prefix>.test: node 1 rejects us (TLS) and drops out of the race; node 3
#     takes the join. Exit 4 is only for when every manager rejects us.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
test_begin tls_managers
command -v openssl >/dev/null || skip "openssl is needed to make the test certificates"

prefix=${SB_LAB_PREFIX:-sblab}
name="mgr3.$prefix.test"
pki="$SB_LAB_DIR/tls-managers-pki"
rm -rf "$pki" "$(lab dir 1)/tls" "$(lab dir 3)/tls"
mkdir -p "$pki" "$(lab dir 1)/tls" "$(lab dir 3)/tls"
# Nodes 1 and 3 go back to plain TCP whatever happens, so later tests find the usual lab.
at_exit "rm -rf '$(lab dir 1)/tls' '$(lab dir 3)/tls'; bash '$LAB' restart 1 >/dev/null 2>&1; bash '$LAB' restart 3 >/dev/null 2>&1"

new_ca() { # NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -days 1 \
    -keyout "$pki/$1-key.pem" -out "$pki/$1.pem" 2>/dev/null
}
mkcert() { # CA NAME CN [SAN]: a key and a certificate signed by CA
  local ca=$1 cert=$2 cn=$3 san=${4:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -keyout "$pki/$cert-key.pem" -out "$pki/$cert.csr" 2>/dev/null
  echo "basicConstraints=CA:FALSE" >"$pki/$cert.ext"
  [[ -z $san ]] || echo "subjectAltName=$san" >>"$pki/$cert.ext"
  openssl x509 -req -in "$pki/$cert.csr" -CA "$pki/$ca.pem" -CAkey "$pki/$ca-key.pem" -CAcreateserial \
    -days 1 -extfile "$pki/$cert.ext" -out "$pki/$cert-cert.pem" 2>/dev/null
}
engine_tls() { # NODE CA CERT: the engine's TLS files (its client CA is always the lab CA)
  cp "$pki/lab-ca.pem" "$(lab dir "$1")/tls/ca.pem"
  cp "$pki/$3-cert.pem" "$(lab dir "$1")/tls/server-cert.pem"
  cp "$pki/$3-key.pem" "$(lab dir "$1")/tls/server-key.pem"
}
new_ca lab-ca
new_ca other-ca
mkcert other-ca foreign "$(lab host 1)" "IP:$(lab_addr 1)"
mkcert lab-ca named "$name" "DNS:$name"
mkcert lab-ca client swarm-bootstrap
engine_tls 1 lab-ca foreign
engine_tls 3 lab-ca named

# The agents' namespaces resolve the name (ip netns exec mounts /etc/netns/NS/hosts over /etc/hosts).
for i in 2 4; do
  hosts_dir="/etc/netns/$(lab ns "$i")"
  mkdir -p "$hosts_dir"
  printf '127.0.0.1 localhost\n%s %s\n' "$(lab_addr 3)" "$name" >"$hosts_dir/hosts"
  at_exit "rm -rf '$hosts_dir'"
done

note "restarting nodes 1 and 3 with --tlsverify on 2376"
lab restart 1 >/dev/null || fail "node 1 did not restart with TLS"
lab restart 3 >/dev/null || fail "node 3 did not restart with TLS"
swarm_init 1
swarm_join_cli 3 1 manager
tls_args=(--tls-ca "$pki/lab-ca.pem" --tls-cert "$pki/client-cert.pem" --tls-key "$pki/client-key.pem")

join_args 2 "https://$name:2376"
agent_run by_name 2 "${JOIN_ARGS[@]}" "${tls_args[@]}" --timeout 20s --backoff-initial 200ms --backoff-max 1s
echo "MEASURE tls_managers.by_name_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "join through a manager given by a DNS name its certificate names"
assert_contains "$AGENT_LOG" "$(lab_addr 3):2376 is ready" "the manager behind the name"
id2=$(local_node_id 2)
wait_until 15 "node 2 ready on node 3" is_ready_on 3 "$id2"

join_args 4 "$(lab_addr 1)" "$name"
agent_run one_rejects 4 "${JOIN_ARGS[@]}" "${tls_args[@]}" --timeout 20s --backoff-initial 200ms \
  --backoff-max 1s
echo "MEASURE tls_managers.one_rejects_s=$(elapsed_s "$AGENT_T0" "$AGENT_T1")"
assert_rc 0 "join while the first listed manager rejects us (certificate of another CA)"
assert_contains "$AGENT_LOG" "manager $(lab_addr 1):2376 rejects us: .*TLS" "node 1 named as rejecting us, and why"
id4=$(local_node_id 4)
wait_until 15 "node 4 ready on node 3" is_ready_on 3 "$id4"
assert_le 10 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds to join past the rejecting manager"

# Every manager rejects us (node 1: a certificate of another CA; node 3: no client certificate): exit 4 at
# once, naming each manager and why.
lab_docker 4 swarm leave --force >/dev/null 2>&1 || true
agent_run all_reject 4 "${JOIN_ARGS[@]}" --tls-ca "$pki/lab-ca.pem" --timeout 20s
assert_rc 4 "every manager rejects us"
assert_le 5 "$(elapsed_s "$AGENT_T0" "$AGENT_T1")" "seconds until exit 4"
assert_contains "$AGENT_LOG" "every manager rejected us.*$(lab_addr 1):2376.*$(lab_addr 3):2376" \
  "the message names every manager"
if grep -q "PRIVATE KEY" "$SB_LOGS/$TEST_NAME".*.log; then
  fail "key material in an agent's log"
fi
test_pass
