#!/usr/bin/env bash
# CTest fixtures "lab" and "lab2": setup brings up 4 engines (and clears the previous run's agent logs), cleanup
# takes the lab down. Exits 77 (skip) where the lab cannot run. With SB_IT_LAB=2 it is the second lab
# (lab_select.sh), whose setup first fetches Debian 13's dockerd 26.1 (scripts/fetch-docker-trixie.sh: cached,
# a lookup after the first run) for the tests that switch nodes to it (lib.sh: SB_IT_ENGINES).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab_select.sh"
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
    if [[ ${SB_IT_LAB:-1} == 2 ]]; then
      "$here/../../scripts/fetch-docker-trixie.sh" >/dev/null
    fi
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
