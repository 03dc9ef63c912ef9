// Slots and heartbeat per task: explicit slot names only where pgferry creates the slot (cdc tasks),
// valid and distinct; CDC tasks keep their slot moving; full-load tasks carry no CDC settings.

import { defineCode } from '../diagnostics/codes.js';
import { SLOT_NAME } from '../knowledge/identifiers.js';
import { CDC_ONLY_SECTIONS } from '../knowledge/task-settings.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';

export const SLOT_NAME_NOT_CDC = defineCode({
  code: 'PGF3310',
  name: 'slot-name-not-cdc',
  severity: 'error',
  title: 'slot_name is only for cdc tasks',
  explanation:
    'A named slot is created by pgferry and handed to DMS with a CDC start position (a native start point), which DMS ' +
    'supports for cdc-only tasks. A full-load task has no slot at all, and a full-load-and-cdc task creates its own ' +
    'when it starts. Remove slot_name, or split the task into a full-load task and a cdc task.',
});

export const SLOT_NAME_INVALID = defineCode({
  code: 'PGF3311',
  name: 'slot-name-invalid',
  severity: 'error',
  title: 'The slot name is not a valid replication slot name',
  explanation:
    'PostgreSQL replication slot names contain only lower-case letters, digits and underscores, at most 63 ' +
    'characters. pg_create_logical_replication_slot rejects anything else.',
});

export const SLOT_NAME_DUPLICATE = defineCode({
  code: 'PGF3312',
  name: 'slot-name-duplicate',
  severity: 'error',
  title: 'Two tasks use the same slot',
  explanation:
    'Slot names are unique per PostgreSQL cluster, across databases, and a slot serves one consumer at a time; the ' +
    'second task would fail with "replication slot is active". Give each task its own slot name.',
});

export const HEARTBEAT_OFF = defineCode({
  code: 'PGF3313',
  name: 'heartbeat-off',
  severity: 'warning',
  title: 'A CDC task runs without the DMS heartbeat',
  explanation:
    'WAL is cluster-wide: a slot on a quiet database still pins the WAL every other database writes until its own ' +
    'database produces a change DMS can confirm. The heartbeat writes a row every few minutes so restart_lsn keeps ' +
    'moving and the source disk does not fill. Enable heartbeat on CDC tasks.',
});

export const HEARTBEAT_FREQUENCY = defineCode({
  code: 'PGF3314',
  name: 'heartbeat-frequency',
  severity: 'error',
  title: 'The heartbeat frequency must be at least one minute',
  explanation:
    'HeartbeatFrequency is in minutes; 0 or a negative value makes DMS write the heartbeat in a tight loop (or ' +
    "reject the endpoint). Use 1 or more; 5 is AWS's default.",
});

export const FULL_LOAD_CDC_SETTINGS = defineCode({
  code: 'PGF3315',
  name: 'full-load-cdc-settings',
  severity: 'warning',
  title: 'A full-load task carries CDC settings',
  explanation:
    'A full-load task never reads the WAL, so heartbeat and change-processing settings have no effect; their presence ' +
    'usually means the migration type is wrong. Remove them, or change the task to full-load-and-cdc.',
});

export const HEARTBEAT_SCHEMA = defineCode({
  code: 'PGF3316',
  name: 'heartbeat-schema',
  severity: 'error',
  title: 'The heartbeat schema is not a plain PostgreSQL identifier',
  explanation:
    'DMS creates awsdms_heartbeat in HeartbeatSchema and passes the name unquoted, so it must be a lower-case ' +
    'identifier of letters, digits and underscores (at most 63 characters) that exists on the source, and the ' +
    'migration user must be able to create tables in it.',
});

export const CDC_TASKS_SHARE_DATABASE = defineCode({
  code: 'PGF3317',
  name: 'cdc-tasks-share-database',
  severity: 'info',
  title: 'Several CDC tasks read the same database',
  explanation:
    'Each CDC task has its own slot and walsender, and each walsender decodes the whole WAL stream of the cluster, ' +
    'discarding the tables it does not replicate. Splitting one database over several CDC tasks multiplies decoding ' +
    'CPU and WAL reads on the source. Prefer one CDC task per database unless a single task cannot keep up.',
});

export const cdcTaskRule = {
  codes: [
    HEARTBEAT_SCHEMA,
    CDC_TASKS_SHARE_DATABASE,
    SLOT_NAME_NOT_CDC,
    SLOT_NAME_INVALID,
    SLOT_NAME_DUPLICATE,
    HEARTBEAT_OFF,
    HEARTBEAT_FREQUENCY,
    FULL_LOAD_CDC_SETTINGS,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const slots = new Map<string, number>();
    plan.dms.tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}`;
      if (task.slot_name !== null) {
        const pointer = `${at}/slot_name`;
        if (task.migration_type !== 'cdc') {
          report({
            code: SLOT_NAME_NOT_CDC.code,
            pointer,
            message: `task "${task.id}" is ${task.migration_type} but names slot "${task.slot_name}"; only cdc tasks take a slot name`,
            hint: !isCdc(task) ? 'remove slot_name' : 'remove slot_name; DMS creates the slot when the task starts',
          });
        }
        if (!SLOT_NAME.test(task.slot_name)) {
          report({
            code: SLOT_NAME_INVALID.code,
            pointer,
            message: `slot name "${task.slot_name}" is invalid: use lower-case letters, digits and underscores, at most 63`,
            hint: `e.g. "${task.slot_name
              .toLowerCase()
              .replace(/[^a-z0-9_]/g, '_')
              .slice(0, 63)}"`,
          });
        }
        const first = slots.get(task.slot_name);
        if (first !== undefined) {
          report({
            code: SLOT_NAME_DUPLICATE.code,
            pointer,
            message: `slot "${task.slot_name}" is already used by task "${plan.dms.tasks[first]!.id}"`,
            notes: [{ message: 'first used here', pointer: `/dms/tasks/${first}/slot_name` }],
          });
        } else slots.set(task.slot_name, index);
      }
      if (task.heartbeat.enabled && !/^[a-z_][a-z0-9_$]{0,62}$/.test(task.heartbeat.schema)) {
        report({
          code: HEARTBEAT_SCHEMA.code,
          pointer: `${at}/heartbeat/schema`,
          message: `heartbeat schema "${task.heartbeat.schema}" is not a lower-case PostgreSQL identifier`,
        });
      }
      const sharing = plan.dms.tasks.findIndex((other) => other.database === task.database && isCdc(other));
      if (isCdc(task) && sharing >= 0 && sharing < index) {
        report({
          code: CDC_TASKS_SHARE_DATABASE.code,
          pointer: `${at}/database`,
          message: `task "${task.id}" is another CDC task on database "${task.database}"; each one decodes the whole WAL stream`,
          notes: [{ message: 'the first CDC task on it', pointer: `/dms/tasks/${sharing}` }],
        });
      }
      if (task.heartbeat.enabled && task.heartbeat.frequency_minutes < 1) {
        report({
          code: HEARTBEAT_FREQUENCY.code,
          pointer: `${at}/heartbeat/frequency_minutes`,
          message: `heartbeat frequency is ${task.heartbeat.frequency_minutes} minutes; it must be at least 1`,
        });
      }
      if (!isCdc(task)) {
        const stray = [
          ...(task.heartbeat.enabled ? ['heartbeat'] : []),
          ...CDC_ONLY_SECTIONS.filter((section) => section in task.settings).map((section) => `settings.${section}`),
        ];
        if (stray.length > 0) {
          report({
            code: FULL_LOAD_CDC_SETTINGS.code,
            pointer: task.heartbeat.enabled ? `${at}/heartbeat/enabled` : `${at}/settings`,
            message: `full-load task "${task.id}" sets ${stray.join(', ')}, which only CDC uses`,
            hint: 'remove them, or make the task full-load-and-cdc',
          });
        }
      } else if (!task.heartbeat.enabled) {
        report({
          code: HEARTBEAT_OFF.code,
          pointer: `${at}/heartbeat/enabled`,
          message: `CDC task "${task.id}" has no heartbeat; an idle database lets its slot pin WAL until the disk fills`,
          hint: 'set heartbeat.enabled: true',
        });
      }
    });
  },
} satisfies Rule;
