// Catalog rules about keys: CDC, full LOB mode and validation need primary keys; keys must not be LOBs;
// arrays in keyless tables suspend the load (reference/dms.md §3 S4–S6).

import { defineCode } from '../diagnostics/codes.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';
import { planSelections } from './support/selection.js';

export const CDC_TABLE_NO_PK = defineCode({
  code: 'PGF5010',
  name: 'cdc-table-no-pk',
  severity: 'error',
  title: 'A table without a primary key is replicated with CDC',
  explanation:
    'Without a primary key, logical decoding emits UPDATE without the old key and DELETE with no tuple data, so DMS ' +
    'cannot apply them: updates and deletes are silently lost on the target. Add a primary key, or set REPLICA ' +
    'IDENTITY FULL (test-decoding plugin only; slower), or exclude the table and copy it at cutover.',
});

export const LOB_TABLE_NO_PK = defineCode({
  code: 'PGF5011',
  name: 'lob-table-no-pk',
  severity: 'error',
  title: 'Full LOB mode or validation on a table without a key',
  explanation:
    'Full LOB mode looks LOB values up by primary key, and validation compares rows by primary key or unique index. ' +
    'A table without one gets no LOB data (or is suspended) and cannot be validated. Add a key, use limited LOB mode, ' +
    'or exclude the table from validation.',
});

export const LOB_PRIMARY_KEY = defineCode({
  code: 'PGF5012',
  name: 'lob-primary-key',
  severity: 'error',
  title: 'A primary key column has a LOB type',
  explanation:
    'DMS cannot replicate tables whose primary key includes a LOB-typed column (text, bytea, json, jsonb, xml, arrays, ' +
    'varchar without length). Change the key column to a bounded type (varchar(n) below 1024) or use a surrogate key.',
});

export const ARRAY_NO_PK = defineCode({
  code: 'PGF5013',
  name: 'array-no-pk',
  severity: 'error',
  title: 'An ARRAY column in a table without a primary key',
  explanation:
    'DMS suspends a table with an ARRAY column and no primary key during the full load. Add a primary key or exclude ' +
    'the table.',
});

/** format_type() names of LOB-like types; varchar/bpchar count only without a length. */
export const LOB_KEY_TYPES = /^(text|bytea|json|jsonb|xml|citext|character varying|bpchar|hstore)$|\[\]$/;

export const catalogKeysRule = {
  codes: [CDC_TABLE_NO_PK, LOB_TABLE_NO_PK, LOB_PRIMARY_KEY, ARRAY_NO_PK],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    for (const { task, table, name, pointer } of planSelections(plan.dms.tasks, catalog)) {
      const hasPk = table.primaryKey.length > 0;
      if (!hasPk && isCdc(task)) {
        const full = table.replicaIdentity === 'full';
        const usable = full && task.plugin === 'test-decoding';
        report({
          code: CDC_TABLE_NO_PK.code,
          pointer,
          ...(usable ? { severity: 'warning' as const } : {}),
          message: usable
            ? `table "${name}" has no primary key; REPLICA IDENTITY FULL lets CDC apply changes, slowly`
            : full
              ? `table "${name}" has no primary key and relies on REPLICA IDENTITY FULL, which the pglogical plugin does not support`
              : `table "${name}" has no primary key; task "${task.id}" would lose its UPDATEs and DELETEs`,
          hint: 'add a primary key, or exclude the table',
        });
      }
      const needs = [
        ...(task.lob.mode === 'full' && !hasPk ? ['full LOB mode'] : []),
        ...(task.validation && !hasPk && !table.hasUniqueIndex ? ['validation'] : []),
      ];
      if (needs.length > 0) {
        report({
          code: LOB_TABLE_NO_PK.code,
          pointer,
          message: `table "${name}" has no ${task.validation && !table.hasUniqueIndex ? 'primary key or unique index' : 'primary key'}, which ${needs.join(' and ')} ${needs.length === 1 ? 'needs' : 'need'}`,
        });
      }
      const lobKeys = table.columns.filter(
        (column) => table.primaryKey.includes(column.name) && LOB_KEY_TYPES.test(column.type),
      );
      if (lobKeys.length > 0) {
        report({
          code: LOB_PRIMARY_KEY.code,
          pointer,
          message: `primary key of "${name}" includes LOB-typed column(s) ${lobKeys.map((c) => `${c.name} ${c.type}`).join(', ')}`,
        });
      }
      const arrays = table.columns.filter((column) => column.type.endsWith('[]'));
      if (!hasPk && arrays.length > 0) {
        report({
          code: ARRAY_NO_PK.code,
          pointer,
          message: `table "${name}" has array column ${arrays[0]!.name} and no primary key; DMS suspends it during the full load`,
        });
      }
    }
  },
} satisfies Rule;
