// postgresql.conf overrides on the source: the values DMS CDC needs, and GUCs that do not exist in the
// source's version (reference/dms.md §1.4, §1.7).

import { majorName } from '../../contracts/pg-version.js';
import { defineCode } from '../diagnostics/codes.js';
import { SOURCE_GUCS } from '../knowledge/pg-versions.js';
import { cdcTaskCount, needsLogicalDecoding } from '../knowledge/replication-budget.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';

export const WAL_LEVEL_LOGICAL = defineCode({
  code: 'PGF3013',
  name: 'wal-level-logical',
  severity: 'error',
  title: 'CDC needs wal_level = logical',
  explanation:
    'DMS reads changes through logical decoding, which only works with wal_level = logical. The plan overrides ' +
    'wal_level to replica while a task streams changes. Remove the override (pgferry sets logical and schedules the ' +
    'restart) or make every task full-load.',
});

export const WAL_SENDER_TIMEOUT = defineCode({
  code: 'PGF3014',
  name: 'wal-sender-timeout',
  severity: 'error',
  title: 'wal_sender_timeout must be 0 or at least 10000 ms',
  explanation:
    'DMS requires wal_sender_timeout to be 0 (disabled) or at least 10 seconds; a shorter non-zero timeout makes the ' +
    'walsender drop the CDC connection and the task fails (premigration assessment ' +
    'postgres-check-walsenderstimeout). Set 0 or a value ≥ 10000 (milliseconds).',
});

export const WAL_SENDER_TIMEOUT_LONG = defineCode({
  code: 'PGF3015',
  name: 'wal-sender-timeout-long',
  severity: 'warning',
  title: 'wal_sender_timeout of 5 minutes or more delays DMS failover',
  explanation:
    'With a wal_sender_timeout of five minutes or more, a Multi-AZ failover of the replication instance leaves the ' +
    'old walsender holding the slot until the timeout, so the task cannot resume for that long. Keep it under 300000 ms ' +
    "(60000 is PostgreSQL's default).",
});

export const IDLE_IN_TRANSACTION_TIMEOUT = defineCode({
  code: 'PGF3016',
  name: 'idle-in-transaction-timeout',
  severity: 'error',
  title: 'idle_in_transaction_session_timeout must be 0 for the DMS sessions',
  explanation:
    'DMS keeps transactions open and idle between uses. A non-zero idle_in_transaction_session_timeout ends those ' +
    'sessions and the task fails. Set it to 0; pgferry applies it to the migration role only ' +
    '(ALTER ROLE … SET idle_in_transaction_session_timeout = 0).',
});

export const GUC_UNAVAILABLE = defineCode({
  code: 'PGF3017',
  name: 'guc-unavailable',
  severity: 'error',
  title: 'The setting does not exist in the source PostgreSQL version',
  explanation:
    'Some parameters appeared in later majors: idle_in_transaction_session_timeout in 9.6, max_slot_wal_keep_size and ' +
    'logical_decoding_work_mem in 13. PostgreSQL refuses to start (or to reload) with an unknown parameter in ' +
    'postgresql.conf. Remove the override from source.settings.',
});

export const SLOT_WAL_KEEP_SIZE = defineCode({
  code: 'PGF3018',
  name: 'slot-wal-keep-size',
  severity: 'warning',
  title: 'max_slot_wal_keep_size can invalidate the DMS slot',
  explanation:
    'A cap on the WAL a slot may retain protects the source disk, but once the DMS slot falls further behind than the ' +
    'cap PostgreSQL marks it lost and the CDC task fails; it can only restart from a new full load. Keep -1 ' +
    '(unlimited) and alert on slot lag, or accept the trade-off by waiving this warning.',
});

export const PGLOGICAL_PRELOAD = defineCode({
  code: 'PGF3019',
  name: 'pglogical-preload',
  severity: 'info',
  title: 'pgferry adds pglogical to the shared_preload_libraries override',
  explanation:
    'A task with plugin pglogical needs the pglogical library loaded at server start (a restart) and the extension ' +
    'created in the database (CREATE EXTENSION pglogical). The plan overrides shared_preload_libraries without it, so ' +
    'pgferry adds it to the emitted value. Add "pglogical" to the override to make that visible, or use the ' +
    'test-decoding plugin.',
});

export const GUC_OUT_OF_RANGE = defineCode({
  code: 'PGF3020',
  name: 'guc-out-of-range',
  severity: 'error',
  title: 'A source setting is outside the range PostgreSQL accepts',
  explanation:
    'PostgreSQL rejects out-of-range values and refuses to start when a postmaster parameter is invalid: ' +
    'max_replication_slots and max_wal_senders 0–262143, logical_decoding_work_mem at least 64 (kB), ' +
    'max_slot_wal_keep_size -1 or more (MB), timeouts 0 or more (ms). Fix the value in source.settings.',
});

export const WAL_LEVEL_UNNEEDED = defineCode({
  code: 'PGF3021',
  name: 'wal-level-unneeded',
  severity: 'info',
  title: 'wal_level = logical is set but no task streams changes',
  explanation:
    'Full-load-only tasks read tables with plain SELECTs; they need neither logical decoding nor the restart that ' +
    'changing wal_level costs. Remove the override unless another consumer needs it.',
});

const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  max_replication_slots: [0, 262143],
  max_wal_senders: [0, 262143],
  wal_sender_timeout: [0, 2147483647],
  idle_in_transaction_session_timeout: [0, 2147483647],
  max_slot_wal_keep_size: [-1, 2147483647],
  logical_decoding_work_mem: [64, 2147483647],
};

export const walSettingsRule = {
  codes: [
    WAL_LEVEL_LOGICAL,
    WAL_SENDER_TIMEOUT,
    WAL_SENDER_TIMEOUT_LONG,
    IDLE_IN_TRANSACTION_TIMEOUT,
    GUC_UNAVAILABLE,
    SLOT_WAL_KEEP_SIZE,
    PGLOGICAL_PRELOAD,
    GUC_OUT_OF_RANGE,
    WAL_LEVEL_UNNEEDED,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const settings = plan.source.settings;
    const version = plan.source.version;
    const at = (key: string) => `/source/settings/${key}`;
    const cdc = needsLogicalDecoding(plan);
    const unavailable = new Set<string>();
    for (const key of Object.keys(settings).sort()) {
      const facts = SOURCE_GUCS[key];
      if (facts && version.num < facts.since) {
        unavailable.add(key);
        report({
          code: GUC_UNAVAILABLE.code,
          pointer: at(key),
          message: `${key} does not exist before PostgreSQL ${majorName(facts.since)}; the source runs ${version.text}`,
          hint: `remove source.settings.${key}`,
        });
      }
      const range = RANGES[key];
      const value = (settings as Record<string, unknown>)[key];
      if (range && typeof value === 'number' && (value < range[0] || value > range[1] || !Number.isInteger(value))) {
        report({
          code: GUC_OUT_OF_RANGE.code,
          pointer: at(key),
          message: `${key} = ${value} is outside ${range[0]}..${range[1]}`,
        });
      }
    }
    if (settings.wal_level === 'replica' && cdc) {
      report({
        code: WAL_LEVEL_LOGICAL.code,
        pointer: at('wal_level'),
        message: `wal_level is overridden to replica but ${cdcTaskCount(plan)} task(s) stream changes, which needs logical`,
        hint: 'remove the wal_level override',
      });
    }
    if (settings.wal_level === 'logical' && !cdc) {
      report({
        code: WAL_LEVEL_UNNEEDED.code,
        pointer: at('wal_level'),
        message: 'wal_level = logical costs a restart, but every task is full-load only',
      });
    }
    const timeout = settings.wal_sender_timeout;
    if (timeout !== undefined && timeout > 0 && timeout < 10000) {
      report({
        code: WAL_SENDER_TIMEOUT.code,
        pointer: at('wal_sender_timeout'),
        message: `wal_sender_timeout is ${timeout} ms; DMS needs 0 or at least 10000 ms`,
        hint: 'set wal_sender_timeout to 60000 (the PostgreSQL default) or 0',
      });
    } else if (timeout !== undefined && timeout >= 300000) {
      report({
        code: WAL_SENDER_TIMEOUT_LONG.code,
        pointer: at('wal_sender_timeout'),
        message: `wal_sender_timeout is ${timeout} ms (≥ 5 min); a DMS failover waits that long for the slot`,
        hint: 'keep it below 300000 ms',
      });
    }
    const idle = settings.idle_in_transaction_session_timeout;
    if (idle !== undefined && idle !== 0 && !unavailable.has('idle_in_transaction_session_timeout')) {
      report({
        code: IDLE_IN_TRANSACTION_TIMEOUT.code,
        pointer: at('idle_in_transaction_session_timeout'),
        message: `idle_in_transaction_session_timeout is ${idle} ms; DMS sessions idle in transaction would be killed`,
        hint: 'set it to 0',
      });
    }
    const keep = settings.max_slot_wal_keep_size;
    if (cdc && keep !== undefined && keep !== -1 && !unavailable.has('max_slot_wal_keep_size')) {
      report({
        code: SLOT_WAL_KEEP_SIZE.code,
        pointer: at('max_slot_wal_keep_size'),
        message: `max_slot_wal_keep_size is ${keep} MB; a DMS slot further behind is invalidated and the task fails`,
        hint: 'use -1 and alert on slot lag, or waive this warning',
      });
    }
    const preload = settings.shared_preload_libraries;
    if (preload !== undefined && !preload.includes('pglogical')) {
      plan.dms.tasks.forEach((task, index) => {
        if (task.plugin !== 'pglogical' || !isCdc(task)) return;
        report({
          code: PGLOGICAL_PRELOAD.code,
          pointer: `/dms/tasks/${index}/plugin`,
          message: `task "${task.id}" uses the pglogical plugin; pgferry adds pglogical to the shared_preload_libraries override`,
          hint: 'add "pglogical" to source.settings.shared_preload_libraries',
          notes: [{ message: 'shared_preload_libraries is overridden here', pointer: at('shared_preload_libraries') }],
        });
      });
    }
  },
} satisfies Rule;
