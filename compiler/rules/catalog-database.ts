// Catalog rules about each migrated database as a whole: extensions the target must provide, the
// decoding plugin's extension, and encodings that make DMS fail on a UTF8 target (dms.md §1.5, §3 S20, S23).

import { defineCode } from '../diagnostics/codes.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';
import { catalogDatabase } from './support/selection.js';

export const EXTENSION_ON_TARGET = defineCode({
  code: 'PGF5040',
  name: 'extension-on-target',
  severity: 'warning',
  title: 'The source uses extensions the target must provide first',
  explanation:
    'DMS does not migrate extensions, and columns of extension types (PostGIS geometry, hstore, citext, …) only load ' +
    'when the extension already exists on the target with a compatible version. On RDS it must also be on the ' +
    'allow-list of the target version. CREATE EXTENSION on the target before the load (pre-data schema restore).',
});

export const PGLOGICAL_EXTENSION_MISSING = defineCode({
  code: 'PGF5041',
  name: 'pglogical-extension-missing',
  severity: 'error',
  title: 'The pglogical plugin is chosen but the extension is not installed',
  explanation:
    'DMS decodes with pglogical only when the extension exists in the source database (CREATE EXTENSION pglogical, ' +
    'after adding it to shared_preload_libraries and restarting). Install it before the task starts, or use the ' +
    'test-decoding plugin.',
});

export const SOURCE_ENCODING = defineCode({
  code: 'PGF5042',
  name: 'source-encoding',
  severity: 'warning',
  title: 'The source database is not UTF8',
  explanation:
    'A SQL_ASCII source accepts any bytes, including sequences that are invalid in UTF8; DMS fails on them, or the ' +
    'target rejects them ("invalid byte sequence for encoding UTF8"). Other encodings convert but may hit characters ' +
    'without a mapping. Scan for invalid bytes before the migration, or create the target database with the same ' +
    'encoding.',
});

/** Extensions every PostgreSQL has, or that only matter on the source. */
const IGNORED_EXTENSIONS = new Set(['plpgsql', 'pglogical', 'pg_stat_statements']);

export const catalogDatabaseRule = {
  codes: [EXTENSION_ON_TARGET, PGLOGICAL_EXTENSION_MISSING, SOURCE_ENCODING],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    plan.source.databases.forEach((name, index) => {
      const database = catalogDatabase(catalog, name);
      if (!database) return;
      const pointer = `/source/databases/${index}`;
      const extensions = database.extensions.filter((extension) => !IGNORED_EXTENSIONS.has(extension.name));
      if (extensions.length > 0) {
        report({
          code: EXTENSION_ON_TARGET.code,
          pointer,
          message: `database "${name}" uses extension(s) ${extensions.map((e) => `${e.name} ${e.version}`).join(', ')}; create them on the target first`,
        });
      }
      if (database.encoding.toUpperCase() !== 'UTF8') {
        report({
          code: SOURCE_ENCODING.code,
          pointer,
          message: `database "${name}" is encoded ${database.encoding}, not UTF8`,
          hint:
            database.encoding.toUpperCase() === 'SQL_ASCII'
              ? 'scan text columns for bytes that are invalid UTF8'
              : undefined,
        });
      }
    });
    plan.dms.tasks.forEach((task, index) => {
      if (task.plugin !== 'pglogical' || !isCdc(task)) return;
      const database = catalogDatabase(catalog, task.database);
      if (!database || database.extensions.some((extension) => extension.name === 'pglogical')) return;
      report({
        code: PGLOGICAL_EXTENSION_MISSING.code,
        pointer: `/dms/tasks/${index}/plugin`,
        message: `task "${task.id}" decodes with pglogical, but database "${task.database}" has no pglogical extension`,
        hint: 'CREATE EXTENSION pglogical in the source database, or use test-decoding',
      });
    });
  },
} satisfies Rule;
