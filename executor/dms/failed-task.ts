// A failed DMS task is a state apply knows how to leave. When the plan has the task running and DMS
// reports it failed, apply restarts it: `resume-processing` when DMS can resume (it reuses the task's
// slot and checkpoint; a full load reloads only the tables it had not finished), `reload-target`
// (every table loaded again) only when DMS cannot resume, the plan allows it (`allow_reload`) and the
// `reload-target` gate was approved after the last reload. Every message carries DMS's failure, the
// tables DMS reports in error, and the exact command for each way on.

import type { ReplicationTask, TableStatistics } from '@aws-sdk/client-database-migration-service';
import type { RunContext } from '../types.js';
import type { DmsOps } from './ops.js';

/** The gate that lets apply reload a task's tables (reload-target, or a re-created task's first start). */
export const RELOAD_GATE = 'reload-target';

/** Failure messages after which DMS cannot resume: the slot or the WAL its checkpoint needs is gone. */
const CANNOT_RESUME = [
  /replication slot "?[^"\s]*"? does not exist/i,
  /requested WAL segment .* has already been removed/i,
  /slot "?[^"\s]*"? (has been invalidated|is invalid|was invalidated)/i,
  /can ?not resume/i,
];

const ERROR_STATES = new Set(['Table error', 'Table cancelled']);
const VALIDATION_ERRORS = new Set(['Error', 'Mismatched records', 'Suspended records', 'Failed validation']);

/** Tables DMS reports in error (load or validation), as `schema.table (state)`, sorted. */
export function erroredTables(stats: readonly TableStatistics[]): string[] {
  const out: string[] = [];
  for (const row of stats) {
    const name = `${row.SchemaName}.${row.TableName}`;
    if (ERROR_STATES.has(row.TableState ?? '')) out.push(`${name} (${row.TableState})`);
    else if (VALIDATION_ERRORS.has(row.ValidationState ?? ''))
      out.push(
        `${name} (validation: ${row.ValidationState}${row.ValidationStateDetails ? `, ${row.ValidationStateDetails}` : ''})`,
      );
  }
  return out.sort();
}

export function failureOf(task: ReplicationTask): string {
  return `status ${task.Status}${task.StopReason ? ` (${task.StopReason})` : ''}: ${task.LastFailureMessage ?? 'no message'}`;
}

const startCommand = (task: ReplicationTask, type: 'resume-processing' | 'reload-target') =>
  `aws dms start-replication-task --replication-task-arn ${task.ReplicationTaskArn} --start-replication-task-type ${type}`;

export interface Resumability {
  readonly canResume: boolean;
  /** Why DMS cannot resume ('' when it can). */
  readonly why: string;
}

/** Whether `resume-processing` can work: the failure does not say otherwise and a CDC task's slot exists. */
export async function resumability(task: ReplicationTask, slotName: string, ctx: RunContext): Promise<Resumability> {
  const message = task.LastFailureMessage ?? '';
  const fatal = CANNOT_RESUME.find((pattern) => pattern.test(message));
  if (fatal) return { canResume: false, why: `DMS's failure says it cannot go on from where it stopped` };
  if (task.MigrationType === 'full-load' || slotName === '' || !ctx.deployment.agent)
    return { canResume: true, why: '' };
  try {
    const { slots } = await (await ctx.agent()).slots();
    if (!slots.some((slot) => slot.slotName === slotName))
      return {
        canResume: false,
        why: `its replication slot ${slotName} is gone from the source, and resume-processing reads from it`,
      };
  } catch {
    // The agent cannot say: DMS will, when asked to resume.
  }
  return { canResume: true, why: '' };
}

export interface FailureContext {
  readonly task: ReplicationTask;
  readonly errored: readonly string[];
  readonly resumable: Resumability;
  readonly allowReload: boolean;
  /** How the operator names the plan in commands. */
  readonly plan: string;
}

/** DMS's failure, the tables in error, and the exact command for each way on. */
export function failureReport(failure: FailureContext, lead: string): string {
  const { task, errored, resumable, allowReload, plan } = failure;
  const lines = [`${lead}${failureOf(task)}`];
  if (errored.length > 0) lines.push(`tables in error: ${errored.join(', ')}`);
  if (resumable.canResume) {
    lines.push(
      `fix the cause, then resume it from where it stopped:  pgferry apply ${plan}  (StartReplicationTask resume-processing)`,
    );
    lines.push(`  or by hand:  ${startCommand(task, 'resume-processing')}`);
  } else lines.push(`DMS cannot resume it: ${resumable.why}`);
  lines.push(
    allowReload
      ? `load every table again (the plan allows it):  pgferry approve ${plan} ${RELOAD_GATE}, then pgferry apply ${plan}`
      : `load every table again (the plan does not let apply do it: dms.tasks[].allow_reload):  ${startCommand(task, 'reload-target')}`,
  );
  lines.push(`or undo the migration:  pgferry abort ${plan}`);
  return lines.join('\n  ');
}

/** Tables in error, or [] when DMS cannot say. */
export async function erroredTablesOf(dms: DmsOps, task: ReplicationTask): Promise<string[]> {
  try {
    return erroredTables(await dms.tableStatistics(task.ReplicationTaskArn!));
  } catch {
    return [];
  }
}

/** Whether the reload gate was approved after the last reload this node did (an approval reloads once). */
export function reloadApproved(ctx: RunContext, lastReloadAt: unknown): boolean {
  const approval = ctx.gateApproval(RELOAD_GATE);
  if (!approval) return false;
  return typeof lastReloadAt !== 'string' || approval.approvedAt > lastReloadAt;
}
