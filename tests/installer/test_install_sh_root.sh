#!/usr/bin/env bash
# installer-linux/install.sh --root DIR: the binary (0755), the configuration (0600, in a 0700 directory,
# valid JSON with what was given, from arguments or environment), the join token copy (0600), the unit,
# enabled. Wrong input exits 2 and installs nothing. uninstall.sh --root [--purge] reverses it.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin install_sh_root
need_tool systemctl systemd

install_sh=$INSTALLER/install.sh
uninstall_sh=$INSTALLER/uninstall.sh
root=$WORK/root
mkdir -p "$root"
printf 'SWMTKN-1-%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$WORK/token"

run "$install_sh" --root "$root" --binary "$SB_BIN" --managers '10.0.0.5,10.0.0.6+2' --manager dns.example \
  --role worker --label zone=west --label 'note=say "hi" back\slash' --token-file "$WORK/token"
[[ $RC -eq 0 ]] || fail "install.sh --root failed (exit $RC): $OUT"
grep -q SWMTKN <<<"$OUT" && fail "install.sh printed the join token: $OUT"

assert_mode "$root/usr/bin/swarm-bootstrap" 755
assert_mode "$root/etc/swarm-bootstrap" 700
assert_mode "$root/etc/swarm-bootstrap/config.json" 600
assert_mode "$root/etc/swarm-bootstrap/join-token" 600
assert_mode "$root/etc/systemd/system/swarm-bootstrap.service" 644
cmp -s "$WORK/token" "$root/etc/swarm-bootstrap/join-token" || fail "the token copy differs"
"$root/usr/bin/swarm-bootstrap" version >/dev/null || fail "the installed binary does not run"
state=$(systemctl --root="$root" is-enabled swarm-bootstrap) || true
assert_eq "$state" enabled "is-enabled after install.sh --root"
diff -u "$UNIT_FILE" "$root/etc/systemd/system/swarm-bootstrap.service" ||
  fail "install.sh --root installed another unit than installer-linux/swarm-bootstrap.service"

expected='{
  "managers": ["10.0.0.5", "10.0.0.6+2", "dns.example"],
  "role": "worker",
  "labels": {"zone": "west", "note": "say \"hi\" back\\slash"},
  "token_file": "/etc/swarm-bootstrap/join-token"
}'
assert_eq "$(cat "$root/etc/swarm-bootstrap/config.json")" "$expected" "config.json"
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$root/etc/swarm-bootstrap/config.json" ||
    fail "config.json is not valid JSON"
fi
note "files and modes as expected; config.json is what was given"

# From the environment, as a VM extension passes it; arguments would win.
root_env=$WORK/root-env
mkdir -p "$root_env"
run env SWARM_BOOTSTRAP_MANAGERS=10.1.0.5,10.1.0.6 SWARM_BOOTSTRAP_LABELS=a=1,b=2 SWARM_BOOTSTRAP_ROLE=manager \
  SWARM_BOOTSTRAP_TOKEN=SWMTKN-1-fromenv "$install_sh" --root "$root_env" --binary "$SB_BIN"
[[ $RC -eq 0 ]] || fail "install.sh with environment failed (exit $RC): $OUT"
grep -q SWMTKN <<<"$OUT" && fail "install.sh printed the join token: $OUT"
expected='{
  "managers": ["10.1.0.5", "10.1.0.6"],
  "role": "manager",
  "labels": {"a": "1", "b": "2"},
  "token_file": "/etc/swarm-bootstrap/join-token"
}'
assert_eq "$(cat "$root_env/etc/swarm-bootstrap/config.json")" "$expected" "config.json from the environment"
assert_eq "$(cat "$root_env/etc/swarm-bootstrap/join-token")" SWMTKN-1-fromenv "token from the environment"
assert_mode "$root_env/etc/swarm-bootstrap/join-token" 600

# Again without configuration options: the binary is replaced, the configuration kept.
before=$(cat "$root/etc/swarm-bootstrap/config.json")
run "$install_sh" --root "$root" --binary "$SB_BIN"
[[ $RC -eq 0 ]] || fail "install.sh without options failed (exit $RC): $OUT"
assert_eq "$(cat "$root/etc/swarm-bootstrap/config.json")" "$before" "configuration kept"

# A whole configuration file (the packaged example).
root_cfg=$WORK/root-cfg
mkdir -p "$root_cfg"
run "$install_sh" --root "$root_cfg" --binary "$SB_BIN" --config "$INSTALLER/config.example.json"
[[ $RC -eq 0 ]] || fail "install.sh --config config.example.json failed (exit $RC): $OUT"
cmp -s "$INSTALLER/config.example.json" "$root_cfg/etc/swarm-bootstrap/config.json" || fail "--config not copied"
assert_mode "$root_cfg/etc/swarm-bootstrap/config.json" 600

# Wrong input: exit 2, a message, nothing installed.
bad() { # WHAT ARGS...
  local what=$1 dir
  shift
  dir=$(mktemp -d "$WORK/bad.XXXXXX")
  run "$install_sh" --root "$dir" --binary "$SB_BIN" "$@"
  assert_eq "$RC" 2 "exit code for $what"
  [[ -n $OUT ]] || fail "no message for $what"
  left=$(find "$dir" -mindepth 1)
  [[ -z $left ]] || fail "install.sh wrote files for $what: $left"
  note "$what: exit 2: $(tail -1 <<<"$OUT")"
}
bad "no managers" --role worker
bad "a label without =" --managers 10.0.0.5 --label zone
bad "an unknown role" --managers 10.0.0.5 --role boss
bad "an unknown option" --managers 10.0.0.5 --frobnicate
bad "a missing token file" --managers 10.0.0.5 --token-file "$WORK/nonexistent"
bad "a wrong version" --managers 10.0.0.5 --version 99.99.99
printf '{"managers": ["10.0.0.5"], "no_such_key": 1}\n' >"$WORK/bad.json"
bad "a configuration the agent rejects" --config "$WORK/bad.json"
bad "a manager the agent rejects" --managers 'not a manager!'
bad "a label key the agent rejects" --managers 10.0.0.5 --label 'two words=x'

# A rejected configuration leaves the installed one alone.
before=$(cat "$root/etc/swarm-bootstrap/config.json")
run "$install_sh" --root "$root" --binary "$SB_BIN" --managers 'not a manager!'
assert_eq "$RC" 2 "exit code for a rejected configuration over a good one"
assert_eq "$(cat "$root/etc/swarm-bootstrap/config.json")" "$before" "configuration after a rejected one"

# uninstall.sh --root: unit and binary go, the configuration stays; --purge takes the rest.
run "$uninstall_sh" --root "$root"
[[ $RC -eq 0 ]] || fail "uninstall.sh --root failed (exit $RC): $OUT"
assert_absent "$root/usr/bin/swarm-bootstrap"
assert_absent "$root/etc/systemd/system/swarm-bootstrap.service"
assert_absent "$root/etc/systemd/system/multi-user.target.wants/swarm-bootstrap.service"
assert_exists "$root/etc/swarm-bootstrap/config.json"
run "$uninstall_sh" --root "$root" --purge
[[ $RC -eq 0 ]] || fail "uninstall.sh --root --purge failed (exit $RC): $OUT"
left=$(find "$root" -mindepth 1 ! -type d)
[[ -z $left ]] || fail "uninstall.sh --purge left: $left"
assert_absent "$root/etc/swarm-bootstrap"
note "uninstall.sh --root, then --purge: nothing left"
test_pass
