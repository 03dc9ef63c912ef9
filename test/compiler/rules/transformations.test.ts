import { describe, expect, test } from 'vitest';
import type { Transformation } from '../../../compiler/model/plan.js';
import { catalogColumnsRule } from '../../../compiler/rules/catalog-columns.js';
import { catalogTransformationsRule } from '../../../compiler/rules/catalog-transformations.js';
import { checkPlan } from '../../../compiler/rules/index.js';
import { transformationsRule } from '../../../compiler/rules/transformations.js';
import type { CatalogColumn } from '../../../contracts/catalog.js';
import { transformation } from '../../support/base-plan.js';
import { basePlan, catalogTable, catalogWith, expectRow, type Row, task, withTasks } from './builders.js';

const rule = transformation;

const withRules = (transformations: Transformation[], exclude: string[] = []) =>
  withTasks([task({ transformations, tables: { include: ['public.%'], exclude } })]);

/** `CODE@pointer`, as expectRow compares findings. */
const hit = (code: string, pointer: string) => `${code}@${pointer}`;

const at = (i: number, key = '') => `/dms/tasks/0/transformations/${i}${key ? `/${key}` : ''}`;

describe('transformations without a catalog', () => {
  const rows: Row[] = [
    {
      name: 'one of each well-formed action passes',
      plan: withRules([
        rule({ target: 'schema', action: 'rename', value: 'shop' }),
        rule({ target: 'table', action: 'add-prefix', table: '%', value: 'old_' }),
        rule({ target: 'table', action: 'replace-suffix', table: 'orders', value: '_v2', old_value: '_v1' }),
        rule({ target: 'column', action: 'convert-uppercase', table: 'orders', column: '%' }),
        rule({ target: 'column', action: 'remove-column', table: 'items', column: 'total_gen' }),
        rule({
          target: 'column',
          action: 'add-column',
          table: 'customers',
          value: 'full_name',
          data_type: { type: 'string', length: 200, precision: null, scale: null },
          expression: "$first||' '||$last",
        }),
        rule({
          target: 'column',
          action: 'change-data-type',
          table: 'lines',
          column: 'qty',
          data_type: { type: 'int8', length: null, precision: null, scale: null },
        }),
      ]),
      want: [],
    },
    {
      name: 'remove-column on a table target, with the value it does not use',
      plan: withRules([rule({ target: 'table', action: 'remove-column', table: 'orders', value: 'x' })]),
      want: ['PGF3340@/dms/tasks/0/transformations/0/target', 'PGF3340@/dms/tasks/0/transformations/0/value'],
    },
    {
      name: 'column target without table or column; rename without value',
      plan: withRules([rule({ target: 'column', action: 'rename' })]),
      want: [at(0, 'column'), at(0, 'table'), at(0, 'value')].map((p) => hit('PGF3340', p)),
      words: ['needs'],
    },
    {
      name: 'replace-prefix without old_value; change-data-type without data_type; stray expression',
      plan: withRules([
        rule({ target: 'table', action: 'replace-prefix', table: '%', value: 'new_' }),
        rule({ target: 'column', action: 'change-data-type', table: 'orders', column: 'qty', expression: '1' }),
      ]),
      want: [at(0, 'old_value'), at(1, 'data_type'), at(1, 'expression')].map((p) => hit('PGF3340', p)),
    },
    {
      name: 'schema target with a table; add-column with a column locator',
      plan: withRules([
        rule({ target: 'schema', action: 'convert-lowercase', table: 'orders' }),
        rule({
          target: 'column',
          action: 'add-column',
          table: 'orders',
          column: 'x',
          value: 'y',
          data_type: { type: 'int4', length: null, precision: null, scale: null },
        }),
      ]),
      want: [at(0, 'table'), at(1, 'column')].map((p) => hit('PGF3340', p)),
    },
    {
      name: 'rename of a wildcard table would merge tables',
      plan: withRules([rule({ target: 'table', action: 'rename', table: 'order%', value: 'orders' })]),
      want: [hit('PGF3341', at(0, 'table'))],
      words: ['every table'],
    },
    {
      name: 'two renames into one name collide; two rules on one table collide',
      plan: withRules([
        rule({ target: 'table', action: 'rename', table: 'orders', value: 'purchases' }),
        rule({ target: 'table', action: 'rename', table: 'sales', value: 'purchases' }),
        rule({ target: 'table', action: 'add-suffix', table: 'orders', value: '_old' }),
      ]),
      want: [hit('PGF3342', at(1, 'value')), hit('PGF3342', at(2))],
      words: ['transformations 1 and'],
    },
    {
      name: 'renames into one name in different schemas do not collide',
      plan: withRules([
        rule({ target: 'table', action: 'rename', table: 'orders', value: 'purchases' }),
        rule({ target: 'table', action: 'rename', schema: 'sales', table: 'orders', value: 'purchases' }),
      ]),
      want: [hit('PGF3343', at(1, 'table'))],
      words: ['no include pattern'],
    },
    {
      name: 'a transformation on an excluded table',
      plan: withRules(
        [rule({ target: 'column', action: 'remove-column', table: 'audit', column: 'payload' })],
        ['public.audit'],
      ),
      want: [hit('PGF3343', at(0, 'table'))],
      words: ['excludes it', 'public.audit'],
    },
    {
      name: 'column names DMS cannot transform',
      plan: withRules([rule({ target: 'column', action: 'rename', table: 'orders', column: 'a-b', value: 'a#b' })]),
      want: [hit('PGF3344', at(0, 'column')), hit('PGF3344', at(0, 'value'))],
    },
    {
      name: 'the logical engine cannot apply a transformation',
      plan: { ...withRules([rule({ target: 'schema', action: 'rename', value: 'shop' })]), engine: 'logical' },
      want: [hit('PGF3345', at(0))],
      words: ['logical engine', 'rename'],
    },
    {
      name: 'a rule-name already used by a selection rule',
      plan: withRules([rule({ target: 'schema', action: 'rename', value: 'shop', name: 'include-1' })]),
      want: [hit('PGF3346', at(0, 'name'))],
      words: ['include-1'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(transformationsRule, row));

  test('the base plan has no transformation findings', () => {
    expect(checkPlan(basePlan).filter((f) => f.code.startsWith('PGF334'))).toEqual([]);
  });
});

const col = (name: string, patch: Partial<CatalogColumn> = {}): CatalogColumn => ({
  name,
  type: 'integer',
  concern: null,
  notNull: false,
  generated: '',
  identity: '',
  ...patch,
});

const catalog = catalogWith([
  catalogTable({ name: 'orders', columns: [col('id'), col('total'), col('total_gen', { generated: 's' })] }),
  catalogTable({ name: 'old_orders', columns: [col('id')] }),
  catalogTable({ name: 'audit', columns: [col('id'), col('payload')] }),
]);

describe('transformations against a catalog', () => {
  const rows: Row[] = [
    {
      name: 'a rule that matches nothing the task loads',
      plan: withRules([rule({ target: 'column', action: 'remove-column', table: 'orders', column: 'totl' })]),
      catalog,
      want: [hit('PGF5080', at(0))],
      words: ['matches nothing'],
    },
    {
      name: 'a wildcard rule that matches only excluded tables',
      plan: withRules(
        [rule({ target: 'column', action: 'remove-column', table: 'aud%', column: 'payload' })],
        ['public.audit'],
      ),
      catalog,
      want: [hit('PGF5081', at(0))],
    },
    {
      name: 'removing a primary-key column',
      plan: withRules([rule({ target: 'column', action: 'remove-column', table: 'orders', column: 'id' })]),
      catalog,
      want: [hit('PGF5082', at(0, 'column'))],
      words: ['primary-key', 'public.orders'],
    },
    {
      name: 'renaming a table into an existing table',
      plan: withRules([rule({ target: 'table', action: 'add-prefix', table: 'orders', value: 'old_' })]),
      catalog,
      want: [hit('PGF5083', at(0))],
      words: ['public.old_orders'],
    },
    {
      name: 'renaming a column into an existing column, and adding one that exists',
      plan: withRules([
        rule({ target: 'column', action: 'rename', table: 'orders', column: 'total_gen', value: 'total' }),
        rule({
          target: 'column',
          action: 'add-column',
          table: 'audit',
          value: 'payload',
          data_type: { type: 'string', length: 10, precision: null, scale: null },
        }),
      ]),
      catalog,
      want: [hit('PGF5083', at(0)), hit('PGF5083', at(1))],
      words: ['two columns'],
    },
    {
      name: 'renames that keep names distinct pass',
      plan: withRules([
        rule({ target: 'schema', action: 'rename', value: 'shop' }),
        rule({ target: 'column', action: 'remove-column', table: 'orders', column: 'total_gen' }),
      ]),
      catalog,
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogTransformationsRule, row));
});

describe('the generated-column rule writes the fix in the plan language', () => {
  const generatedOnly = catalogWith([
    catalogTable({ name: 'orders', columns: [col('id'), col('total_gen', { generated: 's' })] }),
  ]);
  const rows: Row[] = [
    {
      name: 'a generated column is reported',
      plan: withRules([]),
      catalog: generatedOnly,
      want: ['PGF5022@/dms/tasks/0/tables/include/0'],
    },
    {
      name: 'a remove-column transformation for it settles the warning',
      plan: withRules([rule({ target: 'column', action: 'remove-column', table: 'orders', column: 'total_gen' })]),
      catalog: generatedOnly,
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogColumnsRule, row));

  test('the hint is a transformation the plan accepts', () => {
    const finding = checkPlan(withRules([]), generatedOnly).find((f) => f.code === 'PGF5022');
    expect(finding?.hint).toBe(
      'add to task "orders-full-load": transformations: [{target: column, action: remove-column, schema: public, table: orders, column: total_gen}]',
    );
  });
});
