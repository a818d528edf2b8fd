#!/usr/bin/env bash
# `swarm-bootstrap service install --root DIR` writes and enables the unit offline (systemctl --root) and
# the configuration from its options (mode 0600); `service uninstall --root DIR` takes them away again;
# --dry-run changes nothing.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin service_root
need_tool systemctl systemd

root=$WORK/root
mkdir -p "$root"
unit=$root/etc/systemd/system/swarm-bootstrap.service

run "$SB_BIN" service install --root "$root" --dry-run --manager 10.0.0.5
[[ $RC -eq 0 ]] || fail "service install --dry-run failed (exit $RC): $OUT"
[[ -z $(find "$root" -mindepth 1) ]] || fail "--dry-run wrote: $(find "$root" -mindepth 1)"

run "$SB_BIN" service install --root "$root" --manager 10.0.0.5 --manager 10.0.0.6 --label zone=west --role worker
[[ $RC -eq 0 ]] || fail "service install --root failed (exit $RC): $OUT"
assert_mode "$unit" 644
assert_mode "$root/etc/swarm-bootstrap/config.json" 600
state=$(systemctl --root="$root" is-enabled swarm-bootstrap) || true
assert_eq "$state" enabled "systemctl --root=DIR is-enabled swarm-bootstrap"
note "service install --root: $state"
# The configuration holds what was given, as the agent reads it back.
config=$(tr -d ' \n' <"$root/etc/swarm-bootstrap/config.json")
[[ $config == *'"managers":["10.0.0.5","10.0.0.6"]'* && $config == *'"labels":{"zone":"west"}'* &&
  $config == *'"role":"worker"'* ]] || fail "unexpected configuration: $config"

# Again: the same result (a reinstall is harmless).
run "$SB_BIN" service install --root "$root"
[[ $RC -eq 0 ]] || fail "a second service install failed (exit $RC): $OUT"

run "$SB_BIN" service uninstall --root "$root" --dry-run
[[ $RC -eq 0 && -f $unit ]] || fail "service uninstall --dry-run removed the unit or failed (exit $RC): $OUT"

run "$SB_BIN" service uninstall --root "$root"
[[ $RC -eq 0 ]] || fail "service uninstall --root failed (exit $RC): $OUT"
assert_absent "$unit"
assert_absent "$root/etc/systemd/system/multi-user.target.wants/swarm-bootstrap.service"
assert_exists "$root/etc/swarm-bootstrap/config.json" # the configuration is the installer's to purge
state=$(systemctl --root="$root" is-enabled swarm-bootstrap 2>&1) || true
note "after service uninstall --root: is-enabled says '$state'"

# Nothing installed: uninstall is a no-op that succeeds.
run "$SB_BIN" service uninstall --root "$root"
[[ $RC -eq 0 ]] || fail "service uninstall of nothing failed (exit $RC): $OUT"

# A bad option value is a usage error (exit 2), and writes nothing.
root2=$WORK/root2
mkdir -p "$root2"
run "$SB_BIN" service install --root "$root2" --label novalue
assert_eq "$RC" 2 "exit code of service install --label novalue"
assert_absent "$root2/etc/systemd/system/swarm-bootstrap.service"
test_pass
