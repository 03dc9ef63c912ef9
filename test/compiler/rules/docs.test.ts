import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { renderRulesMarkdown } from '../../../compiler/rules/docs.js';
import { ruleCodes } from '../../../compiler/rules/index.js';

const docsFile = fileURLToPath(new URL('../../../docs/rules.md', import.meta.url));

test('docs/rules.md lists every code and is up to date', () => {
  const text = renderRulesMarkdown();
  for (const info of ruleCodes()) expect(text).toContain(`### ${info.code} ${info.name}`);
  if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(docsFile, text);
  expect(readFileSync(docsFile, 'utf8'), 'regenerate with PGFERRY_UPDATE_GOLDEN=1 or scripts/rules-docs.mjs').toBe(
    text,
  );
});
