// Parses PowerShell scripts with tree-sitter's PowerShell grammar (web-tree-sitter + tree-sitter-powershell's
// wasm, installed by check_powershell.sh) and prints every ERROR or MISSING node as FILE:LINE:COLUMN.
// Exit 0 when every file parses cleanly, 1 when one does not, 2 on a usage or set-up error.
// Usage: node parse_powershell.cjs FILE...
'use strict';
const fs = require('fs');
const { Parser, Language } = require('web-tree-sitter');

function problems(node, found = []) {
  if (node.type === 'ERROR' || node.isMissing) {
    const what = node.isMissing
      ? `missing ${node.type}`
      : `syntax error near '${node.text.slice(0, 40).replace(/\s+/g, ' ')}'`;
    found.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${what}`);
    if (node.type === 'ERROR') return found;  // one line for each ERROR, not one for each node inside it
  }
  for (const child of node.children) problems(child, found);
  return found;
}

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node parse_powershell.cjs FILE...');
    process.exit(2);
  }
  await Parser.init();
  // From bytes: Language.load(PATH) leaves a handle open and node never exits (web-tree-sitter 0.25.10).
  const wasm = fs.readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  let bad = 0;
  for (const file of files) {
    const tree = parser.parse(fs.readFileSync(file, 'utf8'));
    const found = problems(tree.rootNode);
    if (found.length > 0 || tree.rootNode.hasError) {
      bad++;
      for (const p of found.length > 0 ? found : ['?: the tree has an error']) console.log(`${file}:${p}`);
    } else {
      console.log(`ok - ${file}`);
    }
  }
  process.exit(bad > 0 ? 1 : 0);
})().catch((e) => { console.error(`parse_powershell: ${e.message}`); process.exit(2); });
