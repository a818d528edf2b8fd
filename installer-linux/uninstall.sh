#!/usr/bin/env bash
# Removes what install.sh (or the .deb) installed: stops and removes the systemd unit and the binary.
# The configuration and the agent's state stay unless --purge is given.
#
# Usage: uninstall.sh [--purge] [--leave] [--root DIR]
#   --purge      also remove /etc/swarm-bootstrap (configuration, join token) and /var/lib/swarm-bootstrap
#   --leave      first make the node leave the swarm (`swarm-bootstrap leave --remove-node`; a manager is
#                demoted first; a failure is reported, and the removal goes on)
#   --root DIR   remove from DIR (as installed with install.sh --root DIR); nothing runs on this system
#
# Exit codes: 0 removed (or nothing to remove), 1 something could not be removed, 2 usage error.
set -euo pipefail
export LC_ALL=C

name=swarm-bootstrap
unit=$name.service

say() { printf 'uninstall.sh: %s\n' "$*" >&2; }
die() {
  local code=$1
  shift
  say "$*"
  exit "$code"
}

purge=0
leave=0
root=
while (($#)); do
  case $1 in
    --purge) purge=1; shift ;;
    --leave) leave=1; shift ;;
    --root) (($# >= 2)) || die 2 "--root needs a directory"; root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die 2 "unknown option '$1'; see the comment at the top of $0" ;;
  esac
done

offline=0
prefix=
if [[ -n $root ]]; then
  [[ -d $root ]] || die 2 "--root '$root' is not a directory"
  root=$(cd "$root" && pwd)
  prefix=${root%/}
  offline=1
  ((leave == 0)) || die 2 "--leave cannot be combined with --root: the node to leave is this one"
elif [[ $(id -u) -ne 0 ]]; then
  die 2 "run as root (or use --root DIR)"
fi

bin=$prefix/usr/bin/$name
config=/etc/swarm-bootstrap/config.json
systemd_running() { ((offline == 0)) && [[ -d /run/systemd/system ]]; }

if ((leave)); then
  # A running agent holds the one-instance lock (leave would exit 7) and would rejoin the node right after it
  # left: stop it first.
  if systemd_running; then
    systemctl stop "$unit" 2>/dev/null || true
  fi
  if [[ -x $bin ]]; then
    args=(leave --remove-node)
    [[ ! -f $config ]] || args+=(--config "$config")
    "$bin" "${args[@]}" || say "swarm-bootstrap leave failed (exit $?); removing it anyway"
  else
    say "no $bin: cannot leave the swarm; removing the rest"
  fi
fi

rc=0
if ((offline == 0)) && dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed'; then
  # The package's maintainer scripts stop, disable and (with --purge) clean up.
  if ((purge)); then
    dpkg --purge "$name" || rc=1
  else
    dpkg --remove "$name" || rc=1
  fi
else
  if [[ -f $prefix/etc/systemd/system/$unit ]]; then
    if [[ -x $bin ]] && { ((offline)) || systemd_running; }; then
      uninstall_args=(service uninstall)
      ((offline == 0)) || uninstall_args+=(--root "$root")
      "$bin" "${uninstall_args[@]}" || rc=1
    else
      # No agent to do it (or no systemd running): remove the unit and its links directly.
      if command -v systemctl >/dev/null; then
        systemctl --root="${root:-/}" disable "$unit" || true
      fi
      rm -f "$prefix/etc/systemd/system/$unit" "$prefix/etc/systemd/system/multi-user.target.wants/$unit"
      say "removed $prefix/etc/systemd/system/$unit"
    fi
  else
    say "no $prefix/etc/systemd/system/$unit: no unit to remove"
  fi
  if [[ -e $bin ]]; then
    rm -f "$bin" || rc=1
    say "removed $bin"
  fi
  if ((purge)); then
    rm -rf "$prefix/etc/swarm-bootstrap" "$prefix/var/lib/swarm-bootstrap" "$prefix/run/swarm-bootstrap" ||
      rc=1
    rm -f "$prefix/run/swarm-bootstrap.lock"
    say "removed the configuration and state"
  fi
fi

((rc == 0)) || die 1 "some parts could not be removed; see the messages above"
say "done"
