// Writes docs/rules.md from the rule catalogue. Run after `npm run build`:
//   node scripts/rules-docs.mjs          # rewrite docs/rules.md
//   node scripts/rules-docs.mjs --check  # exit 1 when docs/rules.md is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderRulesMarkdown } = await import(join(root, 'dist', 'compiler', 'rules', 'docs.js'));
const target = join(root, 'docs', 'rules.md');
const text = renderRulesMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write('docs/rules.md is stale: run `npm run build && node scripts/rules-docs.mjs`\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
