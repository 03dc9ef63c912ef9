// Table-settings rules checked without a catalog (reference/dms.md §6.3): parallel-load keys per type,
// what a PostgreSQL source supports, increasing boundaries, parallel load on a task without a full load,
// per-table LOB settings, and the table being one the task loads. The logical engine's refusal is
// reported with the transformations' (PGF3345).

import { defineCode } from '../diagnostics/codes.js';
import { matchesMany, splitTablePattern } from '../knowledge/dms-wildcard.js';
import type { ParallelLoad, TableSetting, Task } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';
import { unselectedReason } from './support/selection.js';

export const PARALLEL_LOAD_SHAPE = defineCode({
  code: 'PGF3350',
  name: 'parallel-load-shape',
  severity: 'error',
  title: 'A parallel-load setting lacks a key its type needs, or has one it does not use',
  explanation:
    'ranges needs `columns` (1 to 10) and at least one row of `boundaries`, each row one value per column; ' +
    'partitions-list needs `partitions` (and may name `subpartitions`); partitions-auto, subpartitions-auto and ' +
    'none take no list. DMS rejects the table mapping otherwise.',
});

export const PARALLEL_LOAD_UNSUPPORTED = defineCode({
  code: 'PGF3351',
  name: 'parallel-load-unsupported',
  severity: 'error',
  title: 'The parallel-load type is not supported for a PostgreSQL source',
  explanation:
    'For a PostgreSQL source DMS segments a table by ranges only: partitions-auto, subpartitions-auto and ' +
    'partitions-list are for Oracle, SQL Server and Db2 sources (reference/dms.md §6.3; partitioned PostgreSQL ' +
    'tables are selected leaf by leaf instead). Use type ranges on the leading key column, or none.',
});

export const PARALLEL_LOAD_BOUNDARIES = defineCode({
  code: 'PGF3352',
  name: 'parallel-load-boundaries',
  severity: 'error',
  title: 'Parallel-load boundaries are not increasing',
  explanation:
    'Each boundary row closes a segment: DMS loads rows up to the first boundary, then up to the second, and so ' +
    'on. Rows out of order make empty or overlapping segments. Write boundaries in increasing order (compared ' +
    'column by column; numbers numerically, text as written).',
});

export const PARALLEL_LOAD_NO_FULL_LOAD = defineCode({
  code: 'PGF3353',
  name: 'parallel-load-no-full-load',
  severity: 'error',
  title: 'Parallel load on a task without a full load',
  explanation:
    'parallel-load splits the full load of a table; a cdc task has no full load, so the setting does nothing. ' +
    'Move it to the full-load or full-load-and-cdc task of the table.',
});

export const TABLE_LOB_SETTINGS = defineCode({
  code: 'PGF3354',
  name: 'table-lob-settings',
  severity: 'error',
  title: 'Per-table LOB settings DMS does not accept',
  explanation:
    'lob-settings limited needs bulk_max_size_kb of at least 1 (values above it are truncated); unlimited is ' +
    'full LOB mode and takes no size (a non-zero size is a combination mode for Db2 and SAP ASE only); and a task ' +
    'whose LOB mode is none does not support LOBs at all, so table settings cannot turn them on.',
});

export const TABLE_SETTINGS_TABLE = defineCode({
  code: 'PGF3355',
  name: 'table-settings-table',
  severity: 'error',
  title: 'A table-settings rule names no single table the task loads',
  explanation:
    'DMS requires an exact schema and table name in a table-settings rule ("Exact schema and table name required ' +
    'when using table settings rule"), one rule per table, and the table must be one the task selects.',
});

export const PARALLEL_LOAD_SEGMENTS = defineCode({
  code: 'PGF3356',
  name: 'parallel-load-segments',
  severity: 'warning',
  title: 'More range segments than full-load sub-tasks',
  explanation:
    'DMS loads at most MaxFullLoadSubTasks (full_load.max_sub_tasks) segments and tables at a time; segments ' +
    'beyond that wait. Raise max_sub_tasks (up to 49) or use fewer boundaries.',
});

const MAX_RANGE_COLUMNS = 10;

function shapeProblems(load: ParallelLoad): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const unused = (key: string) => out.push({ key, message: `parallel-load ${load.type} does not use \`${key}\`` });
  if (load.type === 'ranges') {
    if (load.columns.length === 0) out.push({ key: 'columns', message: 'parallel-load ranges needs `columns`' });
    if (load.columns.length > MAX_RANGE_COLUMNS) {
      out.push({
        key: 'columns',
        message: `ranges takes at most ${MAX_RANGE_COLUMNS} columns, not ${load.columns.length}`,
      });
    }
    if (load.boundaries.length === 0)
      out.push({ key: 'boundaries', message: 'parallel-load ranges needs `boundaries`' });
    load.boundaries.forEach((row, i) => {
      if (load.columns.length > 0 && row.length !== load.columns.length) {
        out.push({
          key: `boundaries/${i}`,
          message: `boundary ${i + 1} has ${row.length} value(s) for ${load.columns.length} column(s)`,
        });
      }
    });
  } else {
    if (load.columns.length > 0) unused('columns');
    if (load.boundaries.length > 0) unused('boundaries');
  }
  if (load.type === 'partitions-list') {
    if (load.partitions.length === 0) {
      out.push({ key: 'partitions', message: 'parallel-load partitions-list needs `partitions`' });
    }
  } else {
    if (load.partitions.length > 0) unused('partitions');
    if (load.subpartitions.length > 0) unused('subpartitions');
  }
  return out;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** <0, 0, >0 like a comparator; numbers (or numeric text) numerically, otherwise text as written. */
function compareValue(a: string | number, b: string | number): number {
  const sa = String(a);
  const sb = String(b);
  if (NUMBER.test(sa) && NUMBER.test(sb)) return Number(sa) - Number(sb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareRows(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValue(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function checkParallelLoad(task: Task, load: ParallelLoad, at: string, report: (f: Finding) => void): void {
  for (const problem of shapeProblems(load)) {
    report({ code: PARALLEL_LOAD_SHAPE.code, pointer: `${at}/${problem.key}`, message: problem.message });
  }
  if (load.type === 'partitions-auto' || load.type === 'subpartitions-auto' || load.type === 'partitions-list') {
    report({
      code: PARALLEL_LOAD_UNSUPPORTED.code,
      pointer: `${at}/type`,
      message: `parallel-load ${load.type} is not supported for a PostgreSQL source; use ranges`,
    });
  }
  if (load.type === 'none') return;
  if (task.migration_type === 'cdc') {
    report({
      code: PARALLEL_LOAD_NO_FULL_LOAD.code,
      pointer: `${at}/type`,
      message: `task "${task.id}" is cdc only: there is no full load to split`,
    });
  }
  if (load.type !== 'ranges') return;
  for (let i = 1; i < load.boundaries.length; i++) {
    if (compareRows(load.boundaries[i - 1]!, load.boundaries[i]!) >= 0) {
      report({
        code: PARALLEL_LOAD_BOUNDARIES.code,
        pointer: `${at}/boundaries/${i}`,
        message: `boundary ${i + 1} (${load.boundaries[i]!.join(', ')}) is not above boundary ${i} (${load.boundaries[i - 1]!.join(', ')})`,
      });
    }
  }
  const segments = load.boundaries.length + 1;
  if (segments > task.full_load.max_sub_tasks) {
    report({
      code: PARALLEL_LOAD_SEGMENTS.code,
      pointer: `${at}/boundaries`,
      message: `${segments} segments but full_load.max_sub_tasks is ${task.full_load.max_sub_tasks}; the rest wait`,
    });
  }
}

function checkLob(task: Task, setting: TableSetting, at: string, report: (f: Finding) => void): void {
  const lob = setting.lob;
  if (!lob) return;
  const size = lob.bulk_max_size_kb;
  if (lob.mode === 'limited' && !(size !== null && size >= 1)) {
    report({
      code: TABLE_LOB_SETTINGS.code,
      pointer: `${at}/lob/bulk_max_size_kb`,
      message: `lob-settings limited needs bulk_max_size_kb ≥ 1${size === null ? '' : `, not ${size}`}`,
    });
  }
  if (lob.mode === 'unlimited' && size !== null && size > 0) {
    report({
      code: TABLE_LOB_SETTINGS.code,
      pointer: `${at}/lob/bulk_max_size_kb`,
      message: 'lob-settings unlimited with a size is a combination mode DMS offers for Db2 and SAP ASE only',
      hint: 'remove bulk_max_size_kb (or set 0)',
    });
  }
  if (lob.mode !== 'none' && task.lob.mode === 'none') {
    report({
      code: TABLE_LOB_SETTINGS.code,
      pointer: `${at}/lob/mode`,
      message: `task "${task.id}" has LOB mode none (no LOB support), so a table cannot use ${lob.mode} LOBs`,
      hint: 'set the task lob mode to limited or full',
    });
  }
}

function checkTable(task: Task, setting: TableSetting, at: string, report: (f: Finding) => void): void {
  const parts = splitTablePattern(setting.table);
  if (!parts || matchesMany(parts.schema) || matchesMany(parts.table)) {
    report({
      code: TABLE_SETTINGS_TABLE.code,
      pointer: `${at}/table`,
      message: `"${setting.table}" is not an exact schema.table; table-settings rules accept no % wildcard`,
    });
    return;
  }
  const reason = unselectedReason(task, parts.schema, parts.table);
  if (reason !== null) {
    report({ code: TABLE_SETTINGS_TABLE.code, pointer: `${at}/table`, message: `${setting.table}: ${reason}` });
  }
}

export const tableSettingsRule = {
  codes: [
    PARALLEL_LOAD_SHAPE,
    PARALLEL_LOAD_UNSUPPORTED,
    PARALLEL_LOAD_BOUNDARIES,
    PARALLEL_LOAD_NO_FULL_LOAD,
    TABLE_LOB_SETTINGS,
    TABLE_SETTINGS_TABLE,
    PARALLEL_LOAD_SEGMENTS,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    plan.dms.tasks.forEach((task, index) => {
      const seen = new Map<string, number>();
      task.table_settings.forEach((setting, i) => {
        const at = `/dms/tasks/${index}/table_settings/${i}`;
        const earlier = seen.get(setting.table);
        if (earlier !== undefined) {
          report({
            code: TABLE_SETTINGS_TABLE.code,
            pointer: `${at}/table`,
            message: `${setting.table} already has table settings (table_settings ${earlier + 1}); DMS takes one rule per table`,
            notes: [{ message: 'the first rule', pointer: `/dms/tasks/${index}/table_settings/${earlier}` }],
          });
        } else seen.set(setting.table, i);
        checkTable(task, setting, at, report);
        if (setting.parallel_load) checkParallelLoad(task, setting.parallel_load, `${at}/parallel_load`, report);
        checkLob(task, setting, at, report);
      });
    });
  },
} satisfies Rule;
