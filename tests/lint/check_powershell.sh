#!/usr/bin/env bash
# Every PowerShell script in the tree parses with a real PowerShell grammar: tree-sitter-powershell, run by
# web-tree-sitter (WebAssembly: nothing to compile) under Node.js. Pinned versions from the npm registry,
# installed once into a cache directory outside the product (SB_TOOLS_CACHE, default ~/.cache/swarm-bootstrap).
# Any ERROR or MISSING node fails the test. First the check proves itself on deliberately broken scripts.
# Exit 77, a skip, without node and npm.
# Usage: check_powershell.sh SOURCE_DIR
set -euo pipefail
cd "$1"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node/npm are not installed"
  exit 77
fi

web_tree_sitter=0.25.10
grammar=0.26.4
cache=${SB_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/swarm-bootstrap}/powershell-parser-$web_tree_sitter-$grammar
if [[ ! -f $cache/node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm ]]; then
  mkdir -p "$cache"
  # --ignore-scripts: the grammar's native binding is not needed (its .wasm is); no peer tree-sitter build.
  npm install --prefix "$cache" --no-save --ignore-scripts --legacy-peer-deps --no-audit --no-fund --loglevel=error \
    "web-tree-sitter@$web_tree_sitter" "tree-sitter-powershell@$grammar" >/dev/null
fi
# --liftoff-only: with V8's optimising wasm tier, node 20 hangs on exit after a parse.
parse() { NODE_PATH=$cache/node_modules node --liftoff-only "$here/parse_powershell.cjs" "$@"; }

# The check must catch what it is for: an unclosed block, a missing parenthesis, a stray operator.
broken=$(mktemp -d)
trap 'rm -rf "$broken"' EXIT
# shellcheck disable=SC2016 # PowerShell source, not shell expansions
printf 'if ($a -eq 1) {\n    Write-Output "never closed"\n' >"$broken/unclosed.ps1"
# shellcheck disable=SC2016
printf 'param([string] $Name\nWrite-Output $Name\n' >"$broken/paren.ps1"
# shellcheck disable=SC2016
printf '$x = 1 +\n$y = @(1, 2\n' >"$broken/operator.ps1"
for f in "$broken"/*.ps1; do
  if out=$(parse "$f"); then
    echo "FAIL - the parser accepted the broken script $(basename "$f")"
    exit 1
  fi
  echo "ok - rejects $(basename "$f"): ${out#"$broken"/}"
done

mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.ps1' 2>/dev/null || find . -name '*.ps1' -not -path './build*')
((${#files[@]} > 0)) || { echo "FAIL - no .ps1 files found"; exit 1; }
parse "${files[@]}"
echo "ok - ${#files[@]} PowerShell scripts parse (tree-sitter-powershell $grammar, web-tree-sitter $web_tree_sitter)"
