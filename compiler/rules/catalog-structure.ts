// Catalog rules about relations: partitions selected with their parents, names that differ only by case,
// unlogged tables under CDC, sequences nothing owns (reference/dms.md §3 S9, S10, S15, S24).

import { defineCode } from '../diagnostics/codes.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';
import { catalogDatabase, qualifiedName, selectedTables } from './support/selection.js';

export const PARTITION_PARENT_AND_CHILD = defineCode({
  code: 'PGF5030',
  name: 'partition-parent-and-child',
  severity: 'error',
  title: 'A partitioned or inheritance parent is selected together with its children',
  explanation:
    "DMS reads a parent table including its children's rows and then reads each child again, so every row lands " +
    'twice. It also does not recreate the partitioning. Pre-create the partitioned structure on the target and select ' +
    'the leaf partitions only (exclude the parent).',
});

export const CASE_COLLISION = defineCode({
  code: 'PGF5031',
  name: 'case-collision',
  severity: 'error',
  title: 'Two selected tables differ only by letter case',
  explanation:
    'DMS handles tables whose names differ only by case unpredictably: one can overwrite the other on the target. ' +
    'Rename one of them before the migration, or exclude one and copy it separately.',
});

export const UNLOGGED_CDC = defineCode({
  code: 'PGF5032',
  name: 'unlogged-cdc',
  severity: 'error',
  title: 'An unlogged table is replicated with CDC',
  explanation:
    'Unlogged tables write no WAL, so logical decoding never sees their changes: after the full load they silently ' +
    'fall behind. ALTER TABLE … SET LOGGED before the migration, or exclude the table and copy it at cutover.',
});

export const SEQUENCE_NOT_OWNED = defineCode({
  code: 'PGF5033',
  name: 'sequence-not-owned',
  severity: 'info',
  title: 'A sequence is not owned by any column',
  explanation:
    "The cutover sequence sync copies every sequence's last value, but a sequence no column owns (created by hand, " +
    'used in a DEFAULT through nextval) is easy to miss on the target if the schema is recreated by hand. Check it ' +
    'exists on the target, or attach it with ALTER SEQUENCE … OWNED BY.',
});

export const catalogStructureRule = {
  codes: [PARTITION_PARENT_AND_CHILD, CASE_COLLISION, UNLOGGED_CDC, SEQUENCE_NOT_OWNED],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    if (!catalog) return;
    const sequencesChecked = new Set<string>();
    plan.dms.tasks.forEach((task, index) => {
      const database = catalogDatabase(catalog, task.database);
      if (!database) return;
      const selected = selectedTables(task, database);
      const names = new Set(selected.map(({ table }) => qualifiedName(table)));
      const folded = new Map<string, string>();
      for (const { table, includeIndex } of selected) {
        const pointer = `/dms/tasks/${index}/tables/include/${includeIndex}`;
        const name = qualifiedName(table);
        const parent = table.parents.find((candidate) => names.has(candidate));
        if (parent) {
          report({
            code: PARTITION_PARENT_AND_CHILD.code,
            pointer,
            message: `"${name}" and its parent "${parent}" are both selected; their rows would be loaded twice`,
            hint: `exclude "${parent}" and pre-create the partitioned structure on the target`,
          });
        }
        const key = name.toLowerCase();
        const other = folded.get(key);
        if (other !== undefined) {
          report({
            code: CASE_COLLISION.code,
            pointer,
            message: `tables "${other}" and "${name}" differ only by letter case`,
          });
        } else folded.set(key, name);
        if (isCdc(task) && table.persistence === 'unlogged') {
          report({
            code: UNLOGGED_CDC.code,
            pointer,
            message: `table "${name}" is unlogged; CDC task "${task.id}" would never see its changes`,
            hint: `ALTER TABLE ${name} SET LOGGED, or exclude it`,
          });
        }
      }
      if (plan.cutover.sequences.enabled && !sequencesChecked.has(database.name)) {
        sequencesChecked.add(database.name);
        for (const sequence of database.sequences) {
          if (sequence.ownedBy !== null) continue;
          report({
            code: SEQUENCE_NOT_OWNED.code,
            pointer: `/dms/tasks/${index}/database`,
            message: `sequence "${sequence.schema}.${sequence.name}" in database "${database.name}" is not owned by any column`,
          });
        }
      }
    });
  },
} satisfies Rule;
