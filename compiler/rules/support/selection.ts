// Which catalog tables a task's include/exclude patterns select, the way DMS applies selection rules:
// a table is in when some include matches and no exclude does. Views are not selected (table-type
// defaults to `table`).

import type { CatalogDatabase, CatalogSnapshot, CatalogTable } from '../../../contracts/catalog.js';
import { compilePattern, matchesWildcard, splitTablePattern } from '../../knowledge/dms-wildcard.js';
import type { Task } from '../../model/plan.js';
import { PatternIndex } from './pattern-index.js';

export interface SelectedTable {
  readonly table: CatalogTable;
  /** Index into `task.tables.include` of the first pattern that selected it. */
  readonly includeIndex: number;
}

export function patternMatches(pattern: string, schema: string, table: string): boolean {
  const parts = splitTablePattern(pattern);
  return parts !== null && matchesWildcard(parts.schema, schema) && matchesWildcard(parts.table, table);
}

interface IncludePattern {
  readonly index: number;
  readonly schema: string;
  readonly table: string;
}

function includeIndex(task: Task): PatternIndex<IncludePattern> {
  const patterns = task.tables.include.flatMap((pattern, index) => {
    const parts = splitTablePattern(pattern);
    return parts && compilePattern(parts.schema) && compilePattern(parts.table) ? [{ index, ...parts }] : [];
  });
  return new PatternIndex(patterns);
}

// Plans and snapshots are immutable, so the selection of a task in a database is computed once and
// shared by every catalog rule of a checkPlan run.
const selectionCache = new WeakMap<Task, WeakMap<CatalogDatabase, readonly SelectedTable[]>>();

export function selectedTables(task: Task, database: CatalogDatabase): readonly SelectedTable[] {
  let byDatabase = selectionCache.get(task);
  if (!byDatabase) {
    byDatabase = new WeakMap();
    selectionCache.set(task, byDatabase);
  }
  let selected = byDatabase.get(database);
  if (!selected) {
    selected = computeSelection(task, database);
    byDatabase.set(database, selected);
  }
  return selected;
}

function computeSelection(task: Task, database: CatalogDatabase): SelectedTable[] {
  const index = includeIndex(task);
  const selected: SelectedTable[] = [];
  for (const table of database.tables) {
    if (table.kind !== 'table' && table.kind !== 'partitioned-table') continue;
    let first = Number.POSITIVE_INFINITY;
    for (const pattern of index.nameCandidates(table.name)) {
      if (
        pattern.index < first &&
        matchesWildcard(pattern.table, table.name) &&
        matchesWildcard(pattern.schema, table.schema)
      ) {
        first = pattern.index;
      }
    }
    if (first === Number.POSITIVE_INFINITY) continue;
    if (task.tables.exclude.some((pattern) => patternMatches(pattern, table.schema, table.name))) continue;
    selected.push({ table, includeIndex: first });
  }
  return selected;
}

/** Indexes of the include patterns that match at least one relation of the database (views too). */
export function includesWithMatches(task: Task, database: CatalogDatabase): Set<number> {
  const index = includeIndex(task);
  const hit = new Set<number>();
  for (const table of database.tables) {
    for (const pattern of index.nameCandidates(table.name)) {
      if (
        !hit.has(pattern.index) &&
        matchesWildcard(pattern.table, table.name) &&
        matchesWildcard(pattern.schema, table.schema)
      ) {
        hit.add(pattern.index);
      }
    }
  }
  return hit;
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

/** Why a task would not load one exact table, or null when it does: the exclude that drops it, or no include. */
export function unselectedReason(task: Task, schema: string, table: string): string | null {
  const excludedBy = task.tables.exclude.find((pattern) => patternMatches(pattern, schema, table));
  if (excludedBy !== undefined) return `task "${task.id}" excludes it (${excludedBy})`;
  if (!task.tables.include.some((pattern) => patternMatches(pattern, schema, table))) {
    return `no include pattern of task "${task.id}" selects it`;
  }
  return null;
}
