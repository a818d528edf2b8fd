#!/usr/bin/env bash
# Heal under systemd: `docker node rm --force` of the node on the manager; the running unit (--interval 3s)
# rejoins it within interval + 10 s, without a restart of the unit.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_heal

interval=3
swarm_init 1
ct_boot 2
printf '%s\n' '{"managers": ["'"$(lab_addr 1)"'"], "labels": {"zone": "heal"}, "interval": "'$interval's"}' \
  >"$CT_IN/config.json"
ct_install_sh --config /sb/in/config.json
assert_eq 0 "$INSTALL_RC" "install.sh exit code (log $INSTALL_LOG)"
old_id=$(ct_node_id_on 1)
pid=$(unit_prop MainPID)

t0=$(now_ms)
lab_docker 1 node rm --force "$old_id" >/dev/null
note "docker node rm --force $old_id on the manager"
rejoined() {
  local id
  id=$(ct_node_id_on 1)
  [[ -n $id && $id != "$old_id" ]] && [[ $(node_label 1 "$id" zone) == heal ]]
}
wait_until $((interval + 10)) "the unit to rejoin the node (Ready, labelled)" rejoined
t1=$(now_ms)
heal_s=$(elapsed_s "$t0" "$t1")
note "rejoined as $(ct_node_id_on 1), Ready with zone=heal, $heal_s s after the removal (limit $((interval + 10)) s)"
assert_eq "$pid" "$(unit_prop MainPID)" "MainPID (the agent healed in place)"
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts"
ct journalctl -u swarm-bootstrap.service SYSLOG_IDENTIFIER=swarm-bootstrap --no-pager -o cat | grep -m2 -i 'heal'
assert_no_token_in_journal
test_pass
