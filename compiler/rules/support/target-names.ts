// What a task's transformations make of each table it selects: the target schema and table name, and
// the target columns (renamed, removed, added), each remembering the rule that last changed it, so
// catalog rules can point at the transformation responsible for a collision.

import type { CatalogTable } from '../../../contracts/catalog.js';
import { applyNameRule, nameRules } from '../../emit/renames.js';
import { matchesWildcard } from '../../knowledge/dms-wildcard.js';
import type { Task, Transformation } from '../../model/plan.js';

export interface NamedBy {
  readonly name: string;
  /** Index into task.transformations of the rule that last changed the name; -1 when none did. */
  readonly rule: number;
}

export interface TargetTable {
  readonly source: CatalogTable;
  readonly schema: NamedBy;
  readonly table: NamedBy;
  /** Target columns in source order, then added ones; removed columns are absent. */
  readonly columns: readonly NamedBy[];
}

/** Whether a rule's locator matches the table (schema and table parts; the column is the caller's). */
export function locatesTable(rule: Transformation, table: { schema: string; name: string }): boolean {
  if (!matchesWildcard(rule.schema, table.schema)) return false;
  return rule.target === 'schema' || (rule.table !== null && matchesWildcard(rule.table, table.name));
}

function rename(
  task: Task,
  target: Transformation['target'],
  start: string,
  applies: (rule: Transformation) => boolean,
): NamedBy {
  let current: NamedBy = { name: start, rule: -1 };
  for (const rule of nameRules(task, target)) {
    if (!applies(rule)) continue;
    const name = applyNameRule(rule, current.name);
    if (name !== current.name) current = { name, rule: task.transformations.indexOf(rule) };
  }
  return current;
}

export function targetTable(task: Task, table: CatalogTable): TargetTable {
  const schema = rename(task, 'schema', table.schema, (rule) => matchesWildcard(rule.schema, table.schema));
  const name = rename(task, 'table', table.name, (rule) => locatesTable(rule, table));
  const columnRules = task.transformations.filter((rule) => rule.target === 'column' && locatesTable(rule, table));
  const removed = (column: string) =>
    columnRules.some(
      (rule) => rule.action === 'remove-column' && rule.column !== null && matchesWildcard(rule.column, column),
    );
  const columns: NamedBy[] = table.columns
    .filter((column) => !removed(column.name))
    .map((column) =>
      rename(
        task,
        'column',
        column.name,
        (rule) => locatesTable(rule, table) && rule.column !== null && matchesWildcard(rule.column, column.name),
      ),
    );
  for (const rule of columnRules) {
    if (rule.action === 'add-column' && rule.value !== null) {
      columns.push({ name: rule.value, rule: task.transformations.indexOf(rule) });
    }
  }
  return { source: table, schema, table: name, columns };
}
