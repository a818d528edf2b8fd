#!/usr/bin/env bash
# The MSI under wine's msiexec, against a real lab swarm, as a VM extension would use it:
#  0. its tables (msiinfo export): no ServiceInstall row (the exe registers the service), ServiceControl stops
#     it before its file changes and deletes it on removal, the custom actions run the installed exe deferred
#     and not impersonated (3090) at the right places of InstallExecuteSequence, MajorUpgrade refuses a downgrade,
#     the summary names the licence;
#  1. `msiexec /i swarm-bootstrap.msi /qn /l*v … MANAGERS=… LABELS=zone=west,pool=msi` exits 0, the service is
#     RUNNING, config.json holds the properties, and the node joins the swarm through the named-pipe relay (as in
#     e2e_join_test.sh) with its labels;
#  2. a higher version (same wxs, an exe that differs) installed with no properties: exit 0, the saved
#     properties came back, config.json is unchanged, the new exe is in place and the service runs it;
#  3. the older MSI again: refused, 1603, nothing changed;
#  4. uninstall.ps1 -Leave's sequence: `leave --remove-node` while the service runs exits 7 (the lock), after
#     `sc stop` (Stop-Service) it exits 0, the engine left and the manager no longer lists the node; then
#     `msiexec /x`: 0, no service, no program files, no saved properties; config and state stay;
#  5. a bad property (ROLE=captain): the install fails (1603; wine: 1627), no service, no program files;
#  6. install again (the kept config.json is used), then `/x … PURGE=1`: the configuration and state are gone too.
# Needs root, ip netns, dockerd, wine, wixl and msitools; exits 77 (skip) without them.
# Usage: msi_test.sh MSI WXS SWARM_BOOTSTRAP_EXE PIPE_RELAY_EXE LAB_SH
set -uo pipefail
msi=$1
wxs=$(realpath "$2")
exe=$3
relay=$4
lab_sh=$5

source "$(dirname "$0")/lab_wine.sh"
win_lab_begin msi "$lab_sh"
win_service_exe='C:\Program Files\swarm-bootstrap\swarm-bootstrap.exe'
{ command -v wixl && command -v msiinfo && command -v msibuild; } >/dev/null || skip "wixl/msitools not installed"
[[ -f $msi ]] || { echo "FAIL - $msi not built"; exit 1; }
w2() { wine2 "$@" 2>/dev/null | tr -d '\r'; return "${PIPESTATUS[0]}"; }
drive_c=$WINEPREFIX/drive_c
program_dir="$drive_c/Program Files/swarm-bootstrap"
data_dir=$drive_c/ProgramData/swarm-bootstrap
properties_key='HKLM\SOFTWARE\swarm-bootstrap\Properties'

# msiexec in node 2's namespace; sets $code to msiexec's full exit code and $took to the milliseconds. The shell
# sees only the code modulo 256 (1603 -> 67): cmd.exe's %ERRORLEVEL% has all of it.
msiexec() {
  local t0 out
  t0=$(now_ms)
  out=$(w2 cmd /c "msiexec $* & call echo exit=%^ERRORLEVEL%")
  took=$(( $(now_ms) - t0 ))
  code=$(sed -n 's/.*exit=\([0-9-]*\).*/\1/p' <<<"$out" | tail -1)
  [[ -n $code ]] || code="? ($out)"
}
service_state() { w2 sc query swarm-bootstrap | awk '/STATE/ {print $4}'; }
wait_state() {
  local want=$1 s=""
  for _ in $(seq 60); do s=$(service_state); [[ $s == "$want" ]] && return 0; sleep 0.5; done
  return 1
}
saved() { w2 reg query "$properties_key" /v "$1" | awk -v n="$1" '$1 == n {print $3}'; }
log_has() { grep -a -q "$2" "$1" || iconv -f UTF-16LE -t UTF-8 "$1" 2>/dev/null | grep -q "$2"; }

say "# 0. the MSI's tables ($(stat -c %s "$msi") bytes)"
table() { msiinfo export "$msi" "$1" 2>/dev/null | tr -d '\r' | tail -n +4; }  # msiinfo writes CRLF
# Prints the Sequence of ACTION in InstallExecuteSequence.
sequence=$(table InstallExecuteSequence)
seq_of() { awk -F'\t' -v a="$1" '$1 == a {print $3}' <<<"$sequence"; }
[[ -z $(table ServiceInstall) ]] && pass "ServiceInstall: no rows (the exe's own 'service install' registers it)" ||
  fail "ServiceInstall has rows: $(table ServiceInstall)"
# 162 = msidbServiceControlEventStop (2) | UninstallStop (0x20) | UninstallDelete (0x80)
[[ $(table ServiceControl) == *$'swarm-bootstrap\t162\t'*$'\tAgentExe'* ]] &&
  pass "ServiceControl: stops swarm-bootstrap on install and removal, deletes it on removal" ||
  fail "ServiceControl: $(table ServiceControl)"
ca=$(table CustomAction)
ca_field() { awk -F'\t' -v a="$1" -v f="$2" '$1 == a {print $f}' <<<"$ca"; }
[[ $(ca_field ServiceInstall 2) == 3090 && $(ca_field ServiceInstall 3) == SwarmBootstrapExe &&
  $(ca_field ServiceInstall 4) == 'service install{ --manager "[MANAGERS]"}{ --role "[ROLE]"}{ --label "[LABELS]"}{ --token-file "[TOKEN_FILE]"}'* ]] &&
  pass "CustomAction ServiceInstall: 3090 (installed exe, deferred, not impersonated, checked): $(ca_field ServiceInstall 4 | cut -c1-90)…" ||
  fail "CustomAction ServiceInstall: $(grep '^ServiceInstall' <<<"$ca")"
[[ $(ca_field ServiceUninstall 2) == 3090 && $(ca_field ServiceUninstall 4) == "service uninstall" &&
  $(ca_field ServiceUninstallPurge 4) == "service uninstall --purge" ]] &&
  pass "CustomAction ServiceUninstall(Purge): 3090, 'service uninstall [--purge]'" || fail "CustomAction ServiceUninstall"
[[ $(ca_field ServiceInstallRollback 2) == 3410 ]] && pass "CustomAction ServiceInstallRollback: 3410 (a rollback action)" ||
  fail "ServiceInstallRollback type $(ca_field ServiceInstallRollback 2)"
[[ $(ca_field RestoreManagers 2) == 2099 && $(ca_field RestoreManagers 4) == "[SAVED_MANAGERS]" ]] &&
  pass "CustomAction RestoreManagers: 51 (set MANAGERS from the saved value)" || fail "RestoreManagers"
s_install=$(seq_of ServiceInstall) s_rollback=$(seq_of ServiceInstallRollback) s_uninstall=$(seq_of ServiceUninstall)
if ((s_install > $(seq_of InstallFiles) && s_install > $(seq_of WriteRegistryValues) &&
  s_install < $(seq_of InstallFinalize) && s_rollback < s_install)); then
  pass "InstallExecuteSequence: ServiceInstall $s_install after InstallFiles and WriteRegistryValues, before InstallFinalize; its rollback $s_rollback before it"
else
  fail "InstallExecuteSequence: ServiceInstall at $s_install"
fi
if ((s_uninstall > $(seq_of InstallInitialize) && s_uninstall > $(seq_of StopServices) &&
  s_uninstall < $(seq_of RemoveFiles))); then
  pass "InstallExecuteSequence: ServiceUninstall $s_uninstall after StopServices, before RemoveFiles"
else
  fail "InstallExecuteSequence: ServiceUninstall at $s_uninstall"
fi
(($(seq_of AppSearch) < $(seq_of RestoreManagers) && $(seq_of RestoreManagers) < $(seq_of InstallInitialize))) &&
  [[ -n $(seq_of RemoveExistingProducts) && -n $(seq_of FindRelatedProducts) ]] &&
  pass "InstallExecuteSequence: AppSearch, then the restores; FindRelatedProducts and RemoveExistingProducts" ||
  fail "InstallExecuteSequence: restore/upgrade actions"
[[ $(table LaunchCondition) == *"NOT WIX_DOWNGRADE_DETECTED"* ]] && pass "LaunchCondition: a downgrade is refused" ||
  fail "no downgrade condition"
msiinfo suminfo "$msi" | grep -q "^Comments: .*Apache-2.0" && pass "summary: $(msiinfo suminfo "$msi" | grep ^Comments: | cut -c1-80)…" ||
  fail "summary information does not name the licence"

version=$(table Property | awk -F'\t' '$1 == "ProductVersion" {print $2}')
IFS=. read -r v_major v_minor v_patch <<<"$version"
new_version=$v_major.$v_minor.$((v_patch + 1))
# The upgrade: the same wxs, a newer version, an exe that differs (bytes appended after the PE image).
new_exe=$work/new/swarm-bootstrap.exe
mkdir -p "$work/new"
cp "$exe" "$new_exe"
printf 'sb-msi-upgrade-%s' "$new_version" >>"$new_exe"
t0=$(now_ms)
# wixl finds a Source only relative to where it runs.
(cd "$work/new" && wixl -a x64 -D Version="$new_version" -D ExeSource=swarm-bootstrap.exe -D WithLicense=no \
  -D LicenseSource=none -o "$work/new.msi" "$wxs") 2>"$work/wixl.log" &&
  msibuild "$work/new.msi" -q "UPDATE \`CustomAction\` SET \`Type\` = 3410 WHERE \`Action\` = 'ServiceInstallRollback'" ||
  { fail "wixl: $(cat "$work/wixl.log")"; exit 1; }
say "built the upgrade MSI $new_version in $(( $(now_ms) - t0 )) ms"

say "lab: 2 engines in $SB_LAB_PREFIX-n1/-n2 ($SB_LAB_SUBNET.0/24)"
lab down >/dev/null 2>&1
lab up 2 || { fail "lab up"; exit 1; }
lab docker 1 swarm init --advertise-addr "$manager" >/dev/null || { fail "swarm init"; exit 1; }
win_prefix_init
# The base prefix has what the service test left in %ProgramData%\swarm-bootstrap (its config, state and log,
# which an uninstall keeps): this test starts without them, so that each check sees only what the MSI did.
rm -rf "$data_dir"
cp "$msi" "$drive_c/swarm-bootstrap.msi"
cp "$work/new.msi" "$drive_c/swarm-bootstrap-new.msi"
win_scm_start
win_relay_start "$relay"
# The agent's service depends on the docker service by default, and `service install` refuses a dependency that
# does not exist: stand one in (never started: wine's SCM ignores dependencies, the relay is the engine).
w2 sc create docker binPath= 'C:\windows\system32\cmd.exe' start= demand >/dev/null ||
  fail "sc create docker (the stand-in dependency)"

say "# 1. install with properties"
msiexec "/i C:\\swarm-bootstrap.msi /qn /l*v C:\\install.log MANAGERS=$manager LABELS=zone=west,pool=msi TIMEOUT=5m"
install_ms=$took
[[ $code == 0 ]] && pass "msiexec /i … exit $code in $took ms" || fail "msiexec /i exit $code ($work/prefix/drive_c/install.log)"
[[ -f "$program_dir/swarm-bootstrap.exe" ]] && pass "installed C:\\Program Files\\swarm-bootstrap\\swarm-bootstrap.exe" ||
  fail "no exe in Program Files"
wait_state RUNNING && pass "the service is RUNNING" || fail "service state: $(service_state)"
config=$(tr -d '\r' <"$data_dir/config.json" 2>/dev/null)
echo "$config" | sed 's/^/     /'
[[ $config == *"\"$manager\""* && $config == *'"zone": "west"'* && $config == *'"pool": "msi"'* && $config == *'"timeout": "5m"'* ]] &&
  pass "config.json holds MANAGERS, both LABELS and TIMEOUT" || fail "config.json"
[[ $(saved MANAGERS) == "$manager" && $(saved LABELS) == "zone=west,pool=msi" ]] &&
  pass "the properties are saved in $properties_key" || fail "saved properties: MANAGERS='$(saved MANAGERS)' LABELS='$(saved LABELS)'"
id=""
for _ in $(seq 120); do
  id=$(local_node_id)
  [[ -n $id && $(node_field "$id" '{{index .Spec.Labels "pool"}}') == msi ]] && break
  sleep 0.5
done
join_ms=$(( $(now_ms) - t_start ))
labels=$(node_field "$id" '{{json .Spec.Labels}}')
if [[ -n $id && $(node_field "$id" '{{.Status.State}}') == ready && $labels == *'"zone":"west"'* && $labels == *'"pool":"msi"'* &&
  $labels == *'"os":"linux"'* ]]; then
  pass "the service joined node 2 as $id, ready, labels $labels"
else
  fail "no join with the labels (node '$id', labels $labels)"
fi
log_has "$drive_c/install.log" "ServiceInstall" && pass "install.log (partly UTF-16) names the ServiceInstall action" ||
  fail "install.log"

say "# 2. upgrade to $new_version with no properties"
config_before=$(sha256sum <"$data_dir/config.json")
msiexec "/i C:\\swarm-bootstrap-new.msi /qn /l*v C:\\upgrade.log"
upgrade_ms=$took
[[ $code == 0 ]] && pass "msiexec /i (upgrade) exit $code in $took ms" || fail "upgrade exit $code"
[[ $(sha256sum <"$program_dir/swarm-bootstrap.exe") == "$(sha256sum <"$new_exe")" ]] &&
  pass "the new exe is installed" || fail "the installed exe is not the new one"
wait_state RUNNING && pass "the service is RUNNING again" || fail "after the upgrade: $(service_state)"
# Wine's sc has no `qc`: the SCM keeps the command line in the registry.
binary=$(w2 reg query 'HKLM\SYSTEM\CurrentControlSet\Services\swarm-bootstrap' /v ImagePath | sed -n 's/.*ImagePath *REG_[A-Z_]* *//p')
[[ $binary == '"C:\Program Files\swarm-bootstrap\swarm-bootstrap.exe" run --config '* ]] &&
  pass "it runs $binary" || fail "service command line '$binary'"
starts=$(grep -c "starting: watching" "$data_dir/swarm-bootstrap.log" 2>/dev/null)
((starts >= 2)) && pass "the service was restarted on the new exe ($starts starts in its log)" || fail "$starts service starts in its log"
[[ $(sha256sum <"$data_dir/config.json") == "$config_before" ]] && pass "config.json is unchanged" || fail "config.json changed"
[[ $(saved MANAGERS) == "$manager" && $(saved LABELS) == "zone=west,pool=msi" && $(saved ProductVersion) == "$new_version" ]] &&
  pass "the properties came back from the registry and are saved again by $new_version" ||
  fail "saved after upgrade: MANAGERS='$(saved MANAGERS)' LABELS='$(saved LABELS)' version '$(saved ProductVersion)'"
[[ $(local_node_id) == "$id" ]] && pass "node 2 is still $id in the swarm" || fail "node id changed: $(local_node_id)"

say "# 3. downgrade to $version"
msiexec "/i C:\\swarm-bootstrap.msi /qn /l*v C:\\downgrade.log"
[[ $code == 1603 ]] && pass "msiexec /i (older version) refused: exit $code" || fail "downgrade exit $code"
# Windows logs the DowngradeErrorMessage; wine's log has only the failed action (return value 0 there, 3 on Windows).
log_has "$drive_c/downgrade.log" "LaunchConditions. Return value [03]" && pass "the log: LaunchConditions failed" ||
  fail "no failed LaunchConditions in the log"
[[ $(sha256sum <"$program_dir/swarm-bootstrap.exe") == "$(sha256sum <"$new_exe")" && $(service_state) == RUNNING ]] &&
  pass "$new_version stays installed and running" || fail "the downgrade changed something"

say "# 4. uninstall.ps1 -Leave's steps: leave while the service runs (refused), Stop-Service, leave, msiexec /x"
leave_node() {
  wine2 "$win_service_exe" leave --remove-node --config 'C:\ProgramData\swarm-bootstrap\config.json' 2>&1 | tr -d '\r'
  return "${PIPESTATUS[0]}"
}
leave_node >"$work/leave-running.out"
code=$?
[[ $code == 7 ]] && pass "leave --remove-node while the service runs: exit 7 (the service holds the instance lock)" ||
  fail "leave while the service runs: exit $code, expected 7"
[[ -n $(local_node_id) ]] && pass "node 2 is still in the swarm" || fail "node 2 left although leave was refused"
t0=$(now_ms)
w2 sc stop swarm-bootstrap >/dev/null
wait_state STOPPED && pass "sc stop (Stop-Service): STOPPED after $(( $(now_ms) - t0 )) ms" || fail "after sc stop: $(service_state)"
t0=$(now_ms)
leave_node >"$work/leave-stopped.out"
code=$?
leave_ms=$(( $(now_ms) - t0 ))
[[ $code == 0 ]] && pass "leave --remove-node with the service stopped: exit 0 in $leave_ms ms" ||
  fail "leave with the service stopped: exit $code ($(tail -3 "$work/leave-stopped.out"))"
[[ $(lab docker 2 info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null) == inactive ]] &&
  pass "node 2's engine left the swarm" || fail "node 2's engine is still in the swarm"
[[ -z $(node_field "$id" '{{.ID}}') ]] && pass "the manager no longer lists node $id" ||
  fail "the manager still lists node $id ($(node_field "$id" '{{.Status.State}}'))"
msiexec "/x C:\\swarm-bootstrap-new.msi /qn /l*v C:\\uninstall.log"
uninstall_ms=$took
[[ $code == 0 ]] && pass "msiexec /x exit $code in $took ms" || fail "msiexec /x exit $code"
w2 sc query swarm-bootstrap >/dev/null && fail "the service is still there" || pass "no service"
[[ ! -e $program_dir ]] && pass "no C:\\Program Files\\swarm-bootstrap" || fail "left: $(ls -A "$program_dir")"
[[ -f $data_dir/config.json && -f $data_dir/state.json ]] && pass "config.json and state.json stay" || fail "config or state removed"
w2 reg query "$properties_key" >/dev/null && fail "the saved properties are still in the registry" || pass "the saved properties are gone"

say "# 5. a bad property is refused, nothing stays"
msiexec "/i C:\\swarm-bootstrap.msi /qn /l*v C:\\bad.log ROLE=captain"
# Windows answers 1603 (ERROR_INSTALL_FAILURE) for a failed custom action; wine's msiexec 1627
# (ERROR_FUNCTION_FAILED), and it runs no rollback actions.
[[ $code == 1603 || $code == 1627 ]] && pass "ROLE=captain: exit $code (1603 on Windows; 1627 is wine's)" ||
  fail "ROLE=captain: exit $code"
log_has "$drive_c/bad.log" "ServiceInstall. Return value 3" || log_has "$drive_c/bad.log" "ServiceInstall. Return value 0" &&
  pass "bad.log: the ServiceInstall action failed" || fail "bad.log does not show ServiceInstall failing"
w2 sc query swarm-bootstrap >/dev/null && fail "a service stayed" || pass "no service"
[[ ! -e $program_dir ]] && pass "no program files (rolled back)" || fail "program files stayed"

say "# 6. install again, then uninstall with PURGE=1"
msiexec "/i C:\\swarm-bootstrap.msi /qn"
[[ $code == 0 ]] && wait_state RUNNING && pass "installed again with the kept config.json: RUNNING" || fail "reinstall: exit $code, $(service_state)"
msiexec "/x C:\\swarm-bootstrap.msi /qn PURGE=1"
[[ $code == 0 ]] && pass "msiexec /x PURGE=1 exit $code" || fail "msiexec /x PURGE=1 exit $code"
[[ ! -e $data_dir && ! -e $program_dir ]] && pass "no %ProgramData%\\swarm-bootstrap, no program files" ||
  fail "left after PURGE=1: $(find "$data_dir" "$program_dir" -maxdepth 1 2>/dev/null | tr '\n' ' ')"

echo "MSI_TIMES_MS install=$install_ms upgrade=$upgrade_ms uninstall=$uninstall_ms joined_at=$join_ms"
say "# msi: $failures failure(s)"
((failures == 0))
