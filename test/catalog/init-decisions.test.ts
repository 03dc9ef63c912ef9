// The starter plan's sizing decisions on synthetic tables: tasks split by size, LOB mode from the
// measured sizes, selection reasons.

import { describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../contracts/catalog.js';
import { selectTables } from '../../init/selection.js';
import { LARGE_TABLE_BYTES, lobDecision, splitTasks, TASK_TARGET_BYTES } from '../../init/tasks.js';
import { catalogTable, catalogWith } from '../compiler/rules/builders.js';

const GB = 1024 ** 3;
const table = (name: string, sizeBytes: number, patch: Partial<CatalogTable> = {}) =>
  catalogTable({ name, sizeBytes, ...patch });
const lobColumn = (maxBytes: number | null) => ({
  name: 'body',
  type: 'text',
  concern: 'lob-like' as const,
  notNull: false,
  generated: '' as const,
  identity: '' as const,
  lob: maxBytes === null ? null : { maxBytes, p99Bytes: maxBytes, values: 10, coverage: 'all' as const },
});

describe('splitTasks', () => {
  it.each([
    { name: 'a small database is one catch-all task', sizes: [1, 2, 3], want: ['main:3:catch-all'] },
    {
      name: 'a very large table gets a task of its own',
      sizes: [LARGE_TABLE_BYTES / GB + 1, 1, 1],
      want: ['t0:1:dedicated', 'main:2:catch-all'],
    },
    {
      name: 'the rest is packed into tasks of about the target size',
      sizes: [90, 90, 90, 90, 90],
      want: ['part-1:2', 'part-2:2', 'part-3:1:catch-all'],
    },
  ])('$name', ({ sizes, want }) => {
    const tasks = splitTasks(sizes.map((gb, i) => table(`t${i}`, gb * GB)));
    expect(
      tasks.map(
        (t) => `${t.suffix}:${t.tables.length}${t.dedicated ? ':dedicated' : ''}${t.catchAll ? ':catch-all' : ''}`,
      ),
    ).toEqual(want);
    expect(TASK_TARGET_BYTES).toBe(200 * GB);
  });
});

describe('lobDecision', () => {
  it.each([
    { name: 'no LOB column: defaults', tables: [table('t', 1)], mode: 'default', size: undefined },
    { name: 'small LOBs: defaults', tables: [table('t', 1, { columns: [lobColumn(20_000)] })], mode: 'default' },
    {
      name: 'a 300 kB LOB: limited, rounded up to 512 KB',
      tables: [table('t', 1, { columns: [lobColumn(300_000)] })],
      mode: 'limited',
      size: 512,
    },
    {
      name: 'a 100 MB LOB in keyed tables: full mode',
      tables: [table('t', 1, { columns: [lobColumn(100 * 1024 ** 2)] })],
      mode: 'full',
    },
    {
      name: 'a 100 MB LOB beside a keyless table: limited at the ceiling, truncation said',
      tables: [table('t', 1, { columns: [lobColumn(100 * 1024 ** 2)] }), table('k', 1, { primaryKey: [] })],
      mode: 'limited',
      size: 65536,
      note: 'WILL BE TRUNCATED',
    },
    {
      name: 'unmeasured columns are called out',
      tables: [table('t', 1, { columns: [lobColumn(null)] })],
      mode: 'default',
      note: 'not measured',
    },
  ])('$name', ({ tables, mode, size, note }) => {
    const decision = lobDecision(tables);
    expect(decision.mode).toBe(mode);
    if (size !== undefined) expect(decision).toMatchObject({ maxSizeKb: size });
    if (note) expect(decision.note).toContain(note);
  });
});

describe('selectTables', () => {
  it('keeps warnings selected and excludes only what the catalog rules reject', () => {
    const db = catalogWith([
      table('plain', 1),
      table('keyless', 1, { primaryKey: [] }),
      table('keyless_full', 1, { primaryKey: [], replicaIdentity: 'full' }),
      table('scratch', 1, { persistence: 'unlogged' }),
      table('awsdms_ddl_audit', 1),
    ]).databases[0]!;
    const names = (cdc: boolean) => {
      const s = selectTables(db, cdc);
      return { selected: s.selected.map((t) => t.name), excluded: s.excluded.map((e) => e.table.name) };
    };
    expect(names(false)).toEqual({
      selected: ['keyless', 'keyless_full', 'plain', 'scratch'],
      excluded: ['awsdms_ddl_audit'],
    });
    expect(names(true)).toEqual({
      selected: ['keyless_full', 'plain'],
      excluded: ['awsdms_ddl_audit', 'keyless', 'scratch'],
    });
  });
});
