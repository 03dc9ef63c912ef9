// Transformation rules checked without a catalog (reference/dms.md §6.2): which keys each action needs,
// renames that would merge objects, two rules on one object, rules aimed at tables the task does not
// load, column names DMS cannot transform, and the logical engine, which applies none of them.

import { defineCode } from '../diagnostics/codes.js';
import { NAME_ACTIONS } from '../emit/renames.js';
import { tableSettingName, transformationName } from '../emit/table-mappings.js';
import { matchesMany } from '../knowledge/dms-wildcard.js';
import type { Task, Transformation } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';
import { unselectedReason } from './support/selection.js';

export const TRANSFORMATION_SHAPE = defineCode({
  code: 'PGF3340',
  name: 'transformation-shape',
  severity: 'error',
  title: 'A transformation lacks a key its action needs, or has one it does not use',
  explanation:
    'Each DMS rule-action takes its own keys (reference/dms.md §6.2): remove-column, add-column and ' +
    'change-data-type work on columns only; a table or column target needs `table` (and `column`, except ' +
    'add-column, which names the new column in `value`); rename, add-/remove-/replace-prefix and suffix need ' +
    '`value`; replace-prefix and replace-suffix also need `old_value`; add-column and change-data-type need ' +
    '`data_type`; only add-column takes an `expression`. DMS rejects the task, or silently ignores the key, ' +
    'otherwise.',
});

export const TRANSFORMATION_RENAME_WILDCARD = defineCode({
  code: 'PGF3341',
  name: 'transformation-rename-wildcard',
  severity: 'error',
  title: 'A rename matches more than one object',
  explanation:
    'rename gives every object its locator matches the same new name, so a wildcard in the renamed level ' +
    '(`%` or `_` in the schema of a schema rename, the table of a table rename, the column of a column rename) ' +
    'would merge objects, which DMS refuses ("two source tables can\'t map to one target table"). Name the ' +
    'object exactly, or use a prefix, suffix or case rule.',
});

export const TRANSFORMATION_COLLISION = defineCode({
  code: 'PGF3342',
  name: 'transformation-collision',
  severity: 'error',
  title: 'Two transformations collide',
  explanation:
    'DMS applies one transformation action per object, and two objects cannot end up with one name: two ' +
    'renames to the same name in the same schema or table, or two rules of the same target on exactly the ' +
    "same object, leave the result to DMS's order of evaluation or fail the task. Keep one rule per object " +
    'and distinct new names. With a catalog, PGF5081 also checks renames against the names that exist.',
});

export const TRANSFORMATION_UNSELECTED = defineCode({
  code: 'PGF3343',
  name: 'transformation-unselected',
  severity: 'error',
  title: 'A transformation names a table the task does not load',
  explanation:
    "A transformation only acts on tables the task's selection rules include. One that names an excluded " +
    'table, or a table no include pattern matches, does nothing, which is never what the author meant: the ' +
    'column it drops or the name it changes stays as it is on the target. Fix the locator or the selection.',
});

export const TRANSFORMATION_COLUMN_NAME = defineCode({
  code: 'PGF3344',
  name: 'transformation-column-name',
  severity: 'error',
  title: 'DMS cannot transform a column whose name contains # \\ / or -',
  explanation:
    'DMS transformation rules do not work on column names containing `#`, `\\`, `/` or `-` (reference/dms.md ' +
    '§6.2). Rename the column on the source first, or leave it out of the transformation.',
});

export const TRANSFORMATION_ENGINE = defineCode({
  code: 'PGF3345',
  name: 'transformation-engine',
  severity: 'error',
  title: 'The logical engine cannot apply DMS transformations or table settings',
  explanation:
    'engine: logical replicates with a publication and a subscription, which match tables and columns by ' +
    'name: it cannot rename, add, drop or retype anything on the way, and loads each table with one COPY. ' +
    'Apply the change on the target schema yourself and remove the transformation, or use engine: dms.',
});

export const MAPPING_RULE_NAME = defineCode({
  code: 'PGF3346',
  name: 'mapping-rule-name',
  severity: 'error',
  title: 'Two table-mapping rules of a task share a rule-name',
  explanation:
    'DMS requires every rule-name of a TableMappings document to be unique. pgferry names selection rules ' +
    'include-N and exclude-N, transformations <action>-N and table settings table-settings-N unless the plan ' +
    'names them; choose another `name`.',
});

const COLUMN_ONLY = new Set<Transformation['action']>(['remove-column', 'add-column', 'change-data-type']);
// Every name-changing action but the case conversions takes the new name or the affix in `value`, and
// add-column names its column there.
const NEEDS_VALUE = new Set<Transformation['action']>([
  ...[...NAME_ACTIONS].filter((action) => !action.startsWith('convert-')),
  'add-column',
]);
const NEEDS_OLD_VALUE = new Set<Transformation['action']>(['replace-prefix', 'replace-suffix']);
const NEEDS_DATA_TYPE = new Set<Transformation['action']>(['add-column', 'change-data-type']);
const UNTRANSFORMABLE = /[#\\/-]/;

function shapeProblems(rule: Transformation): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const needs = (key: string, why: string) => out.push({ key, message: `${why} needs \`${key}\`` });
  const unused = (key: string, why: string) => out.push({ key, message: `${why} does not use \`${key}\`` });
  const what = `${rule.action} on a ${rule.target}`;
  if (COLUMN_ONLY.has(rule.action) && rule.target !== 'column') {
    out.push({ key: 'target', message: `${rule.action} works on columns only, not on a ${rule.target}` });
  }
  if (rule.target === 'schema' && rule.table !== null) unused('table', what);
  if (rule.target !== 'schema' && rule.table === null) needs('table', what);
  const wantsColumn = rule.target === 'column' && rule.action !== 'add-column';
  if (wantsColumn && rule.column === null) needs('column', what);
  if (!wantsColumn && rule.column !== null) {
    unused('column', rule.action === 'add-column' ? 'add-column (the new column is `value`)' : what);
  }
  if (NEEDS_VALUE.has(rule.action) && rule.value === null) needs('value', rule.action);
  if (!NEEDS_VALUE.has(rule.action) && rule.value !== null) unused('value', rule.action);
  if (NEEDS_OLD_VALUE.has(rule.action) && rule.old_value === null) needs('old_value', rule.action);
  if (!NEEDS_OLD_VALUE.has(rule.action) && rule.old_value !== null) unused('old_value', rule.action);
  if (NEEDS_DATA_TYPE.has(rule.action) && rule.data_type === null) needs('data_type', rule.action);
  if (!NEEDS_DATA_TYPE.has(rule.action) && rule.data_type !== null) unused('data_type', rule.action);
  if (rule.action !== 'add-column' && rule.expression !== null) unused('expression', rule.action);
  return out;
}

/** The locator part at the rule's own level: what a rename gives the new name to. */
function ownLevel(rule: Transformation): string | null {
  if (rule.target === 'schema') return rule.schema;
  if (rule.target === 'table') return rule.table;
  return rule.action === 'add-column' ? null : rule.column;
}

/** Exact locator of the object a rule acts on, or null when it has wildcards. */
function exactObject(rule: Transformation): string | null {
  const parts = [
    rule.schema,
    rule.target === 'schema' ? null : rule.table,
    rule.target === 'column' ? rule.column : null,
  ];
  const present = parts.filter((part): part is string => part !== null);
  if (present.some(matchesMany)) return null;
  return `${rule.target}:${present.join('.')}`;
}

/** The scope a renamed object's new name must be unique in (its schema or table), when exact. */
function renameScope(rule: Transformation): string | null {
  if (rule.target === 'schema') return 'schemas';
  if (rule.target === 'table') return matchesMany(rule.schema) ? null : `tables of ${rule.schema}`;
  if (rule.table === null || matchesMany(rule.schema) || matchesMany(rule.table)) return null;
  return `columns of ${rule.schema}.${rule.table}`;
}

function checkTask(task: Task, at: string, engine: string, report: (finding: Finding) => void): void {
  const renamedTo = new Map<string, number>();
  const onObject = new Map<string, number>();
  task.transformations.forEach((rule, i) => {
    const ruleAt = `${at}/transformations/${i}`;
    if (engine === 'logical') {
      report({
        code: TRANSFORMATION_ENGINE.code,
        pointer: ruleAt,
        message: `the logical engine cannot ${rule.action} (task "${task.id}"): a subscription matches tables and columns by name`,
        hint: 'change the target schema yourself and drop the transformation, or use engine: dms',
      });
    }
    for (const problem of shapeProblems(rule)) {
      report({ code: TRANSFORMATION_SHAPE.code, pointer: `${ruleAt}/${problem.key}`, message: problem.message });
    }
    const level = ownLevel(rule);
    if (rule.action === 'rename' && level !== null && matchesMany(level)) {
      report({
        code: TRANSFORMATION_RENAME_WILDCARD.code,
        pointer: `${ruleAt}/${rule.target}`,
        message: `rename of ${rule.target} "${level}" would give every ${rule.target} it matches the name "${rule.value}"`,
        hint: 'name one object exactly, or use a prefix, suffix or case rule',
      });
    }
    for (const [key, name] of [
      ['column', rule.target === 'column' ? rule.column : null],
      ['value', rule.target === 'column' ? rule.value : null],
    ] as const) {
      if (name !== null && UNTRANSFORMABLE.test(name)) {
        report({
          code: TRANSFORMATION_COLUMN_NAME.code,
          pointer: `${ruleAt}/${key}`,
          message: `DMS cannot transform column name "${name}": it contains # \\ / or -`,
        });
      }
    }
    const object = exactObject(rule);
    if (object !== null && rule.action !== 'add-column') {
      const earlier = onObject.get(object);
      if (earlier !== undefined && task.transformations[earlier]!.target === rule.target) {
        report({
          code: TRANSFORMATION_COLLISION.code,
          pointer: ruleAt,
          message: `transformations ${earlier + 1} and ${i + 1} both act on ${object.replace(':', ' ')}; DMS applies one action per object`,
          notes: [{ message: 'the earlier rule', pointer: `${at}/transformations/${earlier}` }],
        });
      } else if (earlier === undefined) onObject.set(object, i);
    }
    const scope = renameScope(rule);
    if (rule.action === 'rename' && rule.value !== null && scope !== null) {
      const key = `${scope}\u0000${rule.value}`;
      const earlier = renamedTo.get(key);
      if (earlier !== undefined) {
        report({
          code: TRANSFORMATION_COLLISION.code,
          pointer: `${ruleAt}/value`,
          message: `transformations ${earlier + 1} and ${i + 1} both rename into "${rule.value}" among the ${scope}`,
          notes: [{ message: 'the earlier rename', pointer: `${at}/transformations/${earlier}/value` }],
        });
      } else renamedTo.set(key, i);
    }
    if (rule.target !== 'schema' && rule.table !== null) checkSelected(task, rule, ruleAt, report);
  });
}

/** A rule naming one exact table must name a table the task loads. */
function checkSelected(task: Task, rule: Transformation, at: string, report: (finding: Finding) => void): void {
  const table = rule.table!;
  if (matchesMany(rule.schema) || matchesMany(table)) return;
  const reason = unselectedReason(task, rule.schema, table);
  if (reason !== null) {
    report({
      code: TRANSFORMATION_UNSELECTED.code,
      pointer: `${at}/table`,
      message: `${rule.action} names ${rule.schema}.${table}, but ${reason}`,
    });
  }
}

function checkRuleNames(task: Task, at: string, report: (finding: Finding) => void): void {
  const seen = new Map<string, string>();
  for (const kind of ['include', 'exclude'] as const) {
    for (const i of task.tables[kind].keys()) seen.set(`${kind}-${i + 1}`, `${at}/tables/${kind}/${i}`);
  }
  const named: [string, string][] = [
    ...task.transformations.map((rule, i): [string, string] => [
      transformationName(rule, i),
      `${at}/transformations/${i}`,
    ]),
    ...task.table_settings.map((setting, i): [string, string] => [
      tableSettingName(setting, i),
      `${at}/table_settings/${i}`,
    ]),
  ];
  for (const [name, pointer] of named) {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      report({
        code: MAPPING_RULE_NAME.code,
        pointer: `${pointer}/name`,
        message: `rule-name "${name}" is already used in task "${task.id}"`,
        notes: [{ message: 'first used here', pointer: earlier }],
      });
    } else seen.set(name, pointer);
  }
}

export const transformationsRule = {
  codes: [
    TRANSFORMATION_SHAPE,
    TRANSFORMATION_RENAME_WILDCARD,
    TRANSFORMATION_COLLISION,
    TRANSFORMATION_UNSELECTED,
    TRANSFORMATION_COLUMN_NAME,
    TRANSFORMATION_ENGINE,
    MAPPING_RULE_NAME,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    plan.dms.tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}`;
      checkTask(task, at, plan.engine, report);
      checkRuleNames(task, at, report);
      if (plan.engine !== 'logical') return;
      for (const i of task.table_settings.keys()) {
        report({
          code: TRANSFORMATION_ENGINE.code,
          pointer: `${at}/table_settings/${i}`,
          message: `the logical engine cannot apply table settings (task "${task.id}"): a subscription copies each table with one COPY`,
        });
      }
    });
  },
} satisfies Rule;
