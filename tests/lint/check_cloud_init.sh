#!/usr/bin/env bash
# installer-linux/cloud-init.yaml is a valid #cloud-config and does what it says:
#   1. `cloud-init schema --config-file` accepts it;
#   2. every top-level key is one cloud-init knows (the schema lets unknown keys through, so a typo such as
#      `runcmds:` would otherwise pass and do nothing);
#   3. its runcmd script passes shellcheck;
#   4. install.sh accepts the script's arguments and the agent accepts the configuration they make: the script's
#      `args=(...)` run through `install.sh --root <scratch> --binary $SB_BIN` (nothing is started), and the
#      written config.json holds its managers and labels.
# Exit 77, a skip, without cloud-init (Debian package cloud-init). Usage: check_cloud_init.sh SOURCE_DIR
# (SB_BIN: the built swarm-bootstrap, for step 4).
set -euo pipefail
src=$1
yaml=$src/installer-linux/cloud-init.yaml
command -v cloud-init >/dev/null || { echo "SKIP: cloud-init is not installed (apt-get install cloud-init)"; exit 77; }
# cloud-init's own Python, not whichever python3 is first on PATH.
py=$(sed -n '1s/^#! *//p' "$(command -v cloud-init)")
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
work=$(mktemp -d /tmp/sb-lint-cloud-init.XXXXXX)
trap 'rm -rf "$work"' EXIT

out=$(cloud-init schema --config-file "$yaml" 2>&1) || fail "cloud-init schema: $out"
echo "$out"

# Prints the unknown top-level keys, then writes each runcmd entry that runs `bash -c SCRIPT` to work/runcmd-N.sh.
unknown=$("$py" - "$yaml" "$work" <<'EOF'
import sys, yaml
from cloudinit.config.schema import get_schema
schema = get_schema()
known = set()
for part in schema["allOf"]:
    ref = part.get("$ref", "")
    known |= set(schema["$defs"].get(ref.rsplit("/", 1)[-1], part).get("properties", {}))
with open(sys.argv[1]) as f:
    config = yaml.safe_load(f)
print(" ".join(sorted(set(config) - known)))
for n, cmd in enumerate(config.get("runcmd", [])):
    if isinstance(cmd, list) and cmd[:2] == ["bash", "-c"]:
        with open(f"{sys.argv[2]}/runcmd-{n}.sh", "w") as out:
            out.write("#!/usr/bin/env bash\n" + cmd[2])
EOF
)
[[ -z $unknown ]] || fail "top-level keys cloud-init does not know: $unknown"
echo "ok - every top-level key is a cloud-init key"

scripts=("$work"/runcmd-*.sh)
[[ -f ${scripts[0]} ]] || fail "no 'bash -c' entry in runcmd"
if command -v shellcheck >/dev/null; then
  shellcheck -s bash "${scripts[@]}" || fail "the runcmd script is not shellcheck-clean"
  echo "ok - runcmd script passes shellcheck"
else
  echo "note: shellcheck is not installed; the runcmd script is not checked"
fi

if [[ -n ${SB_BIN:-} && -x $SB_BIN ]]; then
  args_line=$(grep -h -E '^ *args=\(' "${scripts[@]}") || fail "no args=(...) line in the runcmd script"
  args=()
  eval "$args_line"
  mkdir "$work/root"
  out=$(bash "$src/installer-linux/install.sh" --root "$work/root" --binary "$SB_BIN" "${args[@]}" 2>&1) ||
    fail "install.sh rejects the cloud-config's arguments (${args[*]}): $out"
  config=$work/root/etc/swarm-bootstrap/config.json
  [[ -f $config ]] || fail "install.sh wrote no $config"
  for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
      --managers) grep -qF "\"${args[i + 1]}\"" "$config" || fail "config.json lacks manager ${args[i + 1]}" ;;
      --label) grep -qF "\"${args[i + 1]%%=*}\": \"${args[i + 1]#*=}\"" "$config" ||
        grep -qF "\"${args[i + 1]%%=*}\":\"${args[i + 1]#*=}\"" "$config" ||
        fail "config.json lacks label ${args[i + 1]}: $(cat "$config")" ;;
    esac
  done
  echo "ok - install.sh --root accepts: ${args[*]}; config.json: $(tr -d '\n' <"$config")"
else
  echo "note: SB_BIN is not set; install.sh is not run with the cloud-config's arguments"
fi
echo "ok - installer-linux/cloud-init.yaml"
