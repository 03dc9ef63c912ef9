// The SQL files a plan names (target.schema_objects.post_load_sql, cutover.post_load_sql) are read at
// apply time, hours into a migration; a typo must fail at validate instead. This is the one rule that
// looks outside the plan: it needs the files as the caller read them (compilePlan reads them next to the
// plan file, or from git for an old side of a diff, through compiler/plan-files.ts) and is skipped when
// the caller read none.

import { defineCode } from '../diagnostics/codes.js';
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

export const postLoadSqlFilesRule = {
  codes: [POST_LOAD_SQL_MISSING],
  needsCatalog: false,
  check({ plan, planFiles, report }) {
    if (planFiles === null) return;
    const lists: [string, readonly string[]][] = [
      ['/target/schema_objects/post_load_sql', plan.target.schema_objects.post_load_sql],
      ['/cutover/post_load_sql', plan.cutover.post_load_sql],
    ];
    for (const [pointer, files] of lists) {
      files.forEach((file, index) => {
        const read = planFiles.get(file);
        if (read === undefined || read.kind === 'file') return;
        report({
          code: POST_LOAD_SQL_MISSING.code,
          pointer: `${pointer}/${index}`,
          message:
            read.kind === 'missing'
              ? `post_load_sql file "${file}" does not exist (paths are relative to the plan file)`
              : `post_load_sql entry "${file}" is not a file`,
          hint: 'fix the path, or add the file next to the plan (e.g. pg_dump --section=post-data -f FILE)',
        });
      });
    }
  },
} satisfies Rule;
