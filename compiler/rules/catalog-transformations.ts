// Transformations checked against the catalog snapshot: a rule that matches nothing the task loads, one
// that removes a primary-key column, and renames that make two tables or two columns share a name.

import type { CatalogDatabase } from '../../contracts/catalog.js';
import { defineCode } from '../diagnostics/codes.js';
import { matchesWildcard } from '../knowledge/dms-wildcard.js';
import type { Task, Transformation } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';
import { catalogDatabase, qualifiedName, selectedTables } from './support/selection.js';
import { locatesTable, type NamedBy, type TargetTable, targetTable } from './support/target-names.js';

export const TRANSFORMATION_MATCHES_NOTHING = defineCode({
  code: 'PGF5080',
  name: 'transformation-matches-nothing',
  severity: 'warning',
  title: 'A transformation matches nothing in the catalog',
  explanation:
    "No schema, table or column of the tables the task loads matches the transformation's locator, so DMS " +
    'does nothing with it: a misspelt name (names are case-sensitive) or a table that moved. Fix the locator or ' +
    'remove the rule.',
});

export const TRANSFORMATION_EXCLUDED_TABLE = defineCode({
  code: 'PGF5081',
  name: 'transformation-excluded-table',
  severity: 'error',
  title: 'A transformation matches only tables the task does not load',
  explanation:
    "The locator matches tables of the catalog, but the task's selection excludes every one of them, so the " +
    'transformation has no effect. Include the tables or remove the rule.',
});

export const TRANSFORMATION_REMOVES_KEY = defineCode({
  code: 'PGF5082',
  name: 'transformation-removes-key',
  severity: 'error',
  title: 'A remove-column transformation drops a primary-key column',
  explanation:
    'DMS applies changes, validates rows and fetches LOBs by primary key. Without a key column on the target, ' +
    'updates and deletes cannot find their rows and the target table has no key to load into. Keep key columns.',
});

export const TRANSFORMATION_NAME_TAKEN = defineCode({
  code: 'PGF5083',
  name: 'transformation-name-taken',
  severity: 'error',
  title: 'Transformations give two tables or two columns the same name',
  explanation:
    'A rename, prefix, suffix or case rule (or an added column) produces a name another object already has on ' +
    'the target: two source tables cannot load into one target table, and a table cannot have two columns of ' +
    'one name. Choose another name.',
});

function ruleCovers(rule: Transformation, targets: readonly TargetTable[]): boolean {
  return targets.some(({ source }) => {
    if (!locatesTable(rule, source)) return false;
    if (rule.target !== 'column' || rule.action === 'add-column') return true;
    return source.columns.some((column) => rule.column !== null && matchesWildcard(rule.column, column.name));
  });
}

function checkMatches(
  task: Task,
  at: string,
  database: CatalogDatabase,
  targets: TargetTable[],
  report: (f: Finding) => void,
): void {
  task.transformations.forEach((rule, i) => {
    if (ruleCovers(rule, targets)) return;
    const others = database.tables
      .filter((table) => table.kind === 'table' || table.kind === 'partitioned-table')
      .map((table) => targetTable(task, table));
    const excluded = ruleCovers(rule, others);
    report({
      code: excluded ? TRANSFORMATION_EXCLUDED_TABLE.code : TRANSFORMATION_MATCHES_NOTHING.code,
      pointer: `${at}/transformations/${i}`,
      message: excluded
        ? `${rule.action} matches only tables task "${task.id}" does not load`
        : `${rule.action} on ${rule.target} ${[rule.schema, rule.table, rule.column].filter((p) => p !== null).join('.')} matches nothing the task loads in database "${task.database}"`,
    });
  });
}

function checkKeys(task: Task, at: string, targets: TargetTable[], report: (f: Finding) => void): void {
  task.transformations.forEach((rule, i) => {
    if (rule.action !== 'remove-column' || rule.column === null) return;
    for (const { source } of targets) {
      if (!locatesTable(rule, source)) continue;
      const keys = source.primaryKey.filter((key) => matchesWildcard(rule.column!, key));
      if (keys.length > 0) {
        report({
          code: TRANSFORMATION_REMOVES_KEY.code,
          pointer: `${at}/transformations/${i}/column`,
          message: `remove-column drops primary-key column(s) ${keys.join(', ')} of ${qualifiedName(source)}`,
        });
      }
    }
  });
}

/** Point at the rule that made the later of two same-named objects, or else at the earlier one's. */
function culprit(first: NamedBy, second: NamedBy): number {
  return second.rule >= 0 ? second.rule : first.rule;
}

function checkNames(
  task: Task,
  at: string,
  database: CatalogDatabase,
  targets: TargetTable[],
  report: (f: Finding) => void,
): void {
  const reported = new Set<number>();
  const once = (rule: number, message: string) => {
    if (rule < 0 || reported.has(rule)) return;
    reported.add(rule);
    report({ code: TRANSFORMATION_NAME_TAKEN.code, pointer: `${at}/transformations/${rule}`, message });
  };
  const selected = new Set(targets.map(({ source }) => qualifiedName(source)));
  const byName = new Map<string, { target: TargetTable; named: NamedBy }>();
  // Tables the task does not load keep their names (pre-created targets restore them all).
  for (const table of database.tables) {
    if (selected.has(qualifiedName(table)) || (table.kind !== 'table' && table.kind !== 'partitioned-table')) continue;
    byName.set(qualifiedName(table), {
      target: targetTable({ ...task, transformations: [] }, table),
      named: { name: table.name, rule: -1 },
    });
  }
  for (const target of targets) {
    const name = `${target.schema.name}.${target.table.name}`;
    const named = target.table.rule >= 0 ? target.table : target.schema;
    const earlier = byName.get(name);
    if (earlier) {
      once(
        culprit(earlier.named, named),
        `${qualifiedName(target.source)} and ${qualifiedName(earlier.target.source)} would both be ${name} on the target`,
      );
    } else byName.set(name, { target, named });
    const columns = new Map<string, NamedBy>();
    for (const column of target.columns) {
      const first = columns.get(column.name);
      if (first) {
        once(culprit(first, column), `${qualifiedName(target.source)} would have two columns named ${column.name}`);
      } else columns.set(column.name, column);
    }
  }
}

export const catalogTransformationsRule = {
  codes: [
    TRANSFORMATION_MATCHES_NOTHING,
    TRANSFORMATION_EXCLUDED_TABLE,
    TRANSFORMATION_REMOVES_KEY,
    TRANSFORMATION_NAME_TAKEN,
  ],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    plan.dms.tasks.forEach((task, index) => {
      if (task.transformations.length === 0) return;
      const database = catalogDatabase(catalog, task.database);
      if (!database) return;
      const at = `/dms/tasks/${index}`;
      const targets = selectedTables(task, database).map(({ table }) => targetTable(task, table));
      checkMatches(task, at, database, targets, report);
      checkKeys(task, at, targets, report);
      checkNames(task, at, database, targets, report);
    });
  },
} satisfies Rule;
