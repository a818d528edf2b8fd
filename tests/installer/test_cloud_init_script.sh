#!/usr/bin/env bash
# installer-linux/cloud-init.yaml's runcmd script, run as cloud-init would run it (bash -c, as root), in the
# sandbox (lib.sh) with systemd faked: its SB_URL pointed at a file:// directory holding install.sh and the .deb of
# test_deb_build.sh (fixture deb_package), everything else as written. It must exit 0 with the package installed,
# config.json (0600) holding its managers and labels, the unit enabled and started, and its scratch directory gone.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin cloud_init_script
need_sandbox
need_tool dpkg dpkg
need_tool curl curl
need_tool cloud-init cloud-init
debs=("${SB_BUILD_DIR:-/nonexistent}"/installer-test/swarm-bootstrap_*.deb)
[[ -f ${debs[0]} ]] || fail "no package in ${SB_BUILD_DIR:-}/installer-test: did installer.deb_build pass?"
deb=${debs[0]}
unit=swarm-bootstrap.service

# The script, read with cloud-init's own Python and YAML.
py=$(sed -n '1s/^#! *//p' "$(command -v cloud-init)")
"$py" - "$INSTALLER/cloud-init.yaml" >"$WORK/runcmd.sh" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
scripts = [c[2] for c in config["runcmd"] if isinstance(c, list) and c[:2] == ["bash", "-c"]]
assert len(scripts) == 1, "expected one 'bash -c' entry in runcmd"
print(scripts[0], end="")
PY
if ! grep -q '^SB_URL=' "$WORK/runcmd.sh" || ! grep -q '^SB_DEB=' "$WORK/runcmd.sh"; then
  fail "the runcmd script sets no SB_URL= / SB_DEB= line"
fi
mkdir "$WORK/published"
cp "$INSTALLER/install.sh" "$WORK/published/install.sh"
cp "$deb" "$WORK/published/"
sed -i -e "s#^SB_URL=.*#SB_URL=file://$WORK/published#" -e "s#^SB_DEB=.*#SB_DEB=$(basename "$deb")#" "$WORK/runcmd.sh"

export SANDBOX_SYSTEMD=1
reset_systemctl_calls
run sandbox_run bash -c "$(cat "$WORK/runcmd.sh")"
[[ $RC -eq 0 ]] || fail "the cloud-config's script failed (exit $RC): $OUT"
note "script: $(grep -c . <<<"$OUT") lines of output, exit 0"
run sandbox_run dpkg-query -W -f="\${Status} \${Version}" swarm-bootstrap
[[ $OUT == "install ok installed "* ]] || fail "the package is not installed: $OUT"
config=$WORK/sandbox/etc/up/swarm-bootstrap/config.json
assert_mode "$config" 600
args_line=$(grep -E '^ *args=\(' "$WORK/runcmd.sh")
args=()
eval "$args_line"
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --managers) grep -qF "\"${args[i + 1]}\"" "$config" || fail "config.json lacks manager ${args[i + 1]}: $(cat "$config")" ;;
    --label) grep -qF "\"${args[i + 1]%%=*}\": \"${args[i + 1]#*=}\"" "$config" ||
      fail "config.json lacks label ${args[i + 1]}: $(cat "$config")" ;;
  esac
done
run sandbox_run systemctl is-enabled "$unit"
assert_eq "$OUT" enabled "is-enabled after the script"
calls=$(systemctl_calls)
assert_contains "$calls" "start $unit" "the script's systemctl calls (install.sh waits for the start job)"
left=$(find "$WORK/sandbox/var/up/tmp" -maxdepth 1 -name 'swarm-bootstrap.*' 2>/dev/null || true)
[[ -z $left ]] || fail "the script left its scratch directory: $left"
note "installed $(basename "$deb") through install.sh --deb; config.json (0600): $(tr -d '\n' <"$config"); enabled and started"
run sandbox_run dpkg --purge swarm-bootstrap
[[ $RC -eq 0 ]] || fail "dpkg --purge after the script failed (exit $RC): $OUT"
test_pass
