#!/usr/bin/env bash
# swarm-bootstrap(8), as the build made it (<build>/man/swarm-bootstrap.8, help2man, cmake/packaging.cmake), is in
# step with the binary and the sources:
#   - man renders it without a warning (the check lintian makes);
#   - every command the binary's --help lists (walked down to "service install") has its subsection, and every
#     option of every command's --help is in the page with its metavar ("--role worker|manager");
#   - every exit code of common/exit_code.hpp is under EXIT STATUS, every configuration key of agent/config/config.cpp
#     under CONFIGURATION; ENVIRONMENT and FILES are there.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
test_begin man_page
need_tool help2man help2man
need_tool man man-db
page=${SB_BUILD_DIR:-/nonexistent}/man/swarm-bootstrap.8
[[ -f $page && -f $page.gz ]] || fail "no $page(.gz): the build makes it (target sb_debian_docs)"
cmp -s <(gzip -dc "$page.gz") "$page" || fail "$page.gz is not $page compressed"

# Rendered as lintian renders it: any warning fails.
warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
[[ -z $warnings ]] || fail "man --warnings: $warnings"
# Plain text, wide, so that nothing is hyphenated or wrapped.
text=$(MANWIDTH=400 LC_ALL=C man -E ascii -l "$page" 2>/dev/null | col -bx)
section() { awk -v s="$1" '$0 == s { on = 1; next } on && /^[A-Z]/ { exit } on' <<<"$text"; }
for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS CONFIGURATION 'EXIT STATUS' ENVIRONMENT FILES; do
  [[ -n $(section "$s") ]] || fail "no section $s in the man page"
done

# Every leaf command and its --help, found by walking the binary's own help.
subcommands_of() { awk '/^Subcommands:$/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$1"; }
checked=0
walk() { # COMMAND...
  local help sub line tag
  help=$("$SB_BIN" "$@" --help)
  if grep -qx 'Subcommands:' <<<"$help"; then
    for sub in $(subcommands_of "$help"); do
      walk "$@" "$sub"
    done
    return
  fi
  section COMMANDS | grep -qx " *$*:" || fail "no subsection for '$*' under COMMANDS"
  while IFS= read -r line; do
    # "  --role worker|manager       worker or manager" -> "--role worker|manager"
    tag=$(sed -E 's/^ +//; s/  +.*$//' <<<"$line")
    grep -qF -- "$tag" <<<"$text" || fail "'$* --help' has '$tag', the man page does not"
    checked=$((checked + 1))
  done < <(awk '/^Subcommands:$/ { skip = 1; next } /^$/ { skip = 0 } !skip && /^ +-/' <<<"$help")
}
for sub in $(subcommands_of "$("$SB_BIN" --help)"); do
  walk "$sub"
done
((checked > 20)) || fail "only $checked options found in the --help texts; is the help format still CLI11's?"
note "$checked options of every command's --help are in the page"

codes=$(sed -nE 's/^ +[a-z_]+ = ([0-9]+),.*/\1/p' "$SB_SOURCE_DIR/common/exit_code.hpp")
[[ -n $codes ]] || fail "no exit codes read from common/exit_code.hpp"
for code in $codes; do
  section 'EXIT STATUS' | grep -qE "^ +$code +[a-z]" || fail "exit code $code is not under EXIT STATUS"
done
note "exit codes $(tr '\n' ' ' <<<"$codes")are under EXIT STATUS"

keys=$(sed -n '/^constexpr KeyInfo key_table/,/^};/p' "$SB_SOURCE_DIR/agent/config/config.cpp" | grep -oE '\{"[a-z_]+"' | tr -d '{"')
[[ -n $keys ]] || fail "no configuration keys read from agent/config/config.cpp"
for key in $keys; do
  section CONFIGURATION | grep -qw -- "$key" || fail "configuration key $key is not under CONFIGURATION"
done
note "$(wc -w <<<"$keys") configuration keys are under CONFIGURATION"
test_pass
