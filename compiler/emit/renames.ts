// Where the plan's name transformations put things on the target. DMS renames schemas and tables as it
// loads them (reference/dms.md §6.2), so every piece of target SQL that finds tables by the task's
// selection patterns, or sequences by their source schema, must look under the new names.

import { quoteLiteral } from '../../contracts/sql-quote.js';
import { matchesWildcard, wildcardToRegex } from '../knowledge/dms-wildcard.js';
import type { Task, Transformation } from '../model/plan.js';

/** Actions that change a schema's, table's or column's name. */
export const NAME_ACTIONS: ReadonlySet<Transformation['action']> = new Set([
  'rename',
  'add-prefix',
  'remove-prefix',
  'replace-prefix',
  'add-suffix',
  'remove-suffix',
  'replace-suffix',
  'convert-lowercase',
  'convert-uppercase',
]);

/** Transformations that change the names of schemas, tables or columns. */
export function nameRules(task: Task, target: Transformation['target']): Transformation[] {
  return task.transformations.filter((rule) => rule.target === target && NAME_ACTIONS.has(rule.action));
}

/** A name after one name-changing rule (the rule is known to match it). */
export function applyNameRule(rule: Transformation, name: string): string {
  const value = rule.value ?? '';
  const old = rule.old_value ?? '';
  switch (rule.action) {
    case 'rename':
      return value;
    case 'add-prefix':
      return value + name;
    case 'add-suffix':
      return name + value;
    case 'remove-prefix':
      return name.startsWith(value) ? name.slice(value.length) : name;
    case 'remove-suffix':
      return name.endsWith(value) ? name.slice(0, name.length - value.length) : name;
    case 'replace-prefix':
      return name.startsWith(old) ? value + name.slice(old.length) : name;
    case 'replace-suffix':
      return name.endsWith(old) ? name.slice(0, name.length - old.length) + value : name;
    case 'convert-lowercase':
      return name.toLowerCase();
    case 'convert-uppercase':
      return name.toUpperCase();
    default:
      return name;
  }
}

/**
 * A locator part covers a selection-pattern part when it matches every name the part can match: it is
 * `%`, or the same text. A narrower rule (one table of `public.%`) leaves the pattern as it is, which
 * still matches the renamed table's schema.
 */
function covers(locator: string, part: string): boolean {
  return locator === '%' || locator === part;
}

/** The `schema.table` pattern a task's selection pattern becomes on the target. */
export function targetPattern(task: Task, pattern: string): string {
  const dot = pattern.indexOf('.');
  const sourceSchema = dot < 0 ? pattern : pattern.slice(0, dot);
  const sourceTable = dot < 0 ? '%' : pattern.slice(dot + 1);
  let table = sourceTable;
  let schema = sourceSchema;
  for (const rule of nameRules(task, 'schema')) {
    if (covers(rule.schema, sourceSchema)) schema = applyNameRule(rule, schema);
  }
  for (const rule of nameRules(task, 'table')) {
    if (covers(rule.schema, sourceSchema) && rule.table !== null && covers(rule.table, sourceTable)) {
      table = applyNameRule(rule, table);
    }
  }
  return `${schema}.${table}`;
}

/** The task with its selection patterns as they read on the target. */
export function onTarget(task: Task): Task {
  if (task.transformations.length === 0) return task;
  return {
    ...task,
    tables: {
      include: task.tables.include.map((pattern) => targetPattern(task, pattern)),
      exclude: task.tables.exclude.map((pattern) => targetPattern(task, pattern)),
    },
  };
}

/** A concrete source schema's name on the target. */
export function targetSchema(tasks: readonly Task[], schema: string): string {
  let name = schema;
  for (const task of tasks) {
    for (const rule of nameRules(task, 'schema')) {
      if (matchesWildcard(rule.schema, schema)) name = applyNameRule(rule, name);
    }
  }
  return name;
}

function sqlNameRule(rule: Transformation, expr: string): string {
  const value = quoteLiteral(rule.value ?? '');
  const old = quoteLiteral(rule.old_value ?? '');
  const n = (rule.value ?? '').length;
  const o = (rule.old_value ?? '').length;
  switch (rule.action) {
    case 'rename':
      return value;
    case 'add-prefix':
      return `${value} || ${expr}`;
    case 'add-suffix':
      return `${expr} || ${value}`;
    case 'remove-prefix':
      return `CASE WHEN left(${expr}, ${n}) = ${value} THEN substr(${expr}, ${n + 1}) ELSE ${expr} END`;
    case 'remove-suffix':
      return `CASE WHEN right(${expr}, ${n}) = ${value} THEN left(${expr}, -${n}) ELSE ${expr} END`;
    case 'replace-prefix':
      return `CASE WHEN left(${expr}, ${o}) = ${old} THEN ${value} || substr(${expr}, ${o + 1}) ELSE ${expr} END`;
    case 'replace-suffix':
      return `CASE WHEN right(${expr}, ${o}) = ${old} THEN left(${expr}, -${o}) || ${value} ELSE ${expr} END`;
    case 'convert-lowercase':
      return `lower(${expr})`;
    case 'convert-uppercase':
      return `upper(${expr})`;
    default:
      return expr;
  }
}

/**
 * A SQL expression giving the target schema of the source schema in `column`, the same way as
 * targetSchema; `column` itself when no task renames schemas.
 */
export function targetSchemaSql(tasks: readonly Task[], column: string): string {
  let expr = column;
  for (const task of tasks) {
    for (const rule of nameRules(task, 'schema')) {
      expr = `CASE WHEN ${column} ~ ${quoteLiteral(wildcardToRegex(rule.schema))} THEN ${sqlNameRule(rule, expr)} ELSE ${expr} END`;
    }
  }
  return expr;
}
