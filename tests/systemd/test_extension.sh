#!/usr/bin/env bash
# The VM-extension path under a real systemd: inside a booted container on lab node 2, as root,
#   install.sh --deb swarm-bootstrap_*.deb --managers <node 1> --label zone=ext
# installs the package through apt, writes the configuration (0600), enables and starts the unit and returns
# 0 once the node has joined: by then the manager sees it Ready and labelled. Measures install -> ready.
# Then prints `systemd-analyze security swarm-bootstrap` and keeps the unit's exposure at or below 2.5.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sd_begin systemd_extension

swarm_init 1
ct_boot 2

t0=$(now_ms)
out=$CT_WORK/install.log
rc=0
ct bash /sb/installer-linux/install.sh --deb "$SD_DEB_IN" --managers "$(lab_addr 1)" --label zone=ext \
  >"$out" 2>&1 || rc=$?
t1=$(now_ms)
AGENT_LOGS+=("$out")
assert_eq 0 "$rc" "install.sh exit code (log $out)"
# Ready and labelled on the manager the moment install.sh returns: no polling.
ready_and_labelled 1 zone ext || fail "install.sh returned, but the manager does not see node $(lab host 2) Ready with zone=ext"
note "install.sh --deb ... returned 0 after $(elapsed_s "$t0" "$t1") s; the node was Ready and labelled on the manager then (install -> ready $(elapsed_s "$t0" "$t1") s)"

grep -q 'apt-get install\|Unpacking swarm-bootstrap\|Setting up swarm-bootstrap' "$out" ||
  fail "install.sh did not install through apt (log $out)"
ct grep -q 'swarm-bootstrap' /var/log/apt/history.log || fail "apt's history has no swarm-bootstrap"
note "installed through apt: $(ct grep '^Commandline:' /var/log/apt/history.log | tail -1)"
assert_eq 600 "$(ct stat -c %a /etc/swarm-bootstrap/config.json)" "mode of /etc/swarm-bootstrap/config.json"
assert_eq "root:root" "$(ct stat -c %U:%G /etc/swarm-bootstrap/config.json)" "owner of the configuration"
assert_eq enabled "$(ct systemctl is-enabled swarm-bootstrap.service)" "is-enabled"
assert_eq active "$(ct systemctl is-active swarm-bootstrap.service)" "is-active"
assert_eq 0 "$(unit_prop NRestarts)" "NRestarts"
note "unit: $(unit_prop UnitFileState), $(unit_prop ActiveState)/$(unit_prop SubState), status '$(unit_prop StatusText)'"

# Sandboxing, scored by systemd itself.
sec=$CT_WORK/security.txt
ct systemd-analyze security --no-pager swarm-bootstrap.service >"$sec" 2>&1 || true
cat "$sec"
score=$(awk '/Overall exposure level/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) print $i }' "$sec" | tail -1)
assert_nonempty "$score" "exposure score from systemd-analyze security"
assert_le 2.5 "$score" "systemd-analyze security exposure of swarm-bootstrap.service"
note "systemd-analyze security: exposure $score (limit 2.5)"

assert_no_token_in_journal
test_pass
