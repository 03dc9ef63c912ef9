import { describe, expect, test } from 'vitest';
import { matchesWildcard, patternsOverlap } from '../../../compiler/knowledge/dms-wildcard.js';
import { cdcTaskRule } from '../../../compiler/rules/cdc-task.js';
import { fullLoadRule } from '../../../compiler/rules/full-load.js';
import { lobRule } from '../../../compiler/rules/lob.js';
import { tableSelectionRule } from '../../../compiler/rules/table-selection.js';
import { basePlan, cdcPlan, cdcTask, expectRow, findingsOf, planWith, type Row, task, withTasks } from './builders.js';

const tables = (include: string[], exclude: string[] = []) => ({ include, exclude });

describe('table selection', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'a glob star is not a DMS wildcard',
      plan: withTasks([task({ tables: tables(['public.*']) })]),
      want: ['PGF3306@/dms/tasks/0/tables/include/0'],
      words: ['selects nothing'],
      hints: ['write "public.%"'],
    },
    {
      name: 'a glob question mark in an exclude, and a star inside brackets is literal',
      plan: withTasks([task({ tables: tables(['public.%', 'public.a[*]b'], ['public.tmp?']) })]),
      want: ['PGF3306@/dms/tasks/0/tables/exclude/0'],
      words: ['matches literally'],
      hints: ['write "public.tmp_"'],
    },
    {
      name: 'excludes that cancel every include',
      plan: withTasks([task({ tables: tables(['public.orders', 'public.order[_]items'], ['public.%']) })]),
      want: ['PGF3307@/dms/tasks/0/tables/exclude'],
      words: ['selects no table'],
    },
    {
      name: 'an exclude covering only some includes passes',
      plan: withTasks([task({ tables: tables(['public.%', 'audit.%'], ['public.%']) })]),
      want: [],
    },
    {
      name: 'task database not migrated, with a suggestion',
      plan: withTasks([task({ database: 'order' })]),
      want: ['PGF3300@/dms/tasks/0/database'],
      words: ['did you mean "orders"'],
    },
    {
      name: 'two tasks with overlapping wildcards',
      plan: withTasks([
        task({ id: 'a', tables: tables(['public.order%']) }),
        task({ id: 'b', tables: tables(['public.%s']) }),
      ]),
      want: ['PGF3301@/dms/tasks/1/tables/include/0'],
      words: ['"b"', '"a"', 'orders'],
    },
    {
      name: 'disjoint literal prefixes pass',
      plan: withTasks([
        task({ id: 'a', tables: tables(['public.a%']) }),
        task({ id: 'b', tables: tables(['public.b%']) }),
      ]),
      want: [],
    },
    {
      name: 'overlap removed by an exclude',
      plan: withTasks([
        task({ id: 'a', tables: tables(['public.%'], ['public.big']) }),
        task({ id: 'b', tables: tables(['public.big']) }),
      ]),
      want: [],
    },
    {
      name: 'same patterns in different databases pass',
      plan: planWith({
        source: { databases: ['orders', 'billing'] },
        target: { databases: { orders: 'orders', billing: 'billing' } },
        dms: { tasks: [task({ id: 'a' }), task({ id: 'b', database: 'billing' })] },
      }),
      want: [],
    },
    {
      name: '_ matches one character, so order_1 and orderX1 overlap',
      plan: withTasks([
        task({ id: 'a', tables: tables(['public.order_1']) }),
        task({ id: 'b', tables: tables(['public.orderX1']) }),
      ]),
      want: ['PGF3305@/dms/tasks/0/tables/include/0', 'PGF3301@/dms/tasks/1/tables/include/0'],
    },
    {
      name: '[_] is a literal underscore',
      plan: withTasks([
        task({ id: 'a', tables: tables(['public.order[_]1']) }),
        task({ id: 'b', tables: tables(['public.orderX1']) }),
      ]),
      want: [],
    },
    {
      name: 'pattern without schema and unclosed bracket',
      plan: withTasks([task({ tables: tables(['orders', 'public.[ab']) })]),
      want: ['PGF3302@/dms/tasks/0/tables/include/0', 'PGF3302@/dms/tasks/0/tables/include/1'],
    },
    {
      name: 'empty include',
      plan: withTasks([task({ tables: tables([]) })]),
      want: ['PGF3303@/dms/tasks/0/tables/include'],
    },
    {
      name: 'exclude that can never apply',
      plan: withTasks([task({ tables: tables(['public.%'], ['sales.audit']) })]),
      want: ['PGF3304@/dms/tasks/0/tables/exclude/0'],
      words: ['sales.audit'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(tableSelectionRule, row));

  test('long explicit lists: the one shared table is found, lookalikes are not', () => {
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `public.t[_]${from + i}`);
    const a = task({ id: 'a', tables: tables([...names(0, 500), 'public.t[_]1999x']) });
    const b = task({ id: 'b', tables: tables([...names(500, 1000), 'public.t[_]1999x']) });
    const findings = findingsOf(tableSelectionRule, withTasks([a, b]));
    expect(findings.map((f) => `${f.code}@${f.pointer}`)).toEqual(['PGF3301@/dms/tasks/1/tables/include/500']);
    const lookalike = task({ id: 'c', tables: tables(['public.t[_]4990']) });
    expect(findingsOf(tableSelectionRule, withTasks([a, lookalike]))).toEqual([]);
    const wild = task({ id: 'd', tables: tables(['public.t_49_']) });
    expect(findingsOf(tableSelectionRule, withTasks([a, wild])).map((f) => f.code)).toContain('PGF3301');
  });

  test.each([
    ['%', 'anything', true],
    ['ord_rs', 'orders', true],
    ['ord[_]rs', 'ord_rs', true],
    ['ord[_]rs', 'orders', false],
    ['[a-c]%', 'billing', true],
    ['[a-c]%', 'orders', false],
  ])('wildcard %s matches %s: %s', (pattern, name, expected) => {
    expect(matchesWildcard(pattern, name)).toBe(expected);
  });

  test.each([
    ['a%', '%b', true],
    ['a%', 'b%', false],
    ['a_c', 'abc', true],
    ['a[_]c', 'abc', false],
    ['%x%', 'y', false],
  ])('patterns %s and %s overlap: %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
  });
});

describe('slots and heartbeat', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    { name: 'CDC plan with heartbeat passes', plan: cdcPlan, want: [] },
    {
      name: 'slot name on a full-load-and-cdc task',
      plan: withTasks([cdcTask({ slot_name: 'dms_orders' })], cdcPlan),
      want: ['PGF3310@/dms/tasks/0/slot_name'],
      words: ['only cdc tasks'],
    },
    {
      name: 'invalid slot name',
      plan: withTasks([cdcTask({ migration_type: 'cdc', slot_name: 'DMS-Orders' })], cdcPlan),
      want: ['PGF3311@/dms/tasks/0/slot_name'],
      words: ['DMS-Orders', 'lower-case'],
    },
    {
      name: 'slot shared by two tasks',
      plan: withTasks(
        [
          cdcTask({ id: 'a', migration_type: 'cdc', slot_name: 'dms_orders', tables: tables(['dms_orders.%']) }),
          cdcTask({ id: 'b', migration_type: 'cdc', slot_name: 'dms_orders', tables: tables(['x.%']) }),
        ],
        cdcPlan,
      ),
      want: ['PGF3317@/dms/tasks/1/database', 'PGF3312@/dms/tasks/1/slot_name'],
      words: ['task'],
    },
    {
      name: 'valid named slot on a cdc task',
      plan: withTasks([cdcTask({ migration_type: 'cdc', slot_name: 'dms_orders' })], cdcPlan),
      want: [],
    },
    {
      name: 'CDC without heartbeat',
      plan: withTasks([cdcTask({ heartbeat: { enabled: false, frequency_minutes: 5, schema: 'public' } })], cdcPlan),
      want: ['PGF3313@/dms/tasks/0/heartbeat/enabled'],
      words: ['pin wal'],
    },
    {
      name: 'heartbeat schema with capitals',
      plan: withTasks([cdcTask({ heartbeat: { enabled: true, frequency_minutes: 5, schema: 'DMS' } })], cdcPlan),
      want: ['PGF3316@/dms/tasks/0/heartbeat/schema'],
    },
    {
      name: 'two CDC tasks on one database',
      plan: withTasks(
        [cdcTask({ id: 'a', tables: tables(['public.a%']) }), cdcTask({ id: 'b', tables: tables(['public.b%']) })],
        cdcPlan,
      ),
      want: ['PGF3317@/dms/tasks/1/database'],
      words: ['whole WAL stream'],
    },
    {
      name: 'heartbeat frequency 0',
      plan: withTasks([cdcTask({ heartbeat: { enabled: true, frequency_minutes: 0, schema: 'public' } })], cdcPlan),
      want: ['PGF3314@/dms/tasks/0/heartbeat/frequency_minutes'],
    },
    {
      name: 'full-load task with heartbeat and CDC tuning',
      plan: withTasks([
        task({
          heartbeat: { enabled: true, frequency_minutes: 5, schema: 'public' },
          settings: { ChangeProcessingTuning: { MemoryLimitTotal: 2048 } },
        }),
      ]),
      want: ['PGF3315@/dms/tasks/0/heartbeat/enabled'],
      words: ['heartbeat', 'ChangeProcessingTuning'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(cdcTaskRule, row));
});

describe('LOB', () => {
  const rows: Row[] = [
    { name: 'limited 32 KB passes', plan: basePlan, want: [] },
    {
      name: 'limited with size 0',
      plan: withTasks([task({ lob: { mode: 'limited', max_size_kb: 0 } })]),
      want: ['PGF3321@/dms/tasks/0/lob/max_size_kb'],
    },
    {
      name: 'limited beyond 100 MB',
      plan: withTasks([task({ lob: { mode: 'limited', max_size_kb: 204800 } })]),
      want: ['PGF3322@/dms/tasks/0/lob/max_size_kb'],
    },
    {
      name: 'full LOB mode needs keys (info without catalog), chunk over 64',
      plan: withTasks([task({ lob: { mode: 'full', chunk_size_kb: 128 } })]),
      want: ['PGF3322@/dms/tasks/0/lob/chunk_size_kb', 'PGF3320@/dms/tasks/0/lob/mode'],
    },
    {
      name: 'validation needs keys',
      plan: withTasks([task({ validation: true })]),
      want: ['PGF3320@/dms/tasks/0/validation'],
      words: ['primary key'],
    },
    { name: 'no LOBs passes', plan: withTasks([task({ lob: { mode: 'none' } })]), want: [] },
  ];
  test.each(rows)('$name', (row) => expectRow(lobRule, row));
});

describe('full load', () => {
  const tuning = basePlan.dms.tasks[0]!.full_load;
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'MaxFullLoadSubTasks 50 and CommitRate 60000',
      plan: withTasks([task({ full_load: { ...tuning, max_sub_tasks: 50, commit_rate: 60000 } })]),
      want: ['PGF3330@/dms/tasks/0/full_load/commit_rate', 'PGF3330@/dms/tasks/0/full_load/max_sub_tasks'],
      words: ['dms accepts'],
    },
    {
      name: 'DROP_AND_CREATE over a pre-created schema',
      plan: withTasks([task({ full_load: { ...tuning, target_table_prep_mode: 'DROP_AND_CREATE' } })]),
      want: ['PGF3331@/dms/tasks/0/full_load/target_table_prep_mode'],
      words: ['drop'],
    },
    {
      name: 'DO_NOTHING when DMS creates the schema',
      plan: planWith({ target: { schema_objects: { strategy: 'dms_creates', post_load_sql: ['post.sql'] } } }),
      want: ['PGF3331@/dms/tasks/0/full_load/target_table_prep_mode'],
      words: ['nothing creates'],
    },
    {
      name: 'TRUNCATE_BEFORE_LOAD on a pre-created schema',
      plan: withTasks([task({ full_load: { ...tuning, target_table_prep_mode: 'TRUNCATE_BEFORE_LOAD' } })]),
      want: ['PGF3332@/dms/tasks/0/full_load/target_table_prep_mode'],
    },
    {
      name: 'DMS creates tables and nothing restores indexes',
      plan: planWith({
        target: { schema_objects: { strategy: 'dms_creates', post_load_sql: [] } },
        dms: { tasks: [task({ full_load: { ...tuning, target_table_prep_mode: 'DROP_AND_CREATE' } })] },
      }),
      want: ['PGF3333@/target/schema_objects'],
    },
    {
      name: 'DMS creates tables with DROP_AND_CREATE and post-load SQL restores the rest: passes',
      plan: planWith({
        target: { schema_objects: { strategy: 'dms_creates', post_load_sql: ['post.sql'] } },
        dms: { tasks: [task({ full_load: { ...tuning, target_table_prep_mode: 'DROP_AND_CREATE' } })] },
      }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(fullLoadRule, row));
});
