// Table selections: each task belongs to a migrating database, its patterns are `schema.table` in DMS
// wildcard syntax (never glob syntax), it selects something, and no table is loaded by two tasks of the
// same database.

import { defineCode } from '../diagnostics/codes.js';
import {
  compilePattern,
  hasWildcard,
  matchesWildcard,
  patternsOverlap,
  splitTablePattern,
} from '../knowledge/dms-wildcard.js';
import type { Task } from '../model/plan.js';
import type { Rule } from './rule.js';
import { PatternIndex } from './support/pattern-index.js';
import { didYouMean } from './support/suggest.js';

export const TASK_DATABASE_UNKNOWN = defineCode({
  code: 'PGF3300',
  name: 'task-database-unknown',
  severity: 'error',
  title: 'A task names a database that is not migrated',
  explanation:
    'Every task reads one source database, which must be listed in source.databases: that list drives the endpoints ' +
    "and the pg_hba rules. Add the database there or fix the task's database.",
});

export const TASK_TABLE_OVERLAP = defineCode({
  code: 'PGF3301',
  name: 'task-table-overlap',
  severity: 'error',
  title: 'Two tasks of the same database can select the same table',
  explanation:
    'When two tasks load the same table, the second full load collides with the first (duplicate keys, or a ' +
    'TRUNCATE/DROP of data the other task loaded), and in CDC both apply every change twice. Make the selections ' +
    'disjoint: narrow an include pattern or add an exclude to one task. In DMS wildcards % is any run, _ is one ' +
    'character (write [_] for a literal underscore).',
});

export const TABLE_PATTERN_INVALID = defineCode({
  code: 'PGF3302',
  name: 'table-pattern-invalid',
  severity: 'error',
  title: 'A table pattern is not schema.table in DMS wildcard syntax',
  explanation:
    'Selection patterns are written schema.table, each part a DMS wildcard (%, _, [_], [ab], [a-d]). A pattern without ' +
    'a schema or with an unclosed bracket is not a valid selection rule.',
});

export const TASK_SELECTION_EMPTY = defineCode({
  code: 'PGF3303',
  name: 'task-selection-empty',
  severity: 'error',
  title: 'A task includes no tables',
  explanation:
    'DMS needs at least one include selection rule per task; a task without one fails to create (or, with ' +
    'FailOnNoTablesCaptured, to start). Add an include pattern such as public.%.',
});

export const EXCLUDE_UNUSED = defineCode({
  code: 'PGF3304',
  name: 'exclude-unused',
  severity: 'warning',
  title: 'An exclude pattern can never match an included table',
  explanation:
    'The exclude pattern shares no table name with any include pattern of the task, so it has no effect. It is ' +
    'usually a typo in the schema name or a wildcard that should be a literal (use [_] for an underscore).',
});

export const UNDERSCORE_WILDCARD = defineCode({
  code: 'PGF3305',
  name: 'underscore-wildcard',
  severity: 'info',
  title: 'An underscore in a table pattern matches any character',
  explanation:
    'In DMS selection rules _ matches any single character, so public.order_items also selects public.orderXitems. ' +
    'That is rarely harmful but can pull in unexpected tables; write [_] for a literal underscore.',
});

export const GLOB_WILDCARD = defineCode({
  code: 'PGF3306',
  name: 'glob-wildcard',
  severity: 'error',
  title: 'A table pattern uses * or ?, which DMS takes literally',
  explanation:
    'DMS selection rules know only %, _ and [...] as wildcards. public.* selects a table literally named "*", so the ' +
    'rule selects nothing (and the task fails with FailOnNoTablesCaptured). Write % for any run of characters and _ ' +
    'for one character: public.%.',
});

export const TASK_SELECTS_NOTHING = defineCode({
  code: 'PGF3307',
  name: 'task-selects-nothing',
  severity: 'error',
  title: "A task's excludes cancel all of its includes",
  explanation:
    'Every include pattern of the task is covered by one of its exclude patterns, so the task selects no table: DMS ' +
    'fails it at start (FailOnNoTablesCaptured) or, without that setting, it runs and copies nothing. Narrow the ' +
    'exclude or remove it.',
});

/** The pattern with `*` and `?` outside brackets turned into DMS wildcards, or null when it has none. */
function globFixed(pattern: string): string | null {
  let depth = 0;
  let changed = false;
  let out = '';
  for (const ch of pattern) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === '*' || ch === '?')) {
      out += ch === '*' ? '%' : '_';
      changed = true;
    } else out += ch;
  }
  return changed ? out : null;
}

/** Whether every name `pattern` matches is also matched by `cover` (conservative: false when unsure). */
function partCovers(cover: string, pattern: string): boolean {
  if (cover === '%' || cover === pattern) return true;
  return !hasWildcard(pattern) && matchesWildcard(cover, pattern);
}

interface Prepared {
  readonly index: number;
  readonly schema: string;
  readonly table: string;
}

function prepare(pattern: string, index: number): Prepared | null {
  const parts = splitTablePattern(pattern);
  if (!parts || !compilePattern(parts.schema) || !compilePattern(parts.table)) return null;
  return { index, schema: parts.schema, table: parts.table };
}

function excludedBy(task: Task, pattern: Prepared): boolean {
  return task.tables.exclude.some((exclude) => {
    const cover = splitTablePattern(exclude);
    return cover !== null && partCovers(cover.schema, pattern.schema) && partCovers(cover.table, pattern.table);
  });
}

function overlap(a: Prepared, b: Prepared): boolean {
  return patternsOverlap(a.schema, b.schema) && patternsOverlap(a.table, b.table);
}

function patternProblem(pattern: string): string | null {
  const parts = splitTablePattern(pattern);
  if (!parts) return 'it has no "schema." part';
  if (!compilePattern(parts.schema) || !compilePattern(parts.table)) return 'it has an unclosed "["';
  return null;
}

/** A `_` outside `[_]` in a table part without other wildcards: almost certainly meant literally. */
function looseUnderscore(pattern: string): boolean {
  const table = splitTablePattern(pattern)?.table ?? '';
  return /(^|[^[])_/.test(table) && !/[%[]/.test(table.replace(/\[_\]/g, ''));
}

/** A task's include patterns, prepared (null when invalid) and indexed once for every task it meets. */
class TaskIncludes {
  private patternIndex: PatternIndex<Prepared> | null = null;

  constructor(readonly prepared: readonly (Prepared | null)[]) {}

  get index(): PatternIndex<Prepared> {
    this.patternIndex ??= new PatternIndex(this.prepared.filter((p): p is Prepared => p !== null));
    return this.patternIndex;
  }
}

function findOverlap(
  a: Task,
  b: Task,
  fromA: TaskIncludes,
  fromB: TaskIncludes,
): { indexA: number; indexB: number } | null {
  for (const [indexB, patternB] of fromB.prepared.entries()) {
    if (!patternB || excludedBy(a, patternB)) continue;
    const hits = fromA.index
      .overlapCandidates(patternB.table)
      .filter((patternA) => !excludedBy(b, patternA) && overlap(patternA, patternB));
    if (hits.length > 0) return { indexA: Math.min(...hits.map((hit) => hit.index)), indexB };
  }
  return null;
}

export const tableSelectionRule = {
  codes: [
    TASK_DATABASE_UNKNOWN,
    TASK_TABLE_OVERLAP,
    TABLE_PATTERN_INVALID,
    TASK_SELECTION_EMPTY,
    EXCLUDE_UNUSED,
    UNDERSCORE_WILDCARD,
    GLOB_WILDCARD,
    TASK_SELECTS_NOTHING,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const tasks = plan.dms.tasks;
    // Plans list thousands of tables: each task's patterns are prepared once, here, and its index built
    // once, for all the tasks of its database it is compared with below (not once per pair).
    const includesOf = tasks.map((task) => new TaskIncludes(task.tables.include.map(prepare)));
    tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}`;
      if (!plan.source.databases.includes(task.database)) {
        report({
          code: TASK_DATABASE_UNKNOWN.code,
          pointer: `${at}/database`,
          message: `task "${task.id}" reads database "${task.database}", which is not in source.databases${didYouMean(task.database, plan.source.databases)}`,
          hint: 'add it to source.databases or fix the name',
        });
      }
      if (task.tables.include.length === 0) {
        report({
          code: TASK_SELECTION_EMPTY.code,
          pointer: `${at}/tables/include`,
          message: `task "${task.id}" includes no tables`,
          hint: 'add an include pattern such as public.%',
        });
      }
      const includes = includesOf[index]!.prepared;
      if (includes.length > 0 && includes.every((include) => include !== null && excludedBy(task, include))) {
        report({
          code: TASK_SELECTS_NOTHING.code,
          pointer: `${at}/tables/exclude`,
          message: `task "${task.id}" selects no table: its exclude patterns cover every include pattern`,
          hint: 'narrow or remove the exclude',
        });
      }
      for (const kind of ['include', 'exclude'] as const) {
        task.tables[kind].forEach((pattern, patternIndex) => {
          const fixed = globFixed(pattern);
          if (fixed !== null) {
            report({
              code: GLOB_WILDCARD.code,
              pointer: `${at}/tables/${kind}/${patternIndex}`,
              message: `${kind} pattern "${pattern}" uses * or ?, which DMS matches literally: it selects nothing`,
              hint: `DMS wildcards are % and _: write "${fixed}"`,
            });
            return;
          }
          // A prepared include is valid (prepare checks what patternProblem does): nothing else to check.
          if (kind === 'include' && includes[patternIndex] !== null) return;
          const problem = patternProblem(pattern);
          if (problem) {
            report({
              code: TABLE_PATTERN_INVALID.code,
              pointer: `${at}/tables/${kind}/${patternIndex}`,
              message: `${kind} pattern "${pattern}" is invalid: ${problem}`,
            });
            return;
          }
          if (kind === 'include') return;
          const exclude = prepare(pattern, patternIndex)!;
          if (!includes.some((include) => include !== null && overlap(include, exclude))) {
            report({
              code: EXCLUDE_UNUSED.code,
              pointer: `${at}/tables/exclude/${patternIndex}`,
              message: `exclude pattern "${pattern}" matches no table the include patterns of task "${task.id}" can select`,
            });
          }
        });
      }
      // One finding per task: a plan listing hundreds of tables should not drown in the same remark.
      const loose = task.tables.include.flatMap((pattern, patternIndex) =>
        looseUnderscore(pattern) ? [patternIndex] : [],
      );
      if (loose.length > 0) {
        const first = task.tables.include[loose[0]!]!;
        report({
          code: UNDERSCORE_WILDCARD.code,
          pointer: `${at}/tables/include/${loose[0]}`,
          message: `in "${first}"${loose.length > 1 ? ` and ${loose.length - 1} more pattern(s) of task "${task.id}"` : ''} each "_" matches any character, not only an underscore`,
          hint: `write "${first.replace(/(?<!\[)_(?!\])/g, '[_]')}" to match the underscore literally`,
        });
      }
    });
    for (let later = 1; later < tasks.length; later++) {
      const b = tasks[later]!;
      for (let earlier = 0; earlier < later; earlier++) {
        const a = tasks[earlier]!;
        if (a.database !== b.database) continue;
        const clash = findOverlap(a, b, includesOf[earlier]!, includesOf[later]!);
        if (!clash) continue;
        report({
          code: TASK_TABLE_OVERLAP.code,
          pointer: `/dms/tasks/${later}/tables/include/${clash.indexB}`,
          message: `task "${b.id}" pattern "${b.tables.include[clash.indexB]}" can select the same tables as task "${a.id}" pattern "${a.tables.include[clash.indexA]}" in database "${a.database}"`,
          hint: 'make the selections disjoint with narrower includes or an exclude',
          notes: [
            {
              message: `task "${a.id}" selects them here`,
              pointer: `/dms/tasks/${earlier}/tables/include/${clash.indexA}`,
            },
          ],
        });
      }
    }
  },
} satisfies Rule;
