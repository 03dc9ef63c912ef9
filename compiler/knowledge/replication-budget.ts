// How many replication slots and WAL senders a plan needs on the source. Shared by the slot-budget
// rule and by whoever writes postgresql.conf, so the check and the emitted value cannot disagree.

import type { Plan, Task } from '../model/plan.js';

/** Spare slots/senders beyond the need: a task restart or a DBA's pg_basebackup must not hit the limit. */
export const REPLICATION_HEADROOM = 2;

export function isCdcTask(task: Task): boolean {
  return task.migration_type !== 'full-load';
}

export function cdcTaskCount(plan: Plan): number {
  return plan.dms.tasks.filter(isCdcTask).length;
}

export interface ReplicationBudget {
  /** Below this the plan cannot run. */
  readonly required: number;
  /** What pgferry writes when the plan has no override. */
  readonly recommended: number;
}

/** One logical slot per CDC task, on top of the slots other consumers already hold. */
export function slotBudget(plan: Plan): ReplicationBudget {
  const required = plan.source.existing_replication.slots + cdcTaskCount(plan);
  return { required, recommended: required + REPLICATION_HEADROOM };
}

/** One walsender per running CDC task, on top of standbys and backup tools. */
export function walSenderBudget(plan: Plan): ReplicationBudget {
  const required = plan.source.existing_replication.wal_senders + cdcTaskCount(plan);
  return { required, recommended: required + REPLICATION_HEADROOM };
}
