import { describe, test } from 'vitest';
import type { ParallelLoad, TableSetting, Task } from '../../../compiler/model/plan.js';
import { catalogTableSettingsRule } from '../../../compiler/rules/catalog-table-settings.js';
import { tableSettingsRule } from '../../../compiler/rules/table-settings.js';
import { transformationsRule } from '../../../compiler/rules/transformations.js';
import type { CatalogColumn } from '../../../contracts/catalog.js';
import { catalogTable, catalogWith, expectRow, type Row, task, withTasks } from './builders.js';

const ranges = (columns: string[], boundaries: (string | number)[][]): ParallelLoad => ({
  type: 'ranges',
  columns,
  boundaries,
  partitions: [],
  subpartitions: [],
});

const setting = (patch: Partial<TableSetting> = {}): TableSetting => ({
  name: null,
  table: 'public.ledger',
  parallel_load: ranges(['id'], [[1000], [2000]]),
  lob: null,
  ...patch,
});

const withSettings = (table_settings: TableSetting[], patch: Partial<Task> = {}) =>
  withTasks([task({ table_settings, ...patch })]);

/** `CODE@pointer`, as expectRow compares findings. */
const hit = (code: string, pointer: string) => `${code}@${pointer}`;

const at = (i: number, key = '') => `/dms/tasks/0/table_settings/${i}${key ? `/${key}` : ''}`;

describe('table settings without a catalog', () => {
  const rows: Row[] = [
    { name: 'ranges on one column with increasing boundaries passes', plan: withSettings([setting()]), want: [] },
    {
      name: 'limited LOB settings with a size, and parallel load none, pass',
      plan: withSettings([
        setting({ parallel_load: { ...ranges([], []), type: 'none' }, lob: { mode: 'limited', bulk_max_size_kb: 64 } }),
      ]),
      want: [],
    },
    {
      name: 'ranges without columns or boundaries',
      plan: withSettings([setting({ parallel_load: ranges([], []) })]),
      want: [hit('PGF3350', at(0, 'parallel_load/boundaries')), hit('PGF3350', at(0, 'parallel_load/columns'))],
    },
    {
      name: 'a boundary row with the wrong number of values, and eleven columns',
      plan: withSettings([
        setting({
          parallel_load: ranges(
            Array.from({ length: 11 }, (_, i) => `c${i}`),
            [Array.from({ length: 11 }, () => 1), [2]],
          ),
        }),
      ]),
      want: [hit('PGF3350', at(0, 'parallel_load/boundaries/1')), hit('PGF3350', at(0, 'parallel_load/columns'))],
    },
    {
      name: 'partitions-auto is not for PostgreSQL; partitions-list needs partitions',
      plan: withSettings([
        setting({ parallel_load: { ...ranges([], []), type: 'partitions-auto' } }),
        setting({ table: 'public.events', parallel_load: { ...ranges([], []), type: 'partitions-list' } }),
      ]),
      want: [
        hit('PGF3351', at(0, 'parallel_load/type')),
        hit('PGF3350', at(1, 'parallel_load/partitions')),
        hit('PGF3351', at(1, 'parallel_load/type')),
      ],
      words: [],
    },
    {
      name: 'columns on a type that does not use them',
      plan: withSettings([setting({ parallel_load: { ...ranges(['id'], []), type: 'subpartitions-auto' } })]),
      want: [hit('PGF3350', at(0, 'parallel_load/columns')), hit('PGF3351', at(0, 'parallel_load/type'))],
    },
    {
      name: 'boundaries not increasing (numbers numerically, text as written)',
      plan: withSettings([
        setting({ parallel_load: ranges(['id'], [[9], [10], [10]]) }),
        setting({ table: 'public.events', parallel_load: ranges(['day'], [['2024-02-01'], ['2024-01-01']]) }),
      ]),
      want: [hit('PGF3352', at(0, 'parallel_load/boundaries/2')), hit('PGF3352', at(1, 'parallel_load/boundaries/1'))],
      words: ['not above'],
    },
    {
      name: 'parallel load in a cdc-only task',
      plan: withSettings([setting()], { migration_type: 'cdc' }),
      want: [hit('PGF3353', at(0, 'parallel_load/type'))],
    },
    {
      name: 'limited without size, unlimited with a size, LOBs in a task without LOB support',
      plan: withSettings(
        [
          setting({ lob: { mode: 'limited', bulk_max_size_kb: null } }),
          setting({ table: 'public.events', lob: { mode: 'unlimited', bulk_max_size_kb: 64 } }),
        ],
        { lob: { mode: 'none' } },
      ),
      want: [
        hit('PGF3354', at(0, 'lob/bulk_max_size_kb')),
        hit('PGF3354', at(0, 'lob/mode')),
        hit('PGF3354', at(1, 'lob/bulk_max_size_kb')),
        hit('PGF3354', at(1, 'lob/mode')),
      ],
    },
    {
      name: 'a wildcard table, an excluded table and the same table twice',
      plan: withSettings(
        [setting({ table: 'public.led%' }), setting({ table: 'public.audit' }), setting(), setting({ name: 'again' })],
        { tables: { include: ['public.%'], exclude: ['public.audit'] } },
      ),
      want: [hit('PGF3355', at(0, 'table')), hit('PGF3355', at(1, 'table')), hit('PGF3355', at(3, 'table'))],
    },
    {
      name: 'more segments than sub-tasks',
      plan: withSettings([setting({ parallel_load: ranges(['id'], [[1], [2], [3]]) })], {
        full_load: { ...task().full_load, max_sub_tasks: 3 },
      }),
      want: [hit('PGF3356', at(0, 'parallel_load/boundaries'))],
      words: ['4 segments'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(tableSettingsRule, row));

  test('the logical engine refuses table settings', () => {
    expectRow(transformationsRule, {
      name: 'logical',
      plan: { ...withSettings([setting()]), engine: 'logical' },
      want: [hit('PGF3345', at(0))],
      words: ['table settings'],
    });
  });
});

const col = (name: string, patch: Partial<CatalogColumn> = {}): CatalogColumn => ({
  name,
  type: 'bigint',
  concern: null,
  notNull: true,
  generated: '',
  identity: '',
  ...patch,
});

const ledger = (patch: Parameters<typeof catalogTable>[0]) =>
  catalogTable({
    columns: [col('id'), col('amount', { type: 'double precision' }), col('note', { type: 'text', notNull: false })],
    ...patch,
  });

describe('table settings against a catalog', () => {
  const rows: Row[] = [
    {
      name: 'ranges on the leading key column passes',
      plan: withSettings([setting()]),
      catalog: catalogWith([ledger({ name: 'ledger' })]),
      want: [],
    },
    {
      name: 'a missing column, a float column, a text column',
      plan: withSettings([setting({ parallel_load: ranges(['idx', 'amount', 'note'], [[1, 1, 'a']]) })]),
      catalog: catalogWith([ledger({ name: 'ledger', primaryKey: ['idx', 'amount', 'note'] })]),
      want: [
        hit('PGF5084', at(0, 'parallel_load/columns/0')),
        hit('PGF5084', at(0, 'parallel_load/columns/1')),
        hit('PGF5084', at(0, 'parallel_load/columns/2')),
        hit('PGF5085', at(0, 'parallel_load/columns/2')),
      ],
    },
    {
      name: 'not the leading key column; no primary key',
      plan: withSettings([
        setting({ parallel_load: ranges(['amount'], [[1]]) }),
        setting({ table: 'public.events', parallel_load: ranges(['id'], [[1]]) }),
      ]),
      catalog: catalogWith([ledger({ name: 'ledger' }), ledger({ name: 'events', primaryKey: [] })]),
      want: [
        hit('PGF5084', at(0, 'parallel_load/columns/0')),
        hit('PGF5085', at(0, 'parallel_load/columns/0')),
        hit('PGF5085', at(1, 'parallel_load/columns/0')),
      ],
      words: [],
    },
    {
      name: 'a table the catalog does not have',
      plan: withSettings([setting({ table: 'public.Ledger' })]),
      catalog: catalogWith([ledger({ name: 'ledger' })]),
      want: [hit('PGF5087', at(0, 'table'))],
    },
    {
      name: 'a 200 GiB table loaded in one piece gets a suggestion; one split already does not',
      plan: withSettings([setting()]),
      catalog: catalogWith([
        ledger({ name: 'ledger', sizeBytes: 200 * 1024 ** 3 }),
        ledger({ name: 'events', sizeBytes: 200 * 1024 ** 3 }),
      ]),
      want: ['PGF5086@/dms/tasks/0/tables/include/0'],
      words: ['public.events', '200 GiB'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogTableSettingsRule, row));
});
