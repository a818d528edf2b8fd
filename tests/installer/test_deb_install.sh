#!/usr/bin/env bash
# The .deb from test_deb_build.sh installed with dpkg, in the sandbox (lib.sh; the machine's dpkg database
# is untouched), with systemd faked:
#   dpkg -i without configuration: `swarm-bootstrap version` works; daemon-reload, but no enable, no start;
#   with /etc/swarm-bootstrap/config.json, dpkg -i again: enabled and (re)started, without blocking;
#   dpkg --purge: stopped, disabled, and nothing left: no packaged file, no /etc/swarm-bootstrap, no
#   /var/lib/swarm-bootstrap, no enablement link;
#   with a policy-rc.d that forbids starts (exit 101, as in container images): enabled, not started.
# Then without systemd (an image build): dpkg -i with a configuration enables the unit offline, starts nothing.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin deb_install
need_sandbox
need_tool dpkg dpkg
need_tool systemctl systemd
debs=("${SB_BUILD_DIR:-/nonexistent}"/installer-test/swarm-bootstrap_*.deb)
[[ -f ${debs[0]} ]] || fail "no package in ${SB_BUILD_DIR:-}/installer-test: did installer.deb_build pass?"
deb=${debs[0]}
unit=swarm-bootstrap.service
# In the sandbox: dpkg's own records, and what the sandbox itself changes; deletions are not leftovers.
noise='^var/(lib/dpkg|log|cache)/|^run/(systemd|dbus)(/|$| )| \(deleted\)$'

# shellcheck disable=SC2317 # called through run
in_sandbox() { sandbox_run bash -c "$1"; }

export SANDBOX_SYSTEMD=1
# A booted machine: no policy-rc.d (a container image's, which forbids every start, is deleted in the sandbox
# only; it is tried at the end).
policy=/usr/sbin/policy-rc.d
run in_sandbox "dpkg --purge swarm-bootstrap >/dev/null 2>&1; rm -rf /etc/swarm-bootstrap /var/lib/swarm-bootstrap
  rm -f $policy"
reset_systemctl_calls
run sandbox_run dpkg -i "$deb"
[[ $RC -eq 0 ]] || fail "dpkg -i failed (exit $RC): $OUT"
[[ $OUT == *"not started: no /etc/swarm-bootstrap/config.json"* ]] || fail "postinst said nothing about the missing configuration: $OUT"
run sandbox_run swarm-bootstrap version
[[ $RC -eq 0 && $OUT == "swarm-bootstrap "* ]] || fail "swarm-bootstrap version after dpkg -i (exit $RC): $OUT"
note "dpkg -i, then: $(head -1 <<<"$OUT")"
calls=$(systemctl_calls)
assert_eq "$calls" daemon-reload "systemctl calls of postinst without configuration"
run sandbox_run systemctl is-enabled "$unit"
assert_eq "$OUT" disabled "is-enabled without configuration"

# With a configuration: enabled and started (restart --no-block: dpkg must not wait for the join).
run in_sandbox "mkdir -p /etc/swarm-bootstrap && cp '$INSTALLER/config.example.json' /etc/swarm-bootstrap/config.json
  mkdir -p /var/lib/swarm-bootstrap && echo '{}' >/var/lib/swarm-bootstrap/state.json"
reset_systemctl_calls
run sandbox_run dpkg -i "$deb"
[[ $RC -eq 0 ]] || fail "dpkg -i with a configuration failed (exit $RC): $OUT"
calls=$(systemctl_calls)
# deb-systemd-helper enables it (through systemctl preset on a first install, so the admin's presets apply).
assert_eq "$calls" "daemon-reload
--root=/ --system --preset-mode=enable-only preset $unit
restart --no-block $unit" "systemctl calls of postinst with a configuration"
run sandbox_run systemctl is-enabled "$unit"
assert_eq "$OUT" enabled "is-enabled with a configuration"
note "with a configuration: $(tr '\n' ';' <<<"$calls")"

reset_systemctl_calls
run sandbox_run dpkg --purge swarm-bootstrap
[[ $RC -eq 0 ]] || fail "dpkg --purge failed (exit $RC): $OUT"
calls=$(systemctl_calls)
assert_contains "$calls" "stop $unit" "prerm"
assert_contains "$calls" "disable $unit" "prerm"
run sandbox_run dpkg-query -W -f="\${Status}" swarm-bootstrap
[[ $OUT != *"ok installed"* ]] || fail "still installed after purge: $OUT"
listed=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
for path in $listed /etc/swarm-bootstrap /var/lib/swarm-bootstrap \
  "/etc/systemd/system/multi-user.target.wants/$unit"; do
  run sandbox_run test -e "$path"
  [[ $RC -ne 0 ]] || fail "$path is still there after dpkg --purge"
done
left=$(sandbox_changes "$noise")
[[ -z $left ]] || fail "dpkg --purge left behind: $left"
note "dpkg --purge: $(tr '\n' ';' <<<"$calls") nothing left"

# policy-rc.d saying 101 (an image build in a container): enabled, not started, and said so.
run in_sandbox "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 0755 $policy
  mkdir -p /etc/swarm-bootstrap && cp '$INSTALLER/config.example.json' /etc/swarm-bootstrap/config.json"
reset_systemctl_calls
run sandbox_run dpkg -i "$deb"
[[ $RC -eq 0 ]] || fail "dpkg -i under a policy-rc.d that forbids starts failed (exit $RC): $OUT"
[[ $OUT == *"policy-rc.d forbids it"* ]] || fail "postinst did not say that policy-rc.d kept it from starting: $OUT"
calls=$(systemctl_calls)
[[ $calls != *restart* && $calls != *start\ * ]] || fail "started although policy-rc.d says 101: $calls"
run sandbox_run systemctl is-enabled "$unit"
assert_eq "$OUT" enabled "is-enabled under policy-rc.d 101"
run sandbox_run dpkg --purge swarm-bootstrap
[[ $RC -eq 0 ]] || fail "dpkg --purge under policy-rc.d 101 failed (exit $RC): $OUT"
run in_sandbox "rm -f $policy"
note "policy-rc.d 101: enabled, not started"

# No systemd (a chroot or image build): enabled offline when configured, nothing started.
export SANDBOX_SYSTEMD=0
run in_sandbox "mkdir -p /etc/swarm-bootstrap && cp '$INSTALLER/config.example.json' /etc/swarm-bootstrap/config.json"
run sandbox_run dpkg -i "$deb"
[[ $RC -eq 0 ]] || fail "dpkg -i without systemd failed (exit $RC): $OUT"
run sandbox_run systemctl is-enabled "$unit"
assert_eq "$OUT" enabled "is-enabled after dpkg -i without systemd"
run sandbox_run dpkg --purge swarm-bootstrap
[[ $RC -eq 0 ]] || fail "dpkg --purge without systemd failed (exit $RC): $OUT"
left=$(sandbox_changes "$noise")
[[ -z $left ]] || fail "dpkg --purge without systemd left behind: $left"
note "without systemd: enabled offline; purged clean"
test_pass
