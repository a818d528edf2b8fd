#!/usr/bin/env bash
# The program help2man reads to write swarm-bootstrap(8): it answers --help with the --help of the binary and of
# every subcommand, in the layout help2man turns into a man page, and --version with "swarm-bootstrap VERSION".
# So the man page is made from the binary at build time and cannot drift from it (cmake/packaging.cmake).
#
#   Usage line of each command      -> SYNOPSIS
#   options that every command taking a configuration shares -> OPTIONS
#   each command, its description and its own options        -> COMMANDS, one subsection each
#
# Environment: SB_BIN, the built swarm-bootstrap.
set -euo pipefail
bin=${SB_BIN:?SB_BIN must name the swarm-bootstrap binary}

if [[ ${1:-} == --version ]]; then
  "$bin" version | sed -n '1s/^\(swarm-bootstrap [^ ]*\).*/\1/p'
  exit 0
fi
[[ ${1:-} == --help ]] || {
  echo "usage: SB_BIN=... $0 --help|--version" >&2
  exit 2
}

# section_of HELP NAME: the lines of section "NAME:" of a CLI11 help text, up to the next blank line.
section_of() { awk -v s="$2:" '$0 == s { on = 1; next } on && /^$/ { exit } on' <<<"$1"; }
# names of the subcommands listed in HELP
subcommands_of() { section_of "$1" Subcommands | awk '{ print $1 }'; }
# the option lines of HELP, under "Options:" or any option group's heading
options_of() { awk '/^Subcommands:$/ { skip = 1; next } /^$/ { skip = 0 } !skip && /^ +-/' <<<"$1"; }

# Every leaf command ("join", "service install", ...), depth first, and its help text.
commands=()
declare -A help_of
walk() { # PREFIX...
  local text sub
  text=$("$bin" "$@" --help)
  if grep -qx 'Subcommands:' <<<"$text"; then
    for sub in $(subcommands_of "$text"); do
      walk "$@" "$sub"
    done
  else
    commands+=("$*")
    help_of["$*"]=$text
  fi
}
top=$("$bin" --help)
for sub in $(subcommands_of "$top"); do
  walk "$sub"
done

# The options shared by every command that takes --config (the configuration keys and --help).
declare -A shared
first=1
for c in "${commands[@]}"; do
  grep -q -- '^ *--config ' <<<"${help_of[$c]}" || continue
  declare -A here=()
  while IFS= read -r line; do
    here["$line"]=1
  done < <(options_of "${help_of[$c]}")
  if ((first)); then
    for line in "${!here[@]}"; do shared["$line"]=1; done
    first=0
  else
    for line in "${!shared[@]}"; do
      [[ -n ${here["$line"]+x} ]] || unset 'shared[$line]'
    done
  fi
  unset here
done

# SYNOPSIS: one Usage line per command.
sep='Usage:'
for c in "${commands[@]}"; do
  usage=$(sed -n 's/^Usage: //p' <<<"${help_of[$c]}")
  printf '%s %s\n' "$sep" "$usage"
  sep='  or:'
done
echo
echo 'Options:'
readers=()
for c in "${commands[@]}"; do
  grep -q -- '^ *--config ' <<<"${help_of[$c]}" && readers+=("$c")
done
joined=$(IFS=,; echo "${readers[*]}")
echo "Accepted by every command that reads the configuration (${joined//,/, }):"
echo
# In the order of the join help, not the hash order.
for c in "${commands[@]}"; do
  if grep -q -- '^ *--config ' <<<"${help_of[$c]}"; then
    while IFS= read -r line; do
      [[ -n ${shared["$line"]+x} ]] && printf '%s\n' "$line"
    done < <(options_of "${help_of[$c]}")
    break
  fi
done
echo
echo '*Commands*'
for c in "${commands[@]}"; do
  text=${help_of[$c]}
  printf '%s:\n' "$c"
  printf '  %s\n\n' "$(head -n 1 <<<"$text")"
  own=0
  while IFS= read -r line; do
    [[ -n ${shared["$line"]+x} ]] && continue
    printf '%s\n' "$line"
    own=1
  done < <(options_of "$text")
  if ((own == 0)) && ! grep -q -- '^ *--config ' <<<"$text"; then
    echo '  (no options but --help)'
  fi
  echo
done
