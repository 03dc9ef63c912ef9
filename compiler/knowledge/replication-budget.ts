// How many replication slots and WAL senders a plan needs on the source. Shared by the slot-budget
// rule and by whoever writes postgresql.conf, so the check and the emitted value cannot disagree.

import type { Plan } from '../model/plan.js';
import { hasFullLoad, isCdc } from '../model/task-kind.js';
import { replicationInUse, type ServerCapacity } from './server-capacity.js';

/** Spare slots/senders beyond the need: a task restart or a DBA's pg_basebackup must not hit the limit. */
export const REPLICATION_HEADROOM = 2;

export function cdcTaskCount(plan: Plan): number {
  return plan.dms.tasks.filter(isCdc).length;
}

export interface ReplicationBudget {
  /** Below this the plan cannot run. */
  readonly required: number;
  /** What pgferry writes when the plan has no override. */
  readonly recommended: number;
}

/**
 * Table-copy workers per subscription (the default of max_sync_workers_per_subscription): while a
 * logical-replication task copies data, each worker holds a temporary slot and a walsender of its own.
 */
export const LOGICAL_SYNC_WORKERS = 2;

/**
 * Whether the source must run with wal_level = logical: DMS decodes WAL only for CDC, but a logical
 * subscription's initial copy runs over a slot too, so every task of the logical engine needs it.
 */
export function needsLogicalDecoding(plan: Plan): boolean {
  return plan.engine === 'logical' ? plan.dms.tasks.length > 0 : cdcTaskCount(plan) > 0;
}

/**
 * Replication connections (each with a slot) the migration holds at the same time: one per CDC task
 * under DMS; under logical replication one per subscription plus its table-copy workers.
 */
export function replicationStreams(plan: Plan): number {
  if (plan.engine !== 'logical') return cdcTaskCount(plan);
  return plan.dms.tasks.reduce((sum, task) => sum + 1 + (hasFullLoad(task) ? LOGICAL_SYNC_WORKERS : 0), 0);
}

/**
 * One logical slot per replication stream, on top of the slots other consumers already hold (the
 * plan's existing_replication, or what a catalog shows when that is more).
 */
export function slotBudget(plan: Plan, capacity: ServerCapacity | null = null): ReplicationBudget {
  const required = replicationInUse(plan, capacity).slots + replicationStreams(plan);
  return { required, recommended: required + REPLICATION_HEADROOM };
}

/** One walsender per replication stream, on top of standbys and backup tools. */
export function walSenderBudget(plan: Plan, capacity: ServerCapacity | null = null): ReplicationBudget {
  const required = replicationInUse(plan, capacity).walSenders + replicationStreams(plan);
  return { required, recommended: required + REPLICATION_HEADROOM };
}
