// Cutover settings: a lag threshold that can be met, a fence that stops writes, sequences that move ahead.

import { defineCode } from '../diagnostics/codes.js';
import { cdcTaskCount } from '../knowledge/replication-budget.js';
import type { Rule } from './rule.js';

export const CUTOVER_MAX_LAG = defineCode({
  code: 'PGF3710',
  name: 'cutover-max-lag',
  severity: 'warning',
  title: 'The cutover lag threshold is implausible',
  explanation:
    'cutover.max_lag_seconds is the CDC latency under which writes are fenced. It must be positive; DMS reports ' +
    'latency with a granularity of seconds, so 0 is never reached. Above five minutes the fence starts while a lot ' +
    'of changes are still in flight and the write outage lasts that long. 5–60 seconds is typical.',
});

export const FENCE_ROLES_EMPTY = defineCode({
  code: 'PGF3711',
  name: 'fence-roles-empty',
  severity: 'error',
  title: 'CDC without any role to fence at cutover',
  explanation:
    'With CDC the source stays writable during the migration; at cutover the application writers must be stopped ' +
    'before the last changes are drained and sequences are synchronised, or writes made after that are lost. List ' +
    'the application roles in source.write_roles (or cutover.fence.roles).',
});

export const SEQUENCE_MARGIN = defineCode({
  code: 'PGF3712',
  name: 'sequence-margin',
  severity: 'error',
  title: 'The sequence margin must not be negative',
  explanation:
    'At cutover each target sequence is set to the source value plus cutover.sequences.margin, so the target never ' +
    'hands out a value the source already used. A negative margin guarantees duplicate keys; 0 leaves no room for ' +
    'writes that slip through the fence. Use a margin above the writes per second times the fence duration.',
});

export const SEQUENCE_SYNC_OFF = defineCode({
  code: 'PGF3713',
  name: 'sequence-sync-off',
  severity: 'warning',
  title: 'Sequences are not synchronised at cutover',
  explanation:
    'DMS copies rows but never advances sequences; without the sync the first inserts on the target collide with ' +
    'existing keys ("duplicate key value violates unique constraint"). Enable cutover.sequences unless the schema ' +
    'has no sequences or identity columns.',
});

export const SLOT_LEFT_BEHIND = defineCode({
  code: 'PGF3714',
  name: 'slot-left-behind',
  severity: 'warning',
  title: 'Cleanup keeps the CDC slot on the source',
  explanation:
    'A logical slot nobody reads keeps every WAL segment from its restart_lsn on, across all databases of the cluster, ' +
    'until the source disk fills. DMS drops a slot only when it deletes a task that created it, so with ' +
    'cleanup.drop_slot false (and certainly with dms_resources keep) the slot outlives the migration. Drop it at ' +
    'cleanup, or waive this warning and monitor pg_replication_slots.',
});

export const TASK_LEFT_RUNNING = defineCode({
  code: 'PGF3715',
  name: 'task-left-running',
  severity: 'warning',
  title: 'Cleanup leaves the CDC task running after cutover',
  explanation:
    'After cutover the application writes to the target. A CDC task that keeps running applies any later source write ' +
    '(a cron job, a forgotten client, the fence being lifted) on top of the new primary and can overwrite its rows. ' +
    'Stop the task at cleanup (cutover.cleanup.stop_task: true).',
});

export const cutoverRule = {
  codes: [CUTOVER_MAX_LAG, FENCE_ROLES_EMPTY, SEQUENCE_MARGIN, SEQUENCE_SYNC_OFF, SLOT_LEFT_BEHIND, TASK_LEFT_RUNNING],
  needsCatalog: false,
  check({ plan, report }) {
    const cutover = plan.cutover;
    const cdc = cdcTaskCount(plan) > 0;
    if (cdc && !(cutover.max_lag_seconds > 0)) {
      report({
        code: CUTOVER_MAX_LAG.code,
        pointer: '/cutover/max_lag_seconds',
        severity: 'error',
        message: `max_lag_seconds is ${cutover.max_lag_seconds}; the CDC lag can never fall below it`,
        hint: 'use a positive value such as 5',
      });
    } else if (cdc && cutover.max_lag_seconds > 300) {
      report({
        code: CUTOVER_MAX_LAG.code,
        pointer: '/cutover/max_lag_seconds',
        message: `max_lag_seconds is ${cutover.max_lag_seconds}; writes would be fenced with up to ${cutover.max_lag_seconds} s of changes still to apply`,
        hint: 'use 60 seconds or less',
      });
    }
    if (cdc && cutover.fence.roles.length === 0) {
      report({
        code: FENCE_ROLES_EMPTY.code,
        pointer: '/cutover/fence/roles',
        message: 'CDC tasks run but cutover fences no role, so application writes continue after the final sync',
        hint: 'list the application write roles in source.write_roles',
      });
    }
    if (cutover.sequences.enabled && cutover.sequences.margin < 0) {
      report({
        code: SEQUENCE_MARGIN.code,
        pointer: '/cutover/sequences/margin',
        message: `sequence margin is ${cutover.sequences.margin}; target sequences would hand out values the source already used`,
      });
    } else if (cutover.sequences.enabled && cdc && cutover.sequences.margin === 0) {
      report({
        code: SEQUENCE_MARGIN.code,
        pointer: '/cutover/sequences/margin',
        severity: 'warning',
        message: 'sequence margin is 0; a write that slips past the fence causes a duplicate key on the target',
        hint: 'use a margin such as 1000',
      });
    }
    if (cdc && !cutover.cleanup.drop_slot) {
      report({
        code: SLOT_LEFT_BEHIND.code,
        pointer: '/cutover/cleanup/drop_slot',
        message: `cleanup keeps the replication slot(s) of ${cdcTaskCount(plan)} CDC task(s); an unread slot retains WAL until the source disk fills`,
        hint: 'set cutover.cleanup.drop_slot: true',
      });
    }
    if (cdc && !cutover.cleanup.stop_task) {
      report({
        code: TASK_LEFT_RUNNING.code,
        pointer: '/cutover/cleanup/stop_task',
        message: 'cleanup leaves the CDC task(s) running; later source writes would be applied over the new primary',
        hint: 'set cutover.cleanup.stop_task: true',
      });
    }
    if (!cutover.sequences.enabled) {
      report({
        code: SEQUENCE_SYNC_OFF.code,
        pointer: '/cutover/sequences/enabled',
        message: 'sequences are not synchronised; DMS leaves target sequences at their start values',
        hint: 'set cutover.sequences.enabled: true',
      });
    }
  },
} satisfies Rule;
