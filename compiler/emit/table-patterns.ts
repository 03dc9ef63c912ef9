// DMS table-selection wildcards (`%` any run, `_` one character, `[…]` a set or range such as `[_]`)
// as anchored PostgreSQL regular expressions, so target SQL can find exactly the tables a task selects.

import type { Task } from '../model/plan.js';

const REGEX_SPECIAL = /[.^$*+?(){}|\\]/;

export function wildcardToRegex(pattern: string): string {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += pattern.slice(i, close + 1);
        i = close;
      }
    } else if (ch === ']') out += '\\]';
    else out += REGEX_SPECIAL.test(ch) ? `\\${ch}` : ch;
  }
  return `${out}$`;
}

export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function splitPattern(pattern: string): [string, string] {
  const dot = pattern.indexOf('.');
  return dot < 0 ? [pattern, '%'] : [pattern.slice(0, dot), pattern.slice(dot + 1)];
}

/** `(VALUES ('^public$', '^.*$'), …)` rows of (schema regex, table regex). */
function patternValues(patterns: readonly string[]): string {
  const rows = patterns.map((pattern) => {
    const [schema, table] = splitPattern(pattern);
    return `(${sqlLiteral(wildcardToRegex(schema))}, ${sqlLiteral(wildcardToRegex(table))})`;
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
    return `(${sqlLiteral(pattern)}, ${sqlLiteral(wildcardToRegex(schema))}, ${sqlLiteral(wildcardToRegex(table))})`;
  });
  return `(VALUES ${rows.join(', ')})`;
}
