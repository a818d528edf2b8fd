# lib.sh: helpers for the systemd tests (sourced, never run). The agent runs as a real systemd unit: a minimal
# Debian root (nspawn_root.sh, cached) boots with systemd as PID 1 under systemd-nspawn, on a lab node's
# network namespace and with that node's engine socket as /var/run/docker.sock, so the node inside is a lab
# node and the swarm is the lab's real one. Each test_<case>.sh does:
#
#   source "$(dirname "$0")/lib.sh"
#   sd_begin <case>            # integration lib's test_begin (root, lab reset) + nspawn checks; exit 77 when
#                              # this machine cannot boot a container, with the reason
#   ct_boot 2                  # boot a container on lab node 2 (volatile: the cached root stays clean)
#   ct systemctl ...           # a command inside it (nsenter into all its namespaces)
#   ct_install_sh ...          # installer-linux/install.sh --deb <the package> ... inside
#   test_pass
#
# Inside, /sb (read-only) holds installer-linux/ and the .deb (deb/) and the test's own files (in/):
# nspawn mounts a tmpfs over /tmp, so files come in by --bind-ro. Environment: SB_BIN (CTest), SB_BUILD_DIR
# (for the .deb made by setup.sh), the lab's SB_LAB_* variables.
# shellcheck shell=bash

SB_SD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/lib.sh
source "$SB_SD_DIR/../integration/lib.sh"
SB_SOURCE_DIR=${SB_SOURCE_DIR:-$(cd "$SB_SD_DIR/../.." && pwd)}
SB_BUILD_DIR=${SB_BUILD_DIR:-$(dirname "$(dirname "${SB_BIN:-/nonexistent/x/y}")")}
SD_DEB_DIR=$SB_BUILD_DIR/systemd-test/deb
CT_PID1=
CT_NSPAWN_PID=
CT_LOG=
CT_NODE=
CT_WORK=
CT_IN=
CT_CGROUP=()

# nspawn/systemd's own limits of this machine, as the reason for a skip.
sd_need() {
  command -v systemd-nspawn >/dev/null || skip "systemd-nspawn not found (apt-get install systemd-container)"
  command -v nsenter >/dev/null || skip "nsenter not found (apt-get install util-linux)"
  command -v zstd >/dev/null || skip "zstd not found (apt-get install zstd)"
  command -v setsid >/dev/null || skip "setsid not found (apt-get install util-linux)"
  [[ -d /sys/fs/cgroup ]] || skip "no /sys/fs/cgroup: systemd cannot run as PID 1 in a container here"
}

sd_begin() {
  test_begin "$1"
  sd_need
  SD_ROOT_TAR=$(cat "$SB_BUILD_DIR/systemd-test/root-tarball" 2>/dev/null || true)
  [[ -f $SD_ROOT_TAR ]] || fail "no container root (the systemd.setup test makes it: ctest -R systemd.setup)"
  SD_DEB=$(find "$SD_DEB_DIR" -maxdepth 1 -name 'swarm-bootstrap_*.deb' 2>/dev/null | head -1)
  [[ -f $SD_DEB ]] || fail "no package in $SD_DEB_DIR (the systemd.setup test builds it with cpack)"
  CT_WORK=$SB_LAB_DIR/nspawn/$TEST_NAME
  ct_destroy_work
  # What the container sees under /sb (read-only): the package, the installer scripts, and in/ for the test's
  # own files ($CT_IN here; written on the host, seen at once inside).
  CT_IN=$CT_WORK/sb/in
  mkdir -p "$CT_IN" "$CT_WORK/sb/deb" "$CT_WORK/sb/installer-linux"
  cp "$SD_DEB" "$CT_WORK/sb/deb/"
  cp "$SB_SOURCE_DIR"/installer-linux/*.sh "$CT_WORK/sb/installer-linux/"
  SD_DEB_IN=/sb/deb/$(basename "$SD_DEB")
  at_exit ct_dump_on_failure
  at_exit ct_shutdown
  at_exit ct_destroy_work
}

ct_destroy_work() {
  [[ -n $CT_WORK && -d $CT_WORK ]] || return 0
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done < <(awk -v w="$CT_WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts)
  rm -rf --one-file-system "$CT_WORK"
}

# ct_root_dir NAME: a root of its own, kept between boots (a VM's disk): an overlay of the shared unpacked root
# with the upper directory $CT_WORK/NAME.upper, mounted at $CT_WORK/NAME (no copy). Prints its path.
ct_root_dir() {
  local dir=$CT_WORK/$1 lower
  if ! mountpoint -q "$dir"; then
    lower=$(ct_shared_root)
    mkdir -p "$dir" "$dir.upper" "$dir.work"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir.upper,workdir=$dir.work" "$dir" ||
      fail "cannot mount an overlay for the root $1 (overlayfs)"
  fi
  echo "$dir"
}

# ct_shared_root: one unpacked root per lab for the volatile boots (they never write to it). Prints its path.
ct_shared_root() {
  local dir
  dir=$SB_LAB_DIR/nspawn/$(basename "$SD_ROOT_TAR" .tar.zst)
  if [[ ! -f $dir.complete ]]; then
    rm -rf --one-file-system "$dir"
    mkdir -p "$dir"
    zstd -dc "$SD_ROOT_TAR" | tar -C "$dir" --numeric-owner -xf - || fail "cannot unpack $SD_ROOT_TAR"
    touch "$dir.complete"
  fi
  echo "$dir"
}

# ct_boot NODE [persistent-root-name]: boots a container on lab node NODE and waits until systemd says the
# system is up. Without a name the root is the shared unpacked one under --volatile=overlay (writes go to a
# tmpfs and vanish at power-off); with a name it is $CT_WORK/NAME, kept between boots (a VM's disk).
ct_boot() {
  local node=$1 persistent=${2:-} root args t0
  CT_NODE=$node
  t0=$(now_ms)
  args=(--quiet --boot --register=no --keep-unit --console=passive
    --machine="$(lab host "$node")"
    --network-namespace-path="/run/netns/$(lab ns "$node")"
    --bind="$(lab_sock "$node"):/var/run/docker.sock"
    --bind-ro="$CT_WORK/sb:/sb")
  if [[ -n $persistent ]]; then
    root=$(ct_root_dir "$persistent")
  else
    root=$(ct_shared_root)
    args+=(--volatile=overlay)
  fi
  CT_LOG=$CT_WORK/nspawn.$(date +%s%3N).log
  AGENT_LOGS+=("$CT_LOG")
  ct_cgroup_dirs # before nspawn makes its subgroups
  setsid systemd-nspawn "${args[@]}" --directory="$root" </dev/null >"$CT_LOG" 2>&1 &
  CT_NSPAWN_PID=$!
  # PID 1 of the container is nspawn's child running systemd.
  local deadline=$(($(now_ms) + 20000)) child
  CT_PID1=
  while (($(now_ms) < deadline)); do
    for child in $(<"/proc/$CT_NSPAWN_PID/task/$CT_NSPAWN_PID/children"); do
      if [[ $(cat "/proc/$child/comm" 2>/dev/null) == systemd ]]; then
        CT_PID1=$child
      fi
    done
    [[ -n $CT_PID1 ]] && break
    pid_running "$CT_NSPAWN_PID" || break
    sleep 0.05
  done
  if [[ -z $CT_PID1 ]]; then
    cat "$CT_LOG" >&2
    fail "systemd-nspawn did not start systemd in the container (its output above)"
  fi
  # Until systemd listens on its private socket, systemctl fails at once rather than waiting.
  local state=
  deadline=$(($(now_ms) + 60000))
  while (($(now_ms) < deadline)); do
    state=$(timeout 60 nsenter -t "$CT_PID1" -a systemctl is-system-running --wait 2>/dev/null) || true
    case $state in
      running | degraded | maintenance | stopping) break ;;
    esac
    pid_running "$CT_NSPAWN_PID" || break
    sleep 0.1
  done
  case $state in
    running | degraded) ;;
    *) cat "$CT_LOG" >&2; fail "the container's systemd did not come up (is-system-running: '$state')" ;;
  esac
  if [[ $state == degraded ]]; then
    note "container system is degraded; failed units: $(ct systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"
  fi
  note "booted a container on node $node (systemd pid $CT_PID1, $state) in $(elapsed_s "$t0") s${persistent:+ from root $persistent}"
}

# ct CMD...: runs CMD inside the booted container as root, with a clean environment.
ct() {
  nsenter -t "$CT_PID1" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@"
}

# On a failure (on_exit's $rc), the unit's journal, for the reader of the test's output.
ct_dump_on_failure() {
  [[ ${rc:-0} != 0 && ${rc:-0} != 77 && -n $CT_PID1 ]] || return 0
  echo "---- the container's journal of swarm-bootstrap.service (last 40 lines)" >&2
  ct journalctl -u swarm-bootstrap.service --no-pager -o short-precise 2>&1 | tail -n 40 |
    sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted by test>/g' >&2
}

# ct_shutdown: powers the container off (systemd's own shutdown), kills it after 20 s, and removes the empty
# cgroups nspawn leaves behind where no host systemd cleans up.
ct_shutdown() {
  [[ -n $CT_NSPAWN_PID ]] || return 0
  local t0 deadline
  t0=$(now_ms)
  if pid_running "$CT_NSPAWN_PID"; then
    kill -RTMIN+4 "$CT_PID1" 2>/dev/null || true # systemd: poweroff
    deadline=$(($(now_ms) + 20000))
    while pid_running "$CT_NSPAWN_PID" && (($(now_ms) < deadline)); do
      sleep 0.1
    done
    if pid_running "$CT_NSPAWN_PID"; then
      note "container did not power off in 20 s: killing it"
      kill -KILL "$CT_NSPAWN_PID" 2>/dev/null || true
    fi
  fi
  wait "$CT_NSPAWN_PID" 2>/dev/null || true
  ct_remove_cgroups
  note "container powered off in $(elapsed_s "$t0") s"
  CT_NSPAWN_PID=
  CT_PID1=
}

# With --keep-unit and no host systemd, nspawn puts itself into <its cgroup>/supervisor and the container
# into <its cgroup>/payload, in the systemd hierarchies (cgroup v2, and name=systemd on a hybrid machine),
# and nobody removes them. ct_cgroup_dirs records where they will be (from this shell's own cgroups).
ct_cgroup_dirs() {
  local line path m
  CT_CGROUP=()
  while IFS= read -r line; do
    path=${line#*:*:}
    case $line in
      0::*)
        for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
          if [[ $(stat -f -c %T "$m" 2>/dev/null) == cgroup2fs ]]; then
            CT_CGROUP+=("$m${path%/}")
          fi
        done
        ;;
      *:name=systemd:*) CT_CGROUP+=("/sys/fs/cgroup/systemd${path%/}") ;;
    esac
  done </proc/self/cgroup
}

ct_remove_cgroups() {
  local base sub
  for base in "${CT_CGROUP[@]}"; do
    for sub in payload supervisor; do
      [[ -d $base/$sub ]] || continue
      # Deepest first; only empty ones go (rmdir fails on a cgroup with processes).
      find "$base/$sub" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [[ ! -d $base/$sub ]] || note "cgroup $base/$sub is not empty: left in place"
    done
  done
}

# wait_for TIMEOUT_S WHAT EXPRESSION: wait_until for a shell expression, evaluated anew at every poll
# (command substitutions in it included), e.g. wait_for 30 "a restart" '(( $(unit_prop NRestarts) >= 1 ))'.
wait_for() {
  local timeout=$1 what=$2
  shift 2
  wait_until "$timeout" "$what" eval "$*"
}

# Properties of the unit inside.
unit_prop() { ct systemctl show -p "$1" --value swarm-bootstrap.service; }

# The node of this container as the manager MANAGER sees it: its id, by hostname, ready ones first.
# The container's node id, when the manager lists it Ready. By the engine's own id, not by host name: a join
# cut short by a restart may leave a second entry with the same name.
ct_node_id_on() { # MANAGER
  local id
  id=$(local_node_id "$CT_NODE")
  [[ -n $id ]] && is_ready_on "$1" "$id" && echo "$id"
  return 0
}

ready_and_labelled() { # MANAGER KEY VALUE
  local id
  id=$(ct_node_id_on "$1")
  [[ -n $id ]] && is_ready_on "$1" "$id" && [[ $(node_label "$1" "$id" "$2") == "$3" ]]
}

# The agent's own journal lines (not systemd's about the unit), as JSON, one object per line.
ct_agent_journal_json() {
  ct journalctl -u swarm-bootstrap.service SYSLOG_IDENTIFIER=swarm-bootstrap -o json --no-pager
}

# No join token anywhere in the container's journal, whatever the field.
assert_no_token_in_journal() {
  if ct journalctl -o export --no-pager | grep -aq 'SWMTKN-1-'; then
    ct journalctl -o export --no-pager | grep -a 'SWMTKN-1-' | sed 's/SWMTKN-1-[A-Za-z0-9-]*/SWMTKN-1-<redacted by test>/g' | head -3 >&2
    fail "a join token (SWMTKN-1-...) is in the container's journal"
  fi
}

# ct_install_package: the .deb through apt, without a configuration (so the unit is not started).
ct_install_package() {
  ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$SD_DEB_IN" \
    >"$CT_WORK/apt-install.log" 2>&1 || { cat "$CT_WORK/apt-install.log" >&2; fail "apt-get install of the package failed"; }
}

# ct_write_config JSON: /etc/swarm-bootstrap/config.json inside (0600), from the test's in/ directory.
ct_write_config() {
  printf '%s\n' "$1" >"$CT_IN/config.json"
  ct sh -c 'mkdir -p -m 0700 /etc/swarm-bootstrap && install -m 0600 /sb/in/config.json /etc/swarm-bootstrap/config.json'
}

# ct_install_sh ARGS...: installer-linux/install.sh --deb <package> ARGS... inside; sets INSTALL_RC, INSTALL_LOG.
# shellcheck disable=SC2034 # for the tests
ct_install_sh() {
  INSTALL_LOG=$CT_WORK/install.$(now_ms).log
  AGENT_LOGS+=("$INSTALL_LOG")
  INSTALL_RC=0
  ct bash /sb/installer-linux/install.sh --deb "$SD_DEB_IN" "$@" >"$INSTALL_LOG" 2>&1 || INSTALL_RC=$?
}

# journal_count FILTER_PYTHON_EXPR: number of the agent's journal lines (JSON objects `e`) for which the
# expression is true, e.g. 'e["PRIORITY"] == "3"'.
journal_count() {
  ct_agent_journal_json | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    e = json.loads(line)
    if '"$1"':
        n += 1
print(n)'
}
