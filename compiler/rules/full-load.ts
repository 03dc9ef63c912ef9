// Full-load tuning and how target tables are prepared, against how the target schema is created.

import { defineCode } from '../diagnostics/codes.js';
import type { Rule } from './rule.js';

export const FULL_LOAD_RANGE = defineCode({
  code: 'PGF3330',
  name: 'full-load-range',
  severity: 'error',
  title: 'A full-load setting is out of range',
  explanation:
    'DMS accepts MaxFullLoadSubTasks 1–49 (tables loaded in parallel), CommitRate 1–50000 (rows per commit) and a ' +
    'TransactionConsistencyTimeout of 0 seconds or more. Fix dms.tasks[].full_load.',
});

export const PREP_MODE_SCHEMA = defineCode({
  code: 'PGF3331',
  name: 'prep-mode-schema',
  severity: 'error',
  title: 'The target table preparation mode contradicts the schema strategy',
  explanation:
    'With schema_objects.strategy pre_created the target tables (types, defaults, identity, keys) are restored before ' +
    'the load; DROP_AND_CREATE makes DMS drop them and recreate bare tables, losing all of that. With dms_creates ' +
    'nothing exists on the target, so DO_NOTHING loads into missing tables. Use DO_NOTHING with pre_created and ' +
    'DROP_AND_CREATE with dms_creates.',
});

export const PREP_MODE_TRUNCATE = defineCode({
  code: 'PGF3332',
  name: 'prep-mode-truncate',
  severity: 'warning',
  title: 'TRUNCATE_BEFORE_LOAD fails on tables referenced by foreign keys',
  explanation:
    'PostgreSQL refuses TRUNCATE of a table that a foreign key references, even with session_replication_role = ' +
    'replica. With a pre-created schema that has foreign keys the task fails on the first parent table. Load into ' +
    'empty tables with DO_NOTHING instead.',
});

export const DMS_CREATES_OBJECTS = defineCode({
  code: 'PGF3333',
  name: 'dms-creates-objects',
  severity: 'warning',
  title: 'DMS creates the tables but nothing recreates what it leaves out',
  explanation:
    'When DMS creates target tables it creates columns and the primary key only: secondary indexes, foreign keys, ' +
    'defaults, identity, check constraints and user-defined types are lost. List the post-data SQL ' +
    '(pg_dump --section=post-data) in target.schema_objects.post_load_sql, or pre-create the schema.',
});

export const fullLoadRule = {
  codes: [FULL_LOAD_RANGE, PREP_MODE_SCHEMA, PREP_MODE_TRUNCATE, DMS_CREATES_OBJECTS],
  needsCatalog: false,
  check({ plan, report }) {
    const strategy = plan.target.schema_objects.strategy;
    plan.dms.tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}/full_load`;
      const tuning = task.full_load;
      const ranges = [
        ['max_sub_tasks', tuning.max_sub_tasks, 1, 49],
        ['commit_rate', tuning.commit_rate, 1, 50000],
        ['transaction_consistency_timeout', tuning.transaction_consistency_timeout, 0, Number.MAX_SAFE_INTEGER],
      ] as const;
      for (const [key, value, min, max] of ranges) {
        if (!Number.isInteger(value) || value < min || value > max) {
          report({
            code: FULL_LOAD_RANGE.code,
            pointer: `${at}/${key}`,
            message: `${key} is ${value}; DMS accepts ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min}..${max}`}`,
          });
        }
      }
      if (task.migration_type === 'cdc') return;
      const mode = tuning.target_table_prep_mode;
      if (strategy === 'pre_created' && mode === 'DROP_AND_CREATE') {
        report({
          code: PREP_MODE_SCHEMA.code,
          pointer: `${at}/target_table_prep_mode`,
          message: `task "${task.id}" would drop the pre-created target tables (DROP_AND_CREATE) and recreate them without defaults, indexes or types`,
          hint: 'use DO_NOTHING',
          notes: [{ message: 'the schema is pre-created here', pointer: '/target/schema_objects/strategy' }],
        });
      } else if (strategy === 'dms_creates' && mode === 'DO_NOTHING') {
        report({
          code: PREP_MODE_SCHEMA.code,
          pointer: `${at}/target_table_prep_mode`,
          message: `task "${task.id}" loads with DO_NOTHING but nothing creates the target tables`,
          hint: 'use DROP_AND_CREATE, or pre-create the schema',
          notes: [{ message: 'DMS is to create the schema here', pointer: '/target/schema_objects/strategy' }],
        });
      } else if (strategy === 'pre_created' && mode === 'TRUNCATE_BEFORE_LOAD') {
        report({
          code: PREP_MODE_TRUNCATE.code,
          pointer: `${at}/target_table_prep_mode`,
          message: `task "${task.id}" truncates pre-created tables; PostgreSQL refuses TRUNCATE on tables referenced by foreign keys`,
          hint: 'restore the schema into empty tables and use DO_NOTHING',
        });
      }
    });
    const objects = plan.target.schema_objects;
    if (objects.strategy === 'dms_creates' && objects.post_load_sql.length === 0) {
      report({
        code: DMS_CREATES_OBJECTS.code,
        pointer: '/target/schema_objects',
        message: 'DMS creates the target tables but no post_load_sql recreates indexes, foreign keys and defaults',
        hint: 'add the pg_dump --section=post-data output to target.schema_objects.post_load_sql',
      });
    }
  },
} satisfies Rule;
