// Catalog rules over the selection itself: the snapshot matches the plan's source, every task's database
// is in it, and every include pattern selects something.

import { majorName, majorNum } from '../../contracts/pg-version.js';
import { defineCode } from '../diagnostics/codes.js';
import type { Rule } from './rule.js';
import { catalogDatabase, includesWithMatches, patternMatches } from './support/selection.js';

export const CATALOG_VERSION_MISMATCH = defineCode({
  code: 'PGF5001',
  name: 'catalog-version-mismatch',
  severity: 'error',
  title: 'The catalog snapshot comes from a different PostgreSQL version than the plan declares',
  explanation:
    'source.version drives every version-specific output (pg_hba keywords, GUC names, SQL). A snapshot from another ' +
    'major means the plan describes a different server, or the version in the plan is wrong. A different minor ' +
    'version is only a warning. Fix source.version or take the snapshot from the right host.',
});

export const CATALOG_DATABASE_MISSING = defineCode({
  code: 'PGF5002',
  name: 'catalog-database-missing',
  severity: 'error',
  title: "A task's database is not in the catalog snapshot",
  explanation:
    'The snapshot has no entry for the database the task reads, so either the database does not exist on the source ' +
    'or the snapshot was taken without it. Fix the database name or take a snapshot that covers it.',
});

export const SELECTION_MATCHES_NOTHING = defineCode({
  code: 'PGF5003',
  name: 'selection-matches-nothing',
  severity: 'warning',
  title: 'An include pattern matches no table in the source',
  explanation:
    'DMS selection rules are case-sensitive and the wildcards are %, _ and [_]. A pattern that matches nothing is ' +
    'usually a typo or the wrong case; with FailOnNoTablesCaptured (the default) a task whose patterns match nothing ' +
    'fails. Fix the pattern or remove it.',
});

export const catalogSelectionRule = {
  codes: [CATALOG_VERSION_MISMATCH, CATALOG_DATABASE_MISSING, SELECTION_MATCHES_NOTHING],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    const declared = plan.source.version.num;
    if (catalog.serverVersionNum !== declared) {
      const sameMajor = majorNum(catalog.serverVersionNum) === majorNum(declared);
      report({
        code: CATALOG_VERSION_MISMATCH.code,
        pointer: '/source/version',
        severity: sameMajor ? 'warning' : 'error',
        message: `the catalog snapshot is from server_version_num ${catalog.serverVersionNum} (PostgreSQL ${majorName(catalog.serverVersionNum)}) but the plan declares ${plan.source.version.text}`,
        hint: 'set source.version to what the server reports',
      });
    }
    plan.dms.tasks.forEach((task, index) => {
      const database = catalogDatabase(catalog, task.database);
      if (!database) {
        report({
          code: CATALOG_DATABASE_MISSING.code,
          pointer: `/dms/tasks/${index}/database`,
          message: `database "${task.database}" of task "${task.id}" is not in the catalog snapshot`,
        });
        return;
      }
      const hits = includesWithMatches(task, database);
      task.tables.include.forEach((pattern, patternIndex) => {
        if (!hits.has(patternIndex)) {
          const folded = database.tables.some((table) =>
            patternMatches(pattern.toLowerCase(), table.schema.toLowerCase(), table.name.toLowerCase()),
          );
          report({
            code: SELECTION_MATCHES_NOTHING.code,
            pointer: `/dms/tasks/${index}/tables/include/${patternIndex}`,
            message: `include pattern "${pattern}" matches no table in database "${task.database}"${folded ? ' (it would if case were ignored: selection rules are case-sensitive)' : ''}`,
          });
        }
      });
    });
  },
} satisfies Rule;
