// Which catalog tables a task's include/exclude patterns select, the way DMS applies selection rules:
// a table is in when some include matches and no exclude does. Views are not selected (table-type
// defaults to `table`).

import type { CatalogDatabase, CatalogSnapshot, CatalogTable } from '../../../contracts/catalog.js';
import type { Task } from '../../model/plan.js';
import { matchesWildcard, splitTablePattern } from './wildcard.js';

export interface SelectedTable {
  readonly table: CatalogTable;
  /** Index into `task.tables.include` of the first pattern that selected it. */
  readonly includeIndex: number;
}

export function patternMatches(pattern: string, schema: string, table: string): boolean {
  const parts = splitTablePattern(pattern);
  return parts !== null && matchesWildcard(parts.schema, schema) && matchesWildcard(parts.table, table);
}

export function selectedTables(task: Task, database: CatalogDatabase): SelectedTable[] {
  const selected: SelectedTable[] = [];
  for (const table of database.tables) {
    if (table.kind !== 'table' && table.kind !== 'partitioned-table') continue;
    const includeIndex = task.tables.include.findIndex((pattern) => patternMatches(pattern, table.schema, table.name));
    if (includeIndex < 0) continue;
    if (task.tables.exclude.some((pattern) => patternMatches(pattern, table.schema, table.name))) continue;
    selected.push({ table, includeIndex });
  }
  return selected;
}

export function catalogDatabase(catalog: CatalogSnapshot, name: string): CatalogDatabase | undefined {
  return catalog.databases.find((database) => database.name === name);
}

export function qualifiedName(table: { readonly schema: string; readonly name: string }): string {
  return `${table.schema}.${table.name}`;
}

export interface PlanSelection {
  readonly task: Task;
  readonly table: CatalogTable;
  /** `schema.name`. */
  readonly name: string;
  /** The include pattern that selected the table: where findings about it point. */
  readonly pointer: string;
}

/** Every (task, table) pair the plan's selections pick from the snapshot, in task then catalog order. */
export function planSelections(tasks: readonly Task[], catalog: CatalogSnapshot): PlanSelection[] {
  return tasks.flatMap((task, index) => {
    const database = catalogDatabase(catalog, task.database);
    if (!database) return [];
    return selectedTables(task, database).map(({ table, includeIndex }) => ({
      task,
      table,
      name: qualifiedName(table),
      pointer: `/dms/tasks/${index}/tables/include/${includeIndex}`,
    }));
  });
}
