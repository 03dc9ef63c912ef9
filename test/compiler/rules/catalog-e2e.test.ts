// End to end: a plan file plus a catalog snapshot through compilePlan, so catalog findings come back
// located at the include pattern that selected each table (file:line:column).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { compilePlan } from '../../../compiler/index.js';
import type { CatalogSnapshot } from '../../../contracts/catalog.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const catalog = JSON.parse(readFileSync(fixture('shop.catalog.json'), 'utf8')) as CatalogSnapshot;

test('catalog rules over the shop plan report each table at its include pattern', async () => {
  const result = await compilePlan(fixture('shop-cdc.yaml'), { catalog });
  const lines = result.diagnostics.map((d) => `${d.code}@${d.span?.start.line}:${d.span?.start.col} ${d.severity}`);
  expect(lines).toEqual([
    'PGF5040@15:15 warning',
    // The plan declares a standby's slot and two WAL senders the snapshot does not show (information).
    'PGF5050@24:12 info',
    'PGF5050@25:18 info',
    'PGF3505@47:11 info',
    'PGF5020@79:19 warning',
    'PGF5010@79:36 error',
    'PGF5011@79:36 error',
    'PGF3317@83:17 info',
    'PGF5032@86:19 error',
    'PGF5030@86:31 error',
    'PGF5021@95:19 warning',
  ]);
  const messages = result.diagnostics.map((d) => d.message).join('\n');
  expect(messages).toContain('"public.order_lines" has no primary key');
  expect(messages).toContain('"public.sessions" is unlogged');
  expect(messages).toContain('"catalog.events_2026" and its parent "catalog.events"');
  expect(result.graph).toBeNull();
});

test('without the snapshot the same plan compiles', async () => {
  const result = await compilePlan(fixture('shop-cdc.yaml'));
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(result.graph).not.toBeNull();
});
