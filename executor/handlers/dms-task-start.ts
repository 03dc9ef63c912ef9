// Starting a DMS task with the right StartReplicationTaskType (first start, resume after a failure, a
// reload behind its gate), attributing its slot, waiting for its full load, and explaining a failure
// with DMS's message, the tables in error and each way on.

import {
  type ReplicationTask,
  StartReplicationTaskCommand,
  type StartReplicationTaskTypeValue,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import {
  erroredTablesOf,
  failureOf,
  failureReport,
  RELOAD_GATE,
  reloadApproved,
  resumability,
} from '../dms/failed-task.js';
import { type DmsOps, isInvalidState, taskObservation } from '../dms/ops.js';
import { attributeSlot, oneStartPerDatabase, slotsBefore } from '../dms/task-slot.js';
import { type Input, optionalRecord, optionalString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';

import { ops, succeeded, taskId } from './dms-common.js';
import { fullLoadFinished, settle, untilRunning } from './dms-task-state.js';

/**
 * Starts a task (start-replication the first time, resume-processing after, a failed one restarted).
 * A CDC task's slot is attributed for certain (executor/dms/task-slot.ts): the CDC starts on one
 * source database run one at a time, and the slot new since the start is recorded and claimed with the
 * agent as the plan's.
 */
export async function taskStart(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const database = attributedDatabase(input, ctx);
  if (database === null) return startOrAdopt(node, input, ctx);
  return oneStartPerDatabase(ctx.graph, database, () => startOrAdopt(node, input, ctx));
}

export async function startOrAdopt(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = taskId(node, input);
  const task = await settle(dms, id);
  const arn = task.ReplicationTaskArn!;
  if (task.Status === 'running' || fullLoadFinished(task)) {
    const slotName = await slotOf(input, ctx);
    return succeeded({ taskArn: arn, startType: null, status: task.Status ?? null, slotName, adopted: true });
  }
  if (task.Status === 'failed') return restartFailed(node, input, task, ctx);
  // start-replication only for the very first run; anything else would reload or lose the position.
  const startType: StartReplicationTaskTypeValue =
    task.Status === 'ready' && task.ReplicationTaskStartDate === undefined ? 'start-replication' : 'resume-processing';
  // The task was created again (the earlier one is gone) after an earlier start loaded the target:
  // its first start loads every table again, which only the reload gate lets happen.
  const earlier = ctx.outputsOf(node.id)?.taskArn;
  const reloading = startType === 'start-replication' && typeof earlier === 'string' && earlier !== arn;
  if (reloading) {
    const gate = reloadGateFor(
      node,
      input,
      task,
      ctx,
      `replication task ${id} was created again after its earlier task (${earlier}) loaded the target; starting it loads every table again (empty the target tables first, or they hold the rows twice)`,
    );
    if (gate) return gate;
  }
  const cdcStart =
    optionalString(optionalRecord(input, 'request') ?? {}, 'CdcStartPosition') ??
    optionalString(input, 'CdcStartPosition') ??
    optionalString(input, 'cdcStartPosition');
  // Only a first start makes a new slot: the database's slots before it tell which one is the task's.
  const database = attributedDatabase(input, ctx);
  const before = database !== null && startType === 'start-replication' ? await slotsBefore(ctx, database) : null;
  await startTask(dms, arn, startType, cdcStart && startType === 'start-replication' ? cdcStart : undefined);
  let running: ReplicationTask;
  try {
    running = await untilRunning(dms, id, `replication task ${id}`);
  } catch (error) {
    // Failed as it started: DMS's failure, the tables in error and the ways on, as the wait says them.
    throw await explainTaskFailure(dms, id, ctx, error);
  }
  let slotName: string;
  try {
    slotName = await slotOf(input, ctx, before);
  } catch (error) {
    // The task failed before DMS made its slot: DMS's failure and the ways on, not only the slot wait's.
    throw await explainTaskFailure(dms, id, ctx, error);
  }
  return succeeded({
    taskArn: arn,
    startType,
    status: running.Status ?? null,
    slotName,
    ...(reloading ? { reloadedAt: ctx.now().toISOString() } : {}),
  });
}

export async function startTask(
  dms: DmsOps,
  arn: string,
  type: StartReplicationTaskTypeValue,
  cdcStart?: string,
): Promise<void> {
  try {
    await dms.send(
      new StartReplicationTaskCommand({
        ReplicationTaskArn: arn,
        StartReplicationTaskType: type,
        ...(cdcStart ? { CdcStartPosition: cdcStart } : {}),
      }),
    );
  } catch (error) {
    if (!isInvalidState(error)) throw error;
  }
}

/**
 * Whether a start that loads every table again may go on: null when the plan allows reloads and the
 * reload gate was approved after the last reload; a waiting-gate result when only the approval is
 * missing (the reason is logged); a failure with the ways on when the plan does not allow it.
 */
export function reloadGateFor(
  node: GraphNode,
  input: Input,
  task: ReplicationTask,
  ctx: RunContext,
  why: string,
): NodeResult | null {
  if (input.allowReload !== true)
    throw new NodeFailure(
      `${why}; the plan does not let apply reload (dms.tasks[].allow_reload: true does, behind the ${RELOAD_GATE} gate)\n  by hand:  aws dms start-replication-task --replication-task-arn ${task.ReplicationTaskArn} --start-replication-task-type ${task.ReplicationTaskStartDate === undefined ? 'start-replication' : 'reload-target'}\n  or undo the migration:  pgferry abort ${ctx.planRef}`,
    );
  if (reloadApproved(ctx, ctx.outputsOf(node.id)?.reloadedAt)) return null;
  ctx.log(`${why}; approve it with: pgferry approve ${ctx.planRef} ${RELOAD_GATE}`);
  return { status: 'waiting-gate', gate: RELOAD_GATE };
}

/**
 * A failed task the plan has running: resume-processing when DMS can resume (a full load reloads only
 * the tables it had not finished), reload-target when it cannot and the plan allows a reload behind
 * the reload gate; otherwise a failure with DMS's message, the tables in error and each way on.
 */
export async function restartFailed(
  node: GraphNode,
  input: Input,
  task: ReplicationTask,
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = task.ReplicationTaskIdentifier!;
  const arn = task.ReplicationTaskArn!;
  const slotName = String(ctx.outputsOf(node.id)?.slotName ?? optionalString(input, 'slot') ?? '');
  const failure = {
    task,
    errored: await erroredTablesOf(dms, task),
    resumable: await resumability(task, slotName, ctx),
    allowReload: input.allowReload === true,
    plan: ctx.planRef,
  };
  const what = `replication task ${id} had failed (${failureOf(task)}${failure.errored.length > 0 ? `; tables in error: ${failure.errored.join(', ')}` : ''})`;
  let type: StartReplicationTaskTypeValue = 'resume-processing';
  if (!failure.resumable.canResume) {
    if (!failure.allowReload) throw new NodeFailure(failureReport(failure, `replication task ${id} `));
    const gate = reloadGateFor(
      node,
      input,
      task,
      ctx,
      `${what}; DMS cannot resume it: ${failure.resumable.why}; reload-target loads every table again`,
    );
    if (gate) return gate;
    type = 'reload-target';
  }
  await startTask(dms, arn, type);
  let running: ReplicationTask;
  try {
    running = await untilRunning(dms, id, `restarting replication task ${id} (${type})`);
  } catch (error) {
    const again = await dms.task(id);
    if (again?.Status !== 'failed') throw error;
    throw new NodeFailure(
      failureReport(
        { ...failure, task: again, errored: await erroredTablesOf(dms, again) },
        `replication task ${id} failed again after ${type}: `,
      ),
    );
  }
  const note = `${what}; restarted with ${type}`;
  ctx.log(note);
  return succeeded(
    {
      taskArn: arn,
      startType: type,
      status: running.Status ?? null,
      slotName: type === 'reload-target' ? await slotOf(input, ctx) : slotName || (await slotOf(input, ctx)),
      ...(type === 'reload-target' ? { reloadedAt: ctx.now().toISOString() } : {}),
    },
    note,
  );
}

/** The source database whose slot pgferry attributes for this CDC task, or null (full load, explicit slot, no agent). */
export function attributedDatabase(input: Input, ctx: RunContext): string | null {
  const database = optionalString(input, 'database');
  if (input.migrationType === 'full-load' || optionalString(input, 'slot') !== undefined) return null;
  return ctx.deployment.agent && database !== undefined ? database : null;
}

/**
 * The slot a started task reads: the explicit one, '' for full load (or without an agent), else the
 * one attributed to it (`before`: the database's slots just before this run started it, when it did).
 */
export async function slotOf(
  input: Input,
  ctx: RunContext,
  before: ReadonlySet<string> | null = null,
): Promise<string> {
  const explicit = optionalString(input, 'slot');
  if (explicit !== undefined) return explicit;
  const database = attributedDatabase(input, ctx);
  if (database === null) return '';
  return (await attributeSlot(ctx, ops(ctx), String(input.task), database, before)).slotName;
}

/** Run by the wait executor (the compiler files DmsFullLoadWait under `wait`). */
export async function fullLoadWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = taskId(node, input);
  let task: ReplicationTask | null;
  try {
    task = await dms.waitFor(
      `full load of replication task ${id}`,
      () => dms.task(id),
      (current) =>
        current !== null &&
        (fullLoadFinished(current) ||
          // A full-load-only task is done when it stops by itself; a CDC task keeps running.
          ((input.migrationType ?? current.MigrationType) !== 'full-load' &&
            current.Status === 'running' &&
            (current.ReplicationTaskStats?.FullLoadProgressPercent ?? 0) >= 100 &&
            (current.ReplicationTaskStats?.TablesLoading ?? 0) === 0 &&
            (current.ReplicationTaskStats?.TablesQueued ?? 0) === 0)),
      (current) => {
        if (current === null) return 'task not found';
        if (current.Status === 'failed' || current.Status === 'stopped') return failureOf(current);
        const errored = current.ReplicationTaskStats?.TablesErrored ?? 0;
        return errored > 0 ? `${errored} table(s) errored during the full load` : null;
      },
      {
        kind: 'full_load',
        show: taskObservation,
        check: 'pgferry status shows each table and its state; the task log in CloudWatch shows why a table is slow',
      },
    );
  } catch (error) {
    throw await explainTaskFailure(dms, id, ctx, error);
  }
  return succeeded({
    fullLoadProgressPercent: task!.ReplicationTaskStats?.FullLoadProgressPercent ?? 100,
    tablesLoaded: task!.ReplicationTaskStats?.TablesLoaded ?? null,
    status: task!.Status ?? null,
  });
}

/**
 * A wait that ended because the task failed (or has tables in error) becomes DMS's failure, the tables
 * in error and the exact command for each way on; any other error is returned as it is.
 */
export async function explainTaskFailure(dms: DmsOps, id: string, ctx: RunContext, error: unknown): Promise<unknown> {
  if (!(error instanceof NodeFailure) || error.retriable) return error;
  const task = await dms.task(id).catch(() => null);
  if (!task) return error;
  const errored = await erroredTablesOf(dms, task);
  if (task.Status !== 'failed') {
    return errored.length > 0
      ? new NodeFailure(
          `${error.message}: ${errored.join(', ')}; fix the cause, then reload them: aws dms reload-tables --replication-task-arn ${task.ReplicationTaskArn} --tables-to-reload ${errored.map((name) => `SchemaName=${name.split('.')[0]},TableName=${name.split('.')[1]!.split(' ')[0]}`).join(' ')}`,
        )
      : error;
  }
  const start = ctx.graph.nodes.find((item) => item.kind === 'DmsTaskStart' && item.input.task === id);
  const slotName = String((start && ctx.outputsOf(start.id)?.slotName) ?? start?.input.slot ?? '');
  return new NodeFailure(
    failureReport(
      {
        task,
        errored,
        resumable: await resumability(task, slotName, ctx),
        allowReload: start?.input.allowReload === true,
        plan: ctx.planRef,
      },
      `replication task ${id} `,
    ),
  );
}
