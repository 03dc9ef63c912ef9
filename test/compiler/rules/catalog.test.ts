import { describe, expect, test } from 'vitest';
import { catalogColumnsRule } from '../../../compiler/rules/catalog-columns.js';
import { catalogDatabaseRule } from '../../../compiler/rules/catalog-database.js';
import { catalogKeysRule } from '../../../compiler/rules/catalog-keys.js';
import { catalogSelectionRule } from '../../../compiler/rules/catalog-selection.js';
import { catalogStructureRule } from '../../../compiler/rules/catalog-structure.js';
import { checkPlan } from '../../../compiler/rules/index.js';
import { lobRule } from '../../../compiler/rules/lob.js';
import { compareText } from '../../../contracts/compare.js';
import {
  basePlan,
  type CatalogRow,
  catalogTable,
  catalogWith,
  cdcTask,
  expectRow,
  findingsOf,
  type Row,
  task,
  withTasks,
} from './builders.js';

const cdcBase = withTasks([cdcTask()]);
const column = (name: string, type: string, patch: Partial<CatalogRow> = {}) => ({
  name,
  type,
  concern: null,
  notNull: false,
  generated: '' as const,
  identity: '' as const,
  ...patch,
});

describe('catalog: selection and version', () => {
  const rows: Row[] = [
    {
      name: 'matching snapshot passes',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'orders' })]),
      want: [],
    },
    {
      name: 'snapshot from another major',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'orders' })], { serverVersionNum: 130014 }),
      want: ['PGF5001@/source/version'],
      words: ['130014'],
    },
    {
      name: 'task database missing from the snapshot',
      plan: basePlan,
      catalog: { ...catalogWith([]), databases: [] },
      want: ['PGF5002@/dms/tasks/0/database'],
    },
    {
      name: 'pattern that matches nothing, with a case hint',
      plan: withTasks([task({ tables: { include: ['public.Orders'], exclude: [] } })]),
      catalog: catalogWith([catalogTable({ name: 'orders' })]),
      want: ['PGF5003@/dms/tasks/0/tables/include/0'],
      words: ['case-sensitive'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogSelectionRule, row));

  test('a minor version difference is only a warning', () => {
    const findings = findingsOf(
      catalogSelectionRule,
      basePlan,
      catalogWith([catalogTable({ name: 'a' })], { serverVersionNum: 90519 }),
    );
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['PGF5001', 'warning']]);
  });
});

describe('catalog: keys', () => {
  const rows: Row[] = [
    {
      name: 'tables with primary keys pass under CDC',
      plan: cdcBase,
      catalog: catalogWith([catalogTable({ name: 'orders' })]),
      want: [],
    },
    {
      name: 'CDC on a table without a primary key',
      plan: cdcBase,
      catalog: catalogWith([catalogTable({ name: 'events', primaryKey: [], hasUniqueIndex: false })]),
      want: ['PGF5010@/dms/tasks/0/tables/include/0'],
      words: ['public.events', 'UPDATEs and DELETEs'],
    },
    {
      name: 'full load without a primary key passes',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'events', primaryKey: [], hasUniqueIndex: false })]),
      want: [],
    },
    {
      name: 'excluded keyless table passes',
      plan: withTasks([cdcTask({ tables: { include: ['public.%'], exclude: ['public.events'] } })]),
      catalog: catalogWith([
        catalogTable({ name: 'orders' }),
        catalogTable({ name: 'events', primaryKey: [], hasUniqueIndex: false }),
      ]),
      want: [],
    },
    {
      name: 'validation without any key',
      plan: withTasks([task({ validation: true })]),
      catalog: catalogWith([catalogTable({ name: 'events', primaryKey: [], hasUniqueIndex: false })]),
      want: ['PGF5011@/dms/tasks/0/tables/include/0'],
      words: ['validation'],
    },
    {
      name: 'validation with a unique index passes',
      plan: withTasks([task({ validation: true })]),
      catalog: catalogWith([catalogTable({ name: 'events', primaryKey: [], hasUniqueIndex: true })]),
      want: [],
    },
    {
      name: 'text primary key',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'codes', primaryKey: ['code'], columns: [column('code', 'text')] })]),
      want: ['PGF5012@/dms/tasks/0/tables/include/0'],
      words: ['code text'],
    },
    {
      name: 'array column without a key',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'tags', primaryKey: [], columns: [column('labels', 'text[]')] })]),
      want: ['PGF5013@/dms/tasks/0/tables/include/0'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogKeysRule, row));

  test('REPLICA IDENTITY FULL with test-decoding softens the finding to a warning', () => {
    const catalog = catalogWith([catalogTable({ name: 'events', primaryKey: [], replicaIdentity: 'full' })]);
    expect(findingsOf(catalogKeysRule, cdcBase, catalog).map((f) => f.severity)).toEqual(['warning']);
  });

  test('REPLICA IDENTITY FULL does not help the pglogical plugin', () => {
    const catalog = catalogWith([catalogTable({ name: 'events', primaryKey: [], replicaIdentity: 'full' })]);
    const findings = findingsOf(catalogKeysRule, withTasks([cdcTask({ plugin: 'pglogical' })]), catalog);
    expect(findings.map((f) => [f.code, f.severity ?? 'error'])).toEqual([['PGF5010', 'error']]);
    expect(findings[0]!.message).toContain('pglogical');
  });

  test('with a catalog the generic LOB/validation info is replaced by per-table findings', () => {
    const plan = withTasks([task({ validation: true })]);
    expect(findingsOf(lobRule, plan)).toHaveLength(1);
    expect(findingsOf(lobRule, plan, catalogWith([catalogTable({ name: 'orders' })]))).toEqual([]);
  });
});

describe('catalog: columns', () => {
  const rows: Row[] = [
    { name: 'plain columns pass', plan: basePlan, catalog: catalogWith([catalogTable({ name: 'orders' })]), want: [] },
    {
      name: 'enum and unbounded numeric',
      plan: basePlan,
      catalog: catalogWith([
        catalogTable({
          name: 'orders',
          columns: [
            column('status', 'order_status', { concern: 'enum' }),
            column('total', 'numeric', { concern: 'unbounded-numeric' }),
          ],
        }),
      ]),
      want: ['PGF5020@/dms/tasks/0/tables/include/0'],
      words: ['status order_status (enum)', 'unbounded-numeric'],
    },
    {
      name: 'varchar without a length may be truncated',
      plan: basePlan,
      catalog: catalogWith([
        catalogTable({
          name: 'notes',
          columns: [column('body', 'character varying', { concern: 'char/varchar-without-length' })],
        }),
      ]),
      want: ['PGF5020@/dms/tasks/0/tables/include/0'],
      words: ['body character varying'],
    },
    {
      name: 'large objects',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'docs', columns: [column('blob', 'oid', { concern: 'oid-lob' })] })]),
      want: ['PGF5021@/dms/tasks/0/tables/include/0'],
    },
    {
      name: 'generated and identity-always columns',
      plan: basePlan,
      catalog: catalogWith([
        catalogTable({
          name: 'orders',
          columns: [
            column('id', 'bigint', { identity: 'a' }),
            column('total_gen', 'numeric(12,2)', { generated: 's' }),
          ],
        }),
      ]),
      want: ['PGF5022@/dms/tasks/0/tables/include/0'],
      words: ['identity always', 'generated'],
    },
    {
      name: 'NOT NULL jsonb in full LOB mode',
      plan: withTasks([task({ lob: { mode: 'full', chunk_size_kb: 64 } })]),
      catalog: catalogWith([
        catalogTable({ name: 'orders', columns: [column('doc', 'jsonb', { concern: 'lob-like', notNull: true })] }),
      ]),
      want: ['PGF5023@/dms/tasks/0/tables/include/0'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogColumnsRule, row));
});

describe('catalog: structure', () => {
  const rows: Row[] = [
    { name: 'plain tables pass', plan: cdcBase, catalog: catalogWith([catalogTable({ name: 'orders' })]), want: [] },
    {
      name: 'partition parent and child selected together',
      plan: basePlan,
      catalog: catalogWith([
        catalogTable({ name: 'events', kind: 'partitioned-table' }),
        catalogTable({ name: 'events_2026', parents: ['public.events'], isPartition: true }),
      ]),
      want: ['PGF5030@/dms/tasks/0/tables/include/0'],
      words: ['twice'],
    },
    {
      name: 'leaf partitions only pass',
      plan: withTasks([task({ tables: { include: ['public.%'], exclude: ['public.events'] } })]),
      catalog: catalogWith([
        catalogTable({ name: 'events', kind: 'partitioned-table' }),
        catalogTable({ name: 'events_2026', parents: ['public.events'], isPartition: true }),
      ]),
      want: [],
    },
    {
      name: 'names differing only by case',
      plan: basePlan,
      catalog: catalogWith([catalogTable({ name: 'Orders' }), catalogTable({ name: 'orders' })]),
      want: ['PGF5031@/dms/tasks/0/tables/include/0'],
    },
    {
      name: 'unlogged table under CDC',
      plan: cdcBase,
      catalog: catalogWith([catalogTable({ name: 'sessions', persistence: 'unlogged' })]),
      want: ['PGF5032@/dms/tasks/0/tables/include/0'],
      words: ['unlogged'],
    },
    {
      name: 'sequence owned by nothing',
      plan: basePlan,
      catalog: {
        ...catalogWith([catalogTable({ name: 'orders' })]),
        databases: [
          {
            ...catalogWith([]).databases[0]!,
            tables: [catalogTable({ name: 'orders' })],
            sequences: [
              { schema: 'public', name: 'orders_id_seq', lastValue: '10', ownedBy: 'public.orders.id' },
              { schema: 'public', name: 'invoice_no', lastValue: '7', ownedBy: null },
            ],
          },
        ],
      },
      want: ['PGF5033@/dms/tasks/0/database'],
      words: ['invoice_no'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogStructureRule, row));
});

test('a long explicit selection over a large catalog picks exactly the listed tables', () => {
  const listed = Array.from({ length: 400 }, (_, i) => `public.t[_]${i * 2}`);
  const plan = withTasks([cdcTask({ tables: { include: listed, exclude: [] } })]);
  const tablesInCatalog = Array.from({ length: 1000 }, (_, i) =>
    catalogTable({ name: `t_${i}`, ...(i % 2 === 0 && i % 10 === 0 ? { primaryKey: [] } : {}) }),
  );
  const findings = findingsOf(catalogKeysRule, plan, catalogWith(tablesInCatalog));
  // Listed and keyless: every even multiple of 10 below 800.
  expect(findings.map((f) => f.pointer)).toEqual(
    Array.from({ length: 80 }, (_, i) => `/dms/tasks/0/tables/include/${i * 5}`).sort(compareText),
  );
});

test('catalog rules do not run without a snapshot', () => {
  const plan = withTasks([cdcTask()]);
  expect(checkPlan(plan).filter((f) => f.code.startsWith('PGF5'))).toEqual([]);
});

describe('catalog: database', () => {
  const database = (patch: Record<string, unknown>) => {
    const base = catalogWith([catalogTable({ name: 'orders' })]);
    return { ...base, databases: [{ ...base.databases[0]!, ...patch }] };
  };
  const rows: Row[] = [
    { name: 'UTF8 without extensions passes', plan: basePlan, catalog: database({}), want: [] },
    {
      name: 'PostGIS must exist on the target',
      plan: basePlan,
      catalog: database({
        extensions: [
          { name: 'plpgsql', version: '1.0' },
          { name: 'postgis', version: '3.4.2' },
        ],
      }),
      want: ['PGF5040@/source/databases/0'],
      words: ['postgis 3.4.2'],
    },
    {
      name: 'SQL_ASCII source',
      plan: basePlan,
      catalog: database({ encoding: 'SQL_ASCII' }),
      want: ['PGF5042@/source/databases/0'],
      words: ['SQL_ASCII'],
    },
    {
      name: 'pglogical plugin without the extension',
      plan: withTasks([cdcTask({ plugin: 'pglogical' })]),
      catalog: database({}),
      want: ['PGF5041@/dms/tasks/0/plugin'],
    },
    {
      name: 'pglogical plugin with the extension passes',
      plan: withTasks([cdcTask({ plugin: 'pglogical' })]),
      catalog: database({ extensions: [{ name: 'pglogical', version: '2.4.4' }] }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogDatabaseRule, row));
});
