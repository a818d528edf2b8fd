#!/usr/bin/env bash
# Installs swarm-bootstrap on a Linux machine, for a VM custom-script extension or by hand:
# the binary (/usr/bin/swarm-bootstrap), its configuration (/etc/swarm-bootstrap/config.json, mode 0600)
# and the systemd unit, which it enables and starts. Without systemd it runs a one-shot `join` instead.
#
# Usage: install.sh --managers 10.0.0.5,10.0.0.6 [--role worker|manager] [--label KEY=VALUE]...
#                   [--token-file FILE] [--binary PATH | --deb PATH] [--version V]
#                   [--root DIR] [--no-start] [--wait-timeout SECONDS]
#        install.sh --config FILE [...]
#
#   --managers A,B      managers' Engine API addresses (any form `swarm-bootstrap join --manager` takes);
#   --manager A         the same, one at a time (repeatable)
#   --role R            worker (default) or manager
#   --label KEY=VALUE   a node label (repeatable)
#   --token-file FILE   join with this token instead of asking a manager; copied to
#                       /etc/swarm-bootstrap/join-token (0600), where the sandboxed service can read it
#   --binary PATH       the swarm-bootstrap executable to install (default: ./swarm-bootstrap next to this
#                       script, else the one already in /usr/bin)
#   --deb PATH          install this .deb instead of a bare binary (with apt-get, else dpkg -i)
#   --version V         refuse a binary whose `swarm-bootstrap version` is not V
#   --root DIR          install into DIR (an image or a test directory): no systemctl start, no join
#   --no-start          install and enable, but do not start or join
#   --wait-timeout S    with systemd, wait up to S seconds (default 900) for the node to join; 0: do not wait
#   --config FILE       install this configuration file as it is (any key of the README's "Configuration"),
#                       instead of writing one from --managers, --role, --label and --token-file
#
# Environment (arguments win): SWARM_BOOTSTRAP_MANAGERS, SWARM_BOOTSTRAP_ROLE, SWARM_BOOTSTRAP_LABELS
# (KEY=VALUE,KEY=VALUE), SWARM_BOOTSTRAP_TOKEN_FILE, SWARM_BOOTSTRAP_TOKEN (the token itself: written to the
# token file, never shown), SWARM_BOOTSTRAP_BINARY, SWARM_BOOTSTRAP_DEB, SWARM_BOOTSTRAP_VERSION,
# SWARM_BOOTSTRAP_WAIT_TIMEOUT.
#
# Giving managers, role, labels or a token writes the whole configuration anew; giving none keeps an
# existing one (to update only the binary). The agent checks the configuration before the unit is installed.
#
# Exit codes are the agent's (see the README): 0 joined (or installed with --no-start/--root), 2 usage or
# configuration error, 3 no manager answered in time (with systemd: the service keeps trying), 4 join
# rejected, 5 no local Docker engine, 6 in another swarm, 7 another agent is running; 1 anything else.
set -euo pipefail
export LC_ALL=C

name=swarm-bootstrap
unit=$name.service
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
  local code=$1
  shift
  say "$*"
  exit "$code"
}
usage_error() { die 2 "$*; see the comment at the top of $0 for the options"; }

# --- options -------------------------------------------------------------------------------------------
managers=()
labels=()
role=${SWARM_BOOTSTRAP_ROLE:-}
token_file=${SWARM_BOOTSTRAP_TOKEN_FILE:-}
binary=${SWARM_BOOTSTRAP_BINARY:-}
deb=${SWARM_BOOTSTRAP_DEB:-}
want_version=${SWARM_BOOTSTRAP_VERSION:-}
wait_timeout=${SWARM_BOOTSTRAP_WAIT_TIMEOUT:-900}
root=
start=1
config_file=

split_commas() { # NAME STRING: appends the non-empty comma-separated items of STRING to array NAME
  local -n into=$1
  local item items
  IFS=, read -r -a items <<<"$2"
  for item in "${items[@]}"; do
    [[ -n $item ]] && into+=("$item")
  done
  return 0
}

cli_managers=()
cli_labels=()
need_value() { (($2 >= 2)) || usage_error "$1 needs a value"; }
while (($#)); do
  case $1 in
    --managers) need_value "$1" $#; split_commas cli_managers "$2"; shift 2 ;;
    --managers=*) split_commas cli_managers "${1#*=}"; shift ;;
    --manager) need_value "$1" $#; cli_managers+=("$2"); shift 2 ;;
    --manager=*) cli_managers+=("${1#*=}"); shift ;;
    --role) need_value "$1" $#; role=$2; shift 2 ;;
    --role=*) role=${1#*=}; shift ;;
    --label) need_value "$1" $#; cli_labels+=("$2"); shift 2 ;;
    --label=*) cli_labels+=("${1#*=}"); shift ;;
    --token-file) need_value "$1" $#; token_file=$2; shift 2 ;;
    --token-file=*) token_file=${1#*=}; shift ;;
    --binary) need_value "$1" $#; binary=$2; shift 2 ;;
    --binary=*) binary=${1#*=}; shift ;;
    --deb) need_value "$1" $#; deb=$2; shift 2 ;;
    --deb=*) deb=${1#*=}; shift ;;
    --version) need_value "$1" $#; want_version=$2; shift 2 ;;
    --version=*) want_version=${1#*=}; shift ;;
    --root) need_value "$1" $#; root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    --no-start) start=0; shift ;;
    --wait-timeout) need_value "$1" $#; wait_timeout=$2; shift 2 ;;
    --wait-timeout=*) wait_timeout=${1#*=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --config) need_value "$1" $#; config_file=$2; shift 2 ;;
    --config=*) config_file=${1#*=}; shift ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done

# Arguments win over the environment, list by list.
if ((${#cli_managers[@]})); then
  managers=("${cli_managers[@]}")
elif [[ -n ${SWARM_BOOTSTRAP_MANAGERS:-} ]]; then
  split_commas managers "$SWARM_BOOTSTRAP_MANAGERS"
fi
if ((${#cli_labels[@]})); then
  labels=("${cli_labels[@]}")
elif [[ -n ${SWARM_BOOTSTRAP_LABELS:-} ]]; then
  split_commas labels "$SWARM_BOOTSTRAP_LABELS"
fi

[[ $wait_timeout =~ ^[0-9]+$ ]] || usage_error "--wait-timeout '$wait_timeout' is not a number of seconds"
[[ -z $role || $role == worker || $role == manager ]] || usage_error "--role '$role' is not worker or manager"
[[ -z $binary || -z $deb ]] || usage_error "give --binary or --deb, not both"
# With --root, every path is under $prefix ("" for --root /) and nothing runs on this system.
offline=0
prefix=
if [[ -n $root ]]; then
  [[ -d $root ]] || usage_error "--root '$root' is not a directory"
  root=$(cd "$root" && pwd)
  prefix=${root%/}
  offline=1
  start=0
elif [[ $(id -u) -ne 0 ]]; then
  die 2 "run as root (or use --root DIR to install into a directory)"
fi

config_dir=/etc/swarm-bootstrap
config=$config_dir/config.json
installed_token=$config_dir/join-token
bin_path=/usr/bin/$name

# --- JSON, written without any tool ----------------------------------------------------------------------
json_string() { # STRING: prints it as a JSON string
  local s=$1 out='"' c i code
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      '"') out+='\"' ;;
      \\) out+="\\\\" ;;
      *)
        printf -v code '%d' "'$c"
        if ((code >= 0 && code < 32)) || ((code == 127)); then
          printf -v c '\\u%04x' "$code"
        fi
        out+=$c
        ;;
    esac
  done
  printf '%s"' "$out"
}

json_list() { # ITEM...: prints a JSON array of strings
  local sep='' item
  printf '['
  for item in "$@"; do
    printf '%s%s' "$sep" "$(json_string "$item")"
    sep=', '
  done
  printf ']'
}

# --- the binary ------------------------------------------------------------------------------------------
check_binary() { # PATH: it runs here and is the version asked for
  local out
  out=$("$1" version 2>&1) || die 2 "$1 does not run here ($out); is it built for this machine?"
  if [[ -n $want_version ]]; then
    local got
    got=$(awk 'NR == 1 { print $2 }' <<<"$out")
    [[ $got == "$want_version" ]] || die 2 "$1 is version $got, not $want_version"
  fi
}

install_binary() { # SOURCE: to ROOT/usr/bin, replaced atomically (a running agent keeps its old file)
  local dest=$prefix$bin_path tmp
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.XXXXXX")
  cp "$1" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$dest"
  say "installed $dest"
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [[ -n $deb ]]; then
  [[ -f $deb ]] || usage_error "--deb '$deb' does not exist"
  # Its binary checks the configuration before anything is installed.
  dpkg-deb -x "$deb" "$scratch/deb" || usage_error "--deb '$deb' is not a Debian package"
  validator=$scratch/deb$bin_path
  [[ -x $validator ]] || usage_error "--deb '$deb' has no $bin_path"
elif [[ -z $binary ]]; then
  if [[ -x $here/$name ]]; then
    binary=$here/$name
  elif [[ -x $prefix$bin_path ]]; then
    binary=$prefix$bin_path
  else
    usage_error "no binary: give --binary PATH or --deb PATH, or put $name next to $0"
  fi
fi
if [[ -n $binary ]]; then
  [[ -f $binary && -x $binary ]] || usage_error "--binary '$binary' is not an executable file"
  validator=$binary
fi
check_binary "$validator"

# --- the configuration -----------------------------------------------------------------------------------
# Written to $scratch first and checked by the agent; only a configuration it accepts replaces the old one.
staged=$scratch/config.json
token_to=
[[ -z ${SWARM_BOOTSTRAP_TOKEN:-} && -z $token_file ]] || token_to=$installed_token

generate_config() {
  local label key
  local -A seen=()
  local keys=()
  for label in "${labels[@]}"; do
    key=${label%%=*}
    [[ $label == *=* && -n $key ]] || usage_error "--label '$label' is not KEY=VALUE; write e.g. --label zone=a"
    [[ -n ${seen[$key]+x} ]] || keys+=("$key")
    seen[$key]=${label#*=}
  done
  printf '{\n  "managers": %s' "$(json_list "${managers[@]}")"
  [[ -z $role ]] || printf ',\n  "role": %s' "$(json_string "$role")"
  if ((${#keys[@]})); then
    printf ',\n  "labels": {'
    local sep=''
    for key in "${keys[@]}"; do
      printf '%s%s: %s' "$sep" "$(json_string "$key")" "$(json_string "${seen[$key]}")"
      sep=', '
    done
    printf '}'
  fi
  [[ -z $token_to ]] || printf ',\n  "token_file": %s' "$(json_string "$token_to")"
  printf '\n}\n'
}

install_token() { # to /etc/swarm-bootstrap/join-token (0600), where the sandboxed service can read it
  local dest=$prefix$installed_token
  if [[ -n ${SWARM_BOOTSTRAP_TOKEN:-} ]]; then
    (umask 077 && printf '%s\n' "$SWARM_BOOTSTRAP_TOKEN" >"$dest.tmp")
  elif [[ $(readlink -f "$token_file") != $(readlink -f "$dest" 2>/dev/null || true) ]]; then
    (umask 077 && cp "$token_file" "$dest.tmp")
  else
    return 0 # it is the installed file already
  fi
  chmod 0600 "$dest.tmp"
  mv -f "$dest.tmp" "$dest"
}

configured=0
if ((${#managers[@]} || ${#labels[@]})) || [[ -n $role || -n $token_file || -n ${SWARM_BOOTSTRAP_TOKEN:-} ]]; then
  configured=1
fi
if [[ -n $config_file ]]; then
  ((configured == 0)) || usage_error "--config FILE is the whole configuration: give the other options in it"
  [[ -f $config_file && -r $config_file ]] || usage_error "--config '$config_file' cannot be read"
  cp "$config_file" "$staged"
elif ((configured)); then
  ((${#managers[@]})) || usage_error "no managers: give --managers ADDR[,ADDR...] or SWARM_BOOTSTRAP_MANAGERS"
  [[ -z $token_file || -r $token_file ]] || usage_error "--token-file '$token_file' cannot be read"
  (umask 077 && generate_config >"$staged")
elif [[ -f $prefix$config ]]; then
  say "keeping the existing $prefix$config"
else
  usage_error "no managers: give --managers ADDR[,ADDR...] or SWARM_BOOTSTRAP_MANAGERS"
fi

if [[ -f $staged ]]; then
  mkdir -p "$scratch/check"
  rc=0
  env -u SWARM_BOOTSTRAP_TOKEN "$validator" service install --dry-run --root "$scratch/check" \
    --config "$staged" >"$scratch/check.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    grep -v 'dry run' "$scratch/check.log" >&2 || true
    die "$rc" "the agent does not accept this configuration (exit $rc); nothing was installed"
  fi
  mkdir -p "$prefix$config_dir"
  chmod 0700 "$prefix$config_dir"
  [[ -z $token_to ]] || install_token
  chmod 0600 "$staged"
  tmp=$(umask 077 && mktemp "$prefix$config_dir/config.json.XXXXXX")
  cp "$staged" "$tmp"
  mv -f "$tmp" "$prefix$config"
  say "wrote $prefix$config"
fi

# --- install ---------------------------------------------------------------------------------------------
systemd_running() { ((offline == 0)) && [[ -d /run/systemd/system ]]; }
agent() { env -u SWARM_BOOTSTRAP_TOKEN "$prefix$bin_path" "$@"; }
# Which run of the unit this is: its invocation id, or its queued job; it changes when anything (re)starts it.
unit_run_id() {
  systemd_running || return 0
  echo "$(systemctl show -p InvocationID --value "$unit" 2>/dev/null) $(systemctl list-jobs --no-legend "$unit" 2>/dev/null | awk '{print $1}')"
}

if [[ -n $deb ]]; then
  if ((offline)); then
    dpkg-deb -x "$deb" "$root"
    say "unpacked $deb into $root (maintainer scripts not run)"
  else
    # The configuration exists already, so the package's postinst enables and starts the service. Through
    # apt where there is one, so that missing dependencies come from the machine's own sources.
    deb_abs=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
    before=$(unit_run_id)
    if command -v apt-get >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb_abs" ||
        die 1 "apt-get install $deb failed; see the messages above"
    else
      dpkg -i "$deb_abs" || die 1 "dpkg -i $deb failed; see the messages above"
    fi
  fi
  # The package owns the unit (/lib/systemd/system): enable it; (re)start it to apply a new configuration.
  if ((offline)); then
    systemctl --root="$root" enable "$unit"
  elif systemd_running; then
    systemctl enable "$unit"
    # Not when the postinst has just (re)started it: a second restart would stop that start mid-join.
    if ((start)) && [[ $(unit_run_id) == "$before" ]]; then
      systemctl restart --no-block "$unit"
    fi
  fi
else
  install_binary "$binary"
  if ((offline)) || systemd_running; then
    # The agent reads and checks the configuration (exit 2 when it is wrong), writes and enables the unit.
    install_args=(service install --config "$prefix$config")
    ((offline == 0)) || install_args+=(--root "$root")
    ((start)) || install_args+=(--no-start)
    agent "${install_args[@]}" || die $? "swarm-bootstrap service install failed; see the messages above"
  fi
fi

if ((start == 0)); then
  say "installed; not started (--no-start or --root)"
  exit 0
fi

if ! systemd_running; then
  say "no systemd here: running a one-shot join"
  rc=0
  agent join --config "$config" || rc=$?
  say "swarm-bootstrap join exited with $rc"
  exit "$rc"
fi

if ((wait_timeout == 0)); then
  say "started $unit; not waiting for the join (--wait-timeout 0)"
  exit 0
fi
# The unit reports ready after the first join, so `systemctl start` (which waits for the start job already
# queued) returns once the node is in the swarm, or when the agent has given up.
say "waiting up to ${wait_timeout}s for the node to join (systemctl status $unit; journalctl -u $name -f)"
rc=0
timeout "$wait_timeout" systemctl start "$unit" || rc=$?
if ((rc == 0)); then
  say "the node is in the swarm; $unit keeps it there"
  exit 0
fi
if ((rc == 124)); then
  die 3 "the node did not join within ${wait_timeout}s; $unit keeps trying: journalctl -u $name -f"
fi
code=$(systemctl show -p ExecMainStatus --value "$unit" 2>/dev/null || true)
[[ $code =~ ^[0-9]+$ ]] && ((code != 0)) || code=1
die "$code" "$unit failed (exit $code): journalctl -u $name"
