// Replication slots and WAL senders: every CDC task holds one of each, on top of what other consumers
// (standbys, Debezium, backup tools) already use. An explicit override below the need is an error.

import { defineCode } from '../diagnostics/codes.js';
import {
  type ReplicationBudget,
  replicationStreams,
  slotBudget,
  walSenderBudget,
} from '../knowledge/replication-budget.js';
import { replicationInUse, serverCapacity } from '../knowledge/server-capacity.js';
import type { Plan } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';

export const SLOT_BUDGET = defineCode({
  code: 'PGF3010',
  name: 'slot-budget',
  severity: 'error',
  title: 'max_replication_slots is too low for the CDC tasks plus the slots already in use',
  explanation:
    'Each CDC or full-load-and-CDC task creates one logical replication slot on the source, and slots already held ' +
    'by standbys or other tools (source.existing_replication.slots) count against the same limit. When the limit ' +
    'is reached the task fails to start with "all replication slots are in use". Raise ' +
    'source.settings.max_replication_slots, or remove the override and let pgferry compute it (a restart is needed).',
});

export const WAL_SENDER_BUDGET = defineCode({
  code: 'PGF3011',
  name: 'wal-sender-budget',
  severity: 'error',
  title: 'max_wal_senders is too low for the CDC tasks plus the WAL senders already in use',
  explanation:
    'Each running CDC task keeps one walsender process busy, and physical standbys and backup tools ' +
    '(source.existing_replication.wal_senders) use others. When none is free DMS gets "number of requested standby ' +
    'connections exceeds max_wal_senders". Raise source.settings.max_wal_senders or remove the override.',
});

export const REPLICATION_HEADROOM = defineCode({
  code: 'PGF3012',
  name: 'replication-headroom',
  severity: 'warning',
  title: 'Slots or WAL senders leave no headroom',
  explanation:
    'The override covers exactly what the plan needs. A task restart that briefly overlaps the old walsender, a ' +
    'DBA taking a pg_basebackup, or a new standby will then hit the limit, and raising it needs a restart. Leave ' +
    'two spare slots and senders.',
});

function checkBudget(
  plan: Plan,
  key: 'max_replication_slots' | 'max_wal_senders',
  budget: ReplicationBudget,
  shortCode: string,
  existing: number,
  noun: string,
): Finding[] {
  const value = plan.source.settings[key];
  const streams = replicationStreams(plan);
  if (value === undefined || streams === 0) return [];
  const pointer = `/source/settings/${key}`;
  const consumers =
    plan.engine === 'logical'
      ? `${plan.dms.tasks.length} subscription(s) with their table-copy workers (${streams})`
      : `${streams} CDC task(s)`;
  const why = `${consumers} + ${existing} ${noun} already in use`;
  if (value < budget.required) {
    return [
      {
        code: shortCode,
        pointer,
        message: `${key} is ${value} but ${why} need ${budget.required}`,
        hint: `set ${key} to at least ${budget.recommended}, or remove the override`,
        notes: [{ message: `${noun} already in use are declared here`, pointer: '/source/existing_replication' }],
      },
    ];
  }
  if (value < budget.recommended) {
    return [
      {
        code: REPLICATION_HEADROOM.code,
        pointer,
        message: `${key} is ${value}, exactly what ${why} need; nothing is left for restarts or other consumers`,
        hint: `set ${key} to ${budget.recommended}`,
      },
    ];
  }
  return [];
}

export const replicationBudgetRule = {
  codes: [SLOT_BUDGET, WAL_SENDER_BUDGET, REPLICATION_HEADROOM],
  needsCatalog: false,
  check({ plan, catalog, report }) {
    // With a catalog, replication in use is what it shows when that is more than the plan declares.
    const capacity = serverCapacity(plan, catalog);
    const existing = replicationInUse(plan, capacity);
    for (const finding of [
      ...checkBudget(
        plan,
        'max_replication_slots',
        slotBudget(plan, capacity),
        SLOT_BUDGET.code,
        existing.slots,
        'slots',
      ),
      ...checkBudget(
        plan,
        'max_wal_senders',
        walSenderBudget(plan, capacity),
        WAL_SENDER_BUDGET.code,
        existing.walSenders,
        'WAL senders',
      ),
    ])
      report(finding);
  },
} satisfies Rule;
