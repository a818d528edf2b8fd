# lib.sh: helpers for the installer tests (sourced, never run). Each test_<name>.sh does:
#
#   source "$(dirname "$0")/lib.sh"
#   test_begin <name>          # checks SB_BIN; makes $WORK (removed at exit)
#   need_root / need_sandbox   # exit 77 with "SKIP: <reason>" when the test cannot run here
#   ...                        # sandbox_run, assert_*, fail
#   test_pass
#
# The sandbox: tests that install into the system (/usr/bin, /etc, dpkg) run in a private mount namespace in
# which /etc, /usr, /var and /run are overlays. Every change lands in $WORK/sandbox/<dir>/up and the machine
# is untouched. With SANDBOX_SYSTEMD=1 the sandbox looks like a machine booted with systemd
# (/run/systemd/system exists) and `systemctl` is tests/installer/fake-systemctl, which records its
# arguments in $WORK/systemctl.log and does enable/disable/is-enabled for real (offline, --root=/).
#
# Environment: SB_BIN (the swarm-bootstrap binary; CTest sets it), SB_SOURCE_DIR, SB_BUILD_DIR.
# shellcheck shell=bash

SB_INST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SB_SOURCE_DIR=${SB_SOURCE_DIR:-$(cd "$SB_INST_DIR/../.." && pwd)}
INSTALLER="$SB_SOURCE_DIR/installer-linux"
UNIT_FILE="$INSTALLER/swarm-bootstrap.service"
TEST_NAME=
WORK=

note() { echo "[$TEST_NAME] $*"; }
fail() {
  echo "[$TEST_NAME] FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit 77
}

test_begin() {
  TEST_NAME=$1
  [[ -n ${SB_BIN:-} && -x $SB_BIN ]] || fail "SB_BIN ('${SB_BIN:-}') is not the built swarm-bootstrap"
  WORK=$(mktemp -d "/tmp/sb-installer-$TEST_NAME.XXXXXX")
  chmod 0755 "$WORK"
  trap 'rm -rf "$WORK"' EXIT
}

test_pass() {
  note "PASS"
  exit 0
}

need_root() {
  [[ $(id -u) -eq 0 ]] || skip "$TEST_NAME needs root (it installs into a sandboxed copy of the system)"
}

need_tool() {
  command -v "$1" >/dev/null || skip "$TEST_NAME needs $1 (apt-get install ${2:-$1})"
}

# The sandbox needs root, unshare and overlayfs; checked once by mounting one.
need_sandbox() {
  need_root
  need_tool unshare util-linux
  local probe=$WORK/probe
  mkdir -p "$probe/up" "$probe/work"
  unshare --mount -- sh -c \
    "mount -t overlay overlay -o lowerdir=/etc,upperdir=$probe/up,workdir=$probe/work /etc" 2>/dev/null ||
    skip "$TEST_NAME needs a private mount namespace with overlayfs (unshare --mount; mount -t overlay)"
  rm -rf "$probe"
}

SANDBOX_DIRS=(etc usr var run)

# sandbox_run CMD...: runs CMD in the sandbox (see the top); its exit code.
sandbox_run() {
  local d
  for d in "${SANDBOX_DIRS[@]}"; do
    mkdir -p "$WORK/sandbox/$d/up" "$WORK/sandbox/$d/work"
  done
  mkdir -p "$WORK/fakebin"
  ln -sf "$SB_INST_DIR/fake-systemctl" "$WORK/fakebin/systemctl"
  # shellcheck disable=SC2016 # expanded by the inner bash
  unshare --mount --propagation private -- bash -c '
    set -e
    work=$1
    shift
    for d in etc usr var run; do
      mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/sandbox/$d/up,workdir=$work/sandbox/$d/work" "/$d"
    done
    # Whatever the machine runs, nothing in here may reach its systemd or D-Bus.
    rm -rf /run/systemd/system /run/systemd/private /run/dbus
    if [[ ${SANDBOX_SYSTEMD:-0} == 1 ]]; then
      mkdir -p /run/systemd/system
      export PATH=$work/fakebin:$PATH FAKE_SYSTEMCTL_LOG=$work/systemctl.log
    fi
    exec "$@"
  ' sandbox "$WORK" "$@"
}

# What the sandboxed commands changed: "<dir>/<path>" for each file, link or new directory in the upper
# layers (overlay whiteouts, i.e. deletions of files the machine has, show up as character devices: listed
# with a trailing " (deleted)"), without the paths matching the extended regex $1.
sandbox_changes() {
  local ignore=${1:-^$} d
  for d in "${SANDBOX_DIRS[@]}"; do
    (
      cd "$WORK/sandbox/$d/up" || exit 0
      find . -mindepth 1 \( -type c -printf "$d/%P (deleted)\n" \) -o \( ! -type d -printf "$d/%P\n" \) \
        -o \( -type d -exec sh -c '[ ! -e "/$1/$2" ] && printf "%s/%s/\n" "$1" "$2"' sh "$d" {} \; \)
    ) | sed 's#/\./#/#' | grep -Ev "$ignore" || true
  done
}

# systemctl calls recorded by fake-systemctl, one per line.
systemctl_calls() { cat "$WORK/systemctl.log" 2>/dev/null || true; }
reset_systemctl_calls() { rm -f "$WORK/systemctl.log"; }

assert_eq() { # ACTUAL EXPECTED WHAT
  [[ $1 == "$2" ]] || fail "$3: expected '$2', got '$1'"
}

assert_mode() { # PATH MODE (octal, e.g. 600)
  [[ -e $1 || -L $1 ]] || fail "$1 does not exist"
  local mode
  mode=$(stat -c %a "$1")
  assert_eq "$mode" "$2" "mode of $1"
}

assert_exists() { [[ -e $1 || -L $1 ]] || fail "$1 does not exist"; }
assert_absent() { [[ ! -e $1 && ! -L $1 ]] || fail "$1 exists, but should not"; }

assert_contains() { # FILE-OR-TEXT-VAR TEXT WHAT: a line of the text equals TEXT
  grep -qxF -- "$2" <<<"$1" || fail "$3: no line '$2' in:
$1"
}
assert_not_contains() {
  ! grep -qxF -- "$2" <<<"$1" || fail "$3: unexpected line '$2' in:
$1"
}

# run CMD...: runs CMD; its exit code in RC, its output (stdout and stderr) in OUT.
export RC=0 OUT=
run() {
  RC=0
  OUT=$("$@" 2>&1) || RC=$?
}

# The repository's unit with ExecStart running PROGRAM and CONFIG instead of the /usr/bin and /etc paths.
unit_with_paths() { # PROGRAM CONFIG
  sed -e "s#^ExecStart=/usr/bin/swarm-bootstrap run --config /etc/swarm-bootstrap/config.json\$#ExecStart=$1 run --config $2#" \
    "$UNIT_FILE"
}
