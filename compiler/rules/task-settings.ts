// Raw ReplicationTaskSettings overrides: known sections and keys, right types and ranges, nothing AWS
// refuses on create, nothing pgferry derives from a plan field, and combinations DMS rejects.

import { defineCode } from '../diagnostics/codes.js';
import { compareEngineVersions } from '../knowledge/engine-versions.js';
import { FULL_LOAD_AND_CDC_ONLY_KEYS, type SettingType, TASK_SETTINGS } from '../knowledge/task-settings.js';
import type { Task } from '../model/plan.js';
import { isCdc } from '../model/task-kind.js';
import type { Finding, Rule } from './rule.js';
import { didYouMean } from './support/suggest.js';

export const SETTING_UNKNOWN = defineCode({
  code: 'PGF3400',
  name: 'task-setting-unknown',
  severity: 'error',
  title: 'Unknown task-settings section or key',
  explanation:
    'Overrides in dms.tasks[].settings are ReplicationTaskSettings sections and keys, spelt exactly as AWS documents ' +
    'them (PascalCase). DMS ignores unknown keys silently, so a misspelt override never takes effect. Fix the name ' +
    '(pgferry suggests the closest one).',
});

export const SETTING_TYPE = defineCode({
  code: 'PGF3401',
  name: 'task-setting-type',
  severity: 'error',
  title: 'A task setting has the wrong type',
  explanation:
    'Each task setting has a JSON type: booleans are true/false (not "true"), numbers are integers, enums are the ' +
    'upper-case strings AWS lists. DMS rejects the task settings document otherwise.',
});

export const SETTING_RANGE = defineCode({
  code: 'PGF3402',
  name: 'task-setting-range',
  severity: 'error',
  title: 'A task setting is out of range or not an allowed value',
  explanation:
    'Several task settings have limits: MaxFullLoadSubTasks 1–49, CommitRate up to 50000, StatementCacheSize up to 200, ' +
    'CtrlStreamBufferSizeInMB 1–8, InlineLobMaxSize up to 102400, LoadMaxFileSize up to 100000, and enum policies ' +
    'only take their listed values. Use a value in range.',
});

export const SETTING_NOT_ON_CREATE = defineCode({
  code: 'PGF3403',
  name: 'task-setting-not-on-create',
  severity: 'error',
  title: 'A task setting cannot be set when the task is created',
  explanation:
    'Some keys are filled in by DMS and rejected in CreateReplicationTask, e.g. Logging.CloudWatchLogGroup and ' +
    'CloudWatchLogStream ("cannot be set on create"). Remove them from the overrides.',
});

export const SETTING_MANAGED = defineCode({
  code: 'PGF3404',
  name: 'task-setting-managed',
  severity: 'error',
  title: 'A task setting is derived from a plan field',
  explanation:
    "pgferry writes LOB, full-load tuning and validation settings from the task's lob, full_load and validation " +
    'fields, so the plan has one place for each decision. Overriding the raw key would contradict the field. Set the ' +
    'plan field instead.',
});

export const SETTING_COMBINATION = defineCode({
  code: 'PGF3405',
  name: 'task-setting-combination',
  severity: 'error',
  title: 'Task settings that DMS rejects together',
  explanation:
    'Some settings constrain others: ValidationOnly needs TargetTablePrepMode DO_NOTHING and a full-load or cdc task; ' +
    'BatchApplyEnabled does not work with full LOB mode; StopTaskCachedChanges* only apply to full-load-and-cdc tasks; ' +
    'ResyncSettings need a schedule for CDC tasks and are invalid for full-load ones. Adjust the overrides or the task.',
});

export const SETTING_ENGINE = defineCode({
  code: 'PGF3406',
  name: 'task-setting-engine',
  severity: 'error',
  title: 'A task setting needs a newer DMS engine',
  explanation:
    'Some settings arrived with later engines: DataMaskingErrorPolicy with 3.5.4, ResyncSettings with 3.6.1. An older ' +
    'replication instance rejects them. Raise dms.replication_instance.engine_version or drop the setting.',
});

function typeProblem(type: SettingType, value: unknown): { code: string; text: string } | null {
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? null : { code: SETTING_TYPE.code, text: 'a boolean (true or false)' };
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return { code: SETTING_TYPE.code, text: 'an integer' };
      if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
        const range =
          type.max === undefined
            ? `${type.min} or more`
            : type.min === undefined
              ? `at most ${type.max}`
              : `${type.min}..${type.max}`;
        return { code: SETTING_RANGE.code, text: range };
      }
      return null;
    case 'string':
      return typeof value === 'string' || (type.nullable === true && value === null)
        ? null
        : { code: SETTING_TYPE.code, text: 'a string' };
    case 'enum':
      if (typeof value !== 'string') return { code: SETTING_TYPE.code, text: `one of ${type.values.join(', ')}` };
      return type.values.includes(value)
        ? null
        : { code: SETTING_RANGE.code, text: `one of ${type.values.join(', ')}` };
    case 'array':
      return Array.isArray(value) ? null : { code: SETTING_TYPE.code, text: 'an array' };
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? null
        : { code: SETTING_TYPE.code, text: 'an object' };
  }
}

function combinationFindings(task: Task, at: string): Finding[] {
  const findings: Finding[] = [];
  const get = (section: string, key: string): unknown => task.settings[section]?.[key];
  const ptr = (section: string, key: string) => `${at}/${section}/${key}`;
  if (get('ValidationSettings', 'ValidationOnly') === true) {
    if (task.full_load.target_table_prep_mode !== 'DO_NOTHING' || task.migration_type === 'full-load-and-cdc') {
      findings.push({
        code: SETTING_COMBINATION.code,
        pointer: ptr('ValidationSettings', 'ValidationOnly'),
        message: `ValidationOnly needs TargetTablePrepMode DO_NOTHING and a full-load or cdc task; task "${task.id}" is ${task.migration_type} with ${task.full_load.target_table_prep_mode}`,
      });
    }
  }
  if (get('TargetMetadata', 'BatchApplyEnabled') === true && task.lob.mode === 'full') {
    findings.push({
      code: SETTING_COMBINATION.code,
      pointer: ptr('TargetMetadata', 'BatchApplyEnabled'),
      message: `BatchApplyEnabled does not work with full LOB mode (task "${task.id}")`,
      hint: 'use limited LOB mode or transactional apply',
    });
  }
  for (const qualified of FULL_LOAD_AND_CDC_ONLY_KEYS) {
    const [section, key] = qualified.split('.') as [string, string];
    if (get(section, key) === true && task.migration_type !== 'full-load-and-cdc') {
      findings.push({
        code: SETTING_COMBINATION.code,
        pointer: ptr(section, key),
        message: `${key} only applies to full-load-and-cdc tasks; task "${task.id}" is ${task.migration_type}`,
      });
    }
  }
  if (get('ResyncSettings', 'EnableResync') === true) {
    if (!isCdc(task)) {
      findings.push({
        code: SETTING_COMBINATION.code,
        pointer: ptr('ResyncSettings', 'EnableResync'),
        message: `data resync is invalid for full-load task "${task.id}"`,
      });
    } else if (
      get('ResyncSettings', 'ResyncSchedule') === undefined ||
      get('ResyncSettings', 'MaxResyncTime') === undefined
    ) {
      findings.push({
        code: SETTING_COMBINATION.code,
        pointer: ptr('ResyncSettings', 'EnableResync'),
        message: `data resync on CDC task "${task.id}" needs ResyncSchedule and MaxResyncTime`,
      });
    }
  }
  return findings;
}

export const taskSettingsRule = {
  codes: [
    SETTING_UNKNOWN,
    SETTING_TYPE,
    SETTING_RANGE,
    SETTING_NOT_ON_CREATE,
    SETTING_MANAGED,
    SETTING_COMBINATION,
    SETTING_ENGINE,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    // DMS Serverless runs the engine version AWS manages (a current one): no setting is too new for it.
    const engine = plan.dms.replication_instance?.engine_version ?? null;
    plan.dms.tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}/settings`;
      for (const section of Object.keys(task.settings).sort()) {
        const catalogue = TASK_SETTINGS[section];
        if (!catalogue) {
          report({
            code: SETTING_UNKNOWN.code,
            pointer: `${at}/${section}`,
            message: `unknown task-settings section "${section}"${didYouMean(section, Object.keys(TASK_SETTINGS))}`,
          });
          continue;
        }
        const values = task.settings[section] ?? {};
        if (typeof values !== 'object' || values === null || Array.isArray(values)) {
          report({
            code: SETTING_TYPE.code,
            pointer: `${at}/${section}`,
            message: `section "${section}" must be an object`,
          });
          continue;
        }
        for (const key of Object.keys(values).sort()) {
          const pointer = `${at}/${section}/${key}`;
          const spec = catalogue[key];
          if (!spec) {
            const elsewhere = Object.keys(TASK_SETTINGS).find((other) => TASK_SETTINGS[other]?.[key] !== undefined);
            report({
              code: SETTING_UNKNOWN.code,
              pointer,
              message: `unknown key "${key}" in ${section}${elsewhere ? ` (it belongs in ${elsewhere})` : didYouMean(key, Object.keys(catalogue))}`,
            });
            continue;
          }
          if (spec.notOnCreate) {
            report({
              code: SETTING_NOT_ON_CREATE.code,
              pointer,
              message: `${section}.${key} cannot be set: ${spec.notOnCreate}`,
              hint: 'remove it',
            });
            continue;
          }
          if (spec.managedBy) {
            report({
              code: SETTING_MANAGED.code,
              pointer,
              message: `${section}.${key} is derived from the task's ${spec.managedBy}; set that instead`,
              hint: `remove settings.${section}.${key} and set ${spec.managedBy}`,
            });
            continue;
          }
          const problem = typeProblem(spec.type, values[key]);
          if (problem) {
            report({
              code: problem.code,
              pointer,
              message: `${section}.${key} is ${JSON.stringify(values[key])}; it must be ${problem.text}`,
            });
          }
          if (engine !== null && spec.sinceEngine && compareEngineVersions(engine, spec.sinceEngine) < 0) {
            report({
              code: SETTING_ENGINE.code,
              pointer,
              message: `${section}.${key} needs DMS engine ${spec.sinceEngine} or newer; the instance runs ${engine}`,
              notes: [{ message: 'engine version chosen here', pointer: '/dms/replication_instance/engine_version' }],
            });
          }
        }
      }
      for (const finding of combinationFindings(task, at)) report(finding);
    });
  },
} satisfies Rule;
