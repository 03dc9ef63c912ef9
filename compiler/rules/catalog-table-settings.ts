// Table settings checked against the catalog snapshot: range columns that exist, have a type DMS can
// segment by and lead the primary key (the only index the snapshot shows), and a suggestion to split
// the largest tables the plan loads in one piece.

import type { CatalogColumn, CatalogTable } from '../../contracts/catalog.js';
import { defineCode } from '../diagnostics/codes.js';
import type { Task } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';
import { catalogDatabase, planSelections, qualifiedName } from './support/selection.js';

export const PARALLEL_LOAD_COLUMN = defineCode({
  code: 'PGF5084',
  name: 'parallel-load-column',
  severity: 'error',
  title: 'A range column does not exist or has a type DMS cannot segment by',
  explanation:
    'ranges segments a table by comparing its columns with the boundaries. The columns must exist, and DMS does ' +
    'not segment by DOUBLE/FLOAT or LOB columns (PostgreSQL real, double precision, text, bytea, json, jsonb, ' +
    'xml, arrays). Use the key column.',
});

export const PARALLEL_LOAD_KEY = defineCode({
  code: 'PGF5085',
  name: 'parallel-load-key',
  severity: 'warning',
  title: 'A range column is not the leading key column, or is nullable',
  explanation:
    'Every segment is a range query on the columns: unless they lead an index (the primary key is the one index ' +
    'the snapshot shows) each segment scans the whole table, and the parallel load is slower than none. Rows ' +
    'whose range column is NULL fall in no segment and are not loaded. Segment by the leading primary-key column.',
});

export const PARALLEL_LOAD_SUGGESTED = defineCode({
  code: 'PGF5086',
  name: 'parallel-load-suggested',
  severity: 'info',
  title: 'A large table is loaded in one piece',
  explanation:
    'A table of 100 GiB or more loaded by one sub-task bounds the whole full load. A table-settings rule with ' +
    'parallel-load ranges on the leading primary-key column lets DMS load segments side by side. Choose ' +
    'boundaries with `SELECT percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY id) FROM t`.',
});

export const TABLE_SETTINGS_MISSING = defineCode({
  code: 'PGF5087',
  name: 'table-settings-missing',
  severity: 'warning',
  title: 'A table-settings rule names a table the catalog does not have',
  explanation:
    'The source database has no table of that name (names are case-sensitive), so DMS never applies the setting.',
});

const LARGE_TABLE_BYTES = 100 * 1024 ** 3;
const UNSEGMENTABLE = /^(real|double precision|float|text|bytea|json|jsonb|xml)\b|\[\]$/;

function unsegmentable(column: CatalogColumn): boolean {
  return UNSEGMENTABLE.test(column.type) || column.concern === 'lob-like';
}

function findTable(tables: readonly CatalogTable[], name: string): CatalogTable | undefined {
  return tables.find((table) => qualifiedName(table) === name);
}

function checkTask(task: Task, at: string, tables: readonly CatalogTable[], report: (f: Finding) => void): void {
  task.table_settings.forEach((setting, i) => {
    const settingAt = `${at}/table_settings/${i}`;
    const table = findTable(tables, setting.table);
    if (!table) {
      report({
        code: TABLE_SETTINGS_MISSING.code,
        pointer: `${settingAt}/table`,
        message: `database "${task.database}" has no table ${setting.table}`,
      });
      return;
    }
    const load = setting.parallel_load;
    if (load?.type !== 'ranges') return;
    load.columns.forEach((name, c) => {
      const pointer = `${settingAt}/parallel_load/columns/${c}`;
      const column = table.columns.find((candidate) => candidate.name === name);
      if (!column) {
        report({ code: PARALLEL_LOAD_COLUMN.code, pointer, message: `${setting.table} has no column ${name}` });
        return;
      }
      if (unsegmentable(column)) {
        report({
          code: PARALLEL_LOAD_COLUMN.code,
          pointer,
          message: `DMS cannot segment ${setting.table} by ${name} (${column.type})`,
        });
      }
      if (table.primaryKey[c] !== name) {
        report({
          code: PARALLEL_LOAD_KEY.code,
          pointer,
          message:
            table.primaryKey.length === 0
              ? `${setting.table} has no primary key: every segment scans the table`
              : `${name} is not column ${c + 1} of the primary key (${table.primaryKey.join(', ')}): every segment scans the table`,
        });
      } else if (!column.notNull) {
        report({
          code: PARALLEL_LOAD_KEY.code,
          pointer,
          message: `${name} is nullable: rows where it is NULL are in no segment and not loaded`,
        });
      }
    });
  });
}

export const catalogTableSettingsRule = {
  codes: [PARALLEL_LOAD_COLUMN, PARALLEL_LOAD_KEY, PARALLEL_LOAD_SUGGESTED, TABLE_SETTINGS_MISSING],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    plan.dms.tasks.forEach((task, index) => {
      const database = catalogDatabase(catalog, task.database);
      if (database) checkTask(task, `/dms/tasks/${index}`, database.tables, report);
    });
    for (const { task, table, name, pointer } of planSelections(plan.dms.tasks, catalog)) {
      if (task.migration_type === 'cdc' || table.sizeBytes < LARGE_TABLE_BYTES) continue;
      if (task.table_settings.some((setting) => setting.table === name && setting.parallel_load !== null)) continue;
      const key = table.primaryKey[0];
      report({
        code: PARALLEL_LOAD_SUGGESTED.code,
        pointer,
        message: `${name} is ${Math.round(table.sizeBytes / 1024 ** 3)} GiB and task "${task.id}" loads it in one piece`,
        hint:
          key === undefined
            ? 'add a primary key, then a table_settings entry with parallel_load ranges on it'
            : `add to task "${task.id}": table_settings: [{table: ${name}, parallel_load: {type: ranges, columns: [${key}], boundaries: [[…], […]]}}]`,
      });
    }
  },
} satisfies Rule;
