// Golden: plans/shop-cdc.yaml compiled with a catalog whose host runs more than the plan declares
// (two slots and three WAL senders in use, max_replication_slots 10): the source bundle, the
// postgresql.conf snippet and the diagnostics, in test/fixtures/golden-catalog/shop-cdc/.
// `PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/golden` rewrites them.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { renderText } from '../../../compiler/diagnostics/render.js';
import { compilePlan } from '../../../compiler/index.js';
import type { CatalogSnapshot } from '../../../contracts/catalog.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'fixtures', 'golden-catalog', 'shop-cdc');
const update = process.env.PGFERRY_UPDATE_GOLDEN === '1';

/**
 * The shop fixture (made to trip the table rules) with those problems fixed, so the plan compiles
 * and only the host differs: keys on every table, nothing unlogged, no partition selected twice.
 */
function busyHost(): CatalogSnapshot {
  const fixture = JSON.parse(
    readFileSync(join(root, 'test/compiler/rules/fixtures/shop.catalog.json'), 'utf8'),
  ) as CatalogSnapshot;
  const base: CatalogSnapshot = {
    ...fixture,
    databases: fixture.databases.map((db) => ({
      ...db,
      tables: db.tables
        .filter((table) => !table.isPartition)
        .map((table) => ({
          ...table,
          primaryKey: table.primaryKey.length > 0 ? table.primaryKey : [table.columns[0]!.name],
          hasUniqueIndex: true,
          persistence: 'permanent' as const,
        })),
    })),
  };
  const slot = (name: string) => ({ name, type: 'physical' as const, plugin: null, database: null, active: true });
  return {
    ...base,
    host: {
      ...base.host,
      settings: [
        { name: 'max_replication_slots', setting: '10', unit: null },
        { name: 'max_wal_senders', setting: '4', unit: null },
      ],
      replicationSlots: [slot('standby_1'), slot('standby_2')],
      walSenders: ['standby_1', 'standby_2', 'pgbackrest'].map((applicationName) => ({
        applicationName,
        state: 'streaming',
      })),
    },
  };
}

function expectGolden(name: string, text: string): void {
  const file = join(goldenDir, name);
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `${file} missing: run with PGFERRY_UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

test('shop-cdc compiled against a busier host: capacity sized from the catalog, never below it', async () => {
  const result = await compilePlan('plans/shop-cdc.yaml', {
    text: readFileSync(join(root, 'plans', 'shop-cdc.yaml')),
    catalog: busyHost(),
  });
  const capacity = result.diagnostics.filter((d) => /^PGF(301|505)/.test(d.code));
  expectGolden('diagnostics.txt', renderText(capacity));
  const files = new Map(result.artifacts.map((a) => [a.path, a.content]));
  for (const path of ['source/bundle.json', 'source/postgresql.conf.snippet']) {
    expectGolden(path, files.get(path) ?? `(${path} not emitted)\n`);
  }
  // The graph applies exactly the bundle emitted beside it.
  const bundle = JSON.parse(files.get('source/bundle.json')!) as { hash: string; settings: Record<string, unknown> };
  expect(files.get('graph.json')).toContain(bundle.hash);
  expect(bundle.settings.max_replication_slots).toBe(10);
});
