// Validates AsyncAPI documents with the official parser (@asyncapi/parser, pinned in
// package.json): `node asyncapi-validate.mjs FILE...`. Prints every diagnostic of every
// severity as `FILE: severity code path: message`, then `FILE: ok (…)` when the document parsed
// without an error or a warning; exits 1 on an error or a warning, 2 when a file cannot be read.
// Run by tests/contract_asyncapi.rs, which also refuses infos and hints it does not expect.
import { Parser } from '@asyncapi/parser';
import { readFile } from 'node:fs/promises';

const SEVERITY = ['error', 'warning', 'info', 'hint'];
const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    console.error(`${file}: cannot read: ${e.message}`);
    process.exit(2);
  }
  const { document, diagnostics } = await parser.parse(text, { source: file });
  let serious = 0;
  for (const d of diagnostics) {
    if (d.severity <= 1) serious += 1;
    const at = d.path.join('/');
    console.log(`${file}: ${SEVERITY[d.severity] ?? d.severity} ${d.code} /${at}: ${d.message}`);
  }
  if (serious > 0) failed = true;
  if (!document) {
    failed = true;
    console.log(`${file}: not parsed`);
  } else if (serious === 0) {
    console.log(`${file}: ok (${document.operations().length} operations, ${document.messages().length} messages)`);
  }
}
process.exit(failed ? 1 : 0);
