#!/usr/bin/env bash
# CTest fixture "lab": setup brings up 4 engines (and clears the previous run's agent logs), cleanup takes the
# lab down. Exits 77 (skip) where the lab cannot run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SB_LAB_DIR=${SB_LAB_DIR:-/tmp/sblab}

skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "the integration lab needs root (network namespaces, dockerd)"
{ command -v ip >/dev/null && ip netns list >/dev/null 2>&1; } || skip "ip netns (iproute2) is not available"
[[ -x /usr/sbin/dockerd ]] || skip "/usr/sbin/dockerd not found (apt-get install docker.io)"
command -v curl >/dev/null || skip "curl not found"

case ${1:-} in
  setup)
    # A fresh lab every run: engines left over from an interrupted run may hold any state.
    bash "$here/lab.sh" down
    bash "$here/lab.sh" up "${SB_LAB_NODES:-4}"
    ;;
  cleanup)
    bash "$here/lab.sh" down
    ;;
  *)
    echo "usage: fixture.sh setup|cleanup" >&2
    exit 2
    ;;
esac
