// DMS table-selection wildcards (`%` any run, `_` one character, `[…]` a set or range such as `[_]`)
// as anchored PostgreSQL regular expressions, so target SQL can find exactly the tables a task selects.

import { quoteLiteral } from '../../contracts/sql-quote.js';
import { splitTablePattern, wildcardToRegex } from '../knowledge/dms-wildcard.js';
import type { Task } from '../model/plan.js';

/**
 * A predicate over `pg_namespace n`: a schema the user owns, never the system's (pg_catalog,
 * information_schema, pg_toast, pg_temp_*): `%.%` must not find (or act on) catalog tables.
 */
export const USER_SCHEMA_SQL = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'";

function splitPattern(pattern: string): [string, string] {
  // The rules reject a pattern without a schema part before anything is emitted.
  const parts = splitTablePattern(pattern);
  return parts ? [parts.schema, parts.table] : [pattern, '%'];
}

/** `(VALUES ('^public$', '^.*$'), …)` rows of (schema regex, table regex). */
function patternValues(patterns: readonly string[]): string {
  const rows = patterns.map((pattern) => {
    const [schema, table] = splitPattern(pattern);
    return `(${quoteLiteral(wildcardToRegex(schema))}, ${quoteLiteral(wildcardToRegex(table))})`;
  });
  return `(VALUES ${rows.join(', ')})`;
}

function matchAny(patterns: readonly string[], alias: string): string {
  return `EXISTS (SELECT 1 FROM ${patternValues(patterns)} AS ${alias}(s, t) WHERE n.nspname ~ ${alias}.s AND c.relname ~ ${alias}.t)`;
}

/** A predicate over `pg_class c JOIN pg_namespace n`: the table is selected by at least one task. */
export function selectedByTasks(tasks: readonly Task[]): string {
  const perTask = tasks
    .filter((task) => task.tables.include.length > 0)
    .map((task) => {
      const include = matchAny(task.tables.include, 'i');
      return task.tables.exclude.length === 0 ? include : `(${include} AND NOT ${matchAny(task.tables.exclude, 'x')})`;
    });
  return perTask.length === 0 ? 'false' : perTask.join('\n      OR ');
}

/** Rows (pattern, schema regex, table regex) for checks that report the plan's own spelling. */
export function patternRows(patterns: readonly string[]): string {
  const rows = patterns.map((pattern) => {
    const [schema, table] = splitPattern(pattern);
    return `(${quoteLiteral(pattern)}, ${quoteLiteral(wildcardToRegex(schema))}, ${quoteLiteral(wildcardToRegex(table))})`;
  });
  return `(VALUES ${rows.join(', ')})`;
}
