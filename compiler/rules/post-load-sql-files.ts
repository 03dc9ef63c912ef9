// The SQL files a plan names (target.schema_objects.post_load_sql, cutover.post_load_sql) are read at
// apply time, hours into a migration; a typo must fail at validate instead. This is the one rule that
// looks outside the plan: it needs the files as read (compilePlan reads them, from git for an old side of
// a diff) or the plan's directory, and is skipped when the caller has neither.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCode } from '../diagnostics/codes.js';
import type { PlanFileRead } from '../plan-files.js';
import type { Rule } from './rule.js';

export const POST_LOAD_SQL_MISSING = defineCode({
  code: 'PGF3507',
  name: 'post-load-sql-missing',
  severity: 'error',
  title: 'A post_load_sql file does not exist',
  explanation:
    'target.schema_objects.post_load_sql runs after the full load (typically pg_dump --section=post-data: ' +
    'indexes, constraints, triggers) and cutover.post_load_sql runs while writes are fenced. Both name files ' +
    'relative to the plan file, read when the step runs, so a missing file stops the migration in the middle of ' +
    'the load or of the write outage. Fix the path, or create the file next to the plan and commit it with it.',
});

type Problem = 'missing' | 'not a file';

function problemOf(path: string): Problem | null {
  try {
    return statSync(path).isFile() ? null : 'not a file';
  } catch {
    return 'missing';
  }
}

/** What the caller read takes precedence; a bare plan directory is looked at on disk. */
function problemWith(
  file: string,
  planFiles: ReadonlyMap<string, PlanFileRead> | null,
  planDir: string | null,
): Problem | null {
  const read = planFiles?.get(file);
  if (read !== undefined) return read.kind === 'file' ? null : read.kind;
  return planDir === null ? null : problemOf(resolve(planDir, file));
}

export const postLoadSqlFilesRule = {
  codes: [POST_LOAD_SQL_MISSING],
  needsCatalog: false,
  check({ plan, planDir, planFiles, report }) {
    if (planFiles === null && planDir === null) return;
    const lists: [string, readonly string[]][] = [
      ['/target/schema_objects/post_load_sql', plan.target.schema_objects.post_load_sql],
      ['/cutover/post_load_sql', plan.cutover.post_load_sql],
    ];
    for (const [pointer, files] of lists) {
      files.forEach((file, index) => {
        const problem = problemWith(file, planFiles, planDir);
        if (problem === null) return;
        report({
          code: POST_LOAD_SQL_MISSING.code,
          pointer: `${pointer}/${index}`,
          message:
            problem === 'missing'
              ? `post_load_sql file "${file}" does not exist (paths are relative to the plan file)`
              : `post_load_sql entry "${file}" is not a file`,
          hint: 'fix the path, or add the file next to the plan (e.g. pg_dump --section=post-data -f FILE)',
        });
      });
    }
  },
} satisfies Rule;
