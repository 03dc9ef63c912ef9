// A DMS task's state as the handlers need it: whether the plan has it running, holding it stopped while
// a node modifies it or its endpoints, resuming it, waiting until it runs or settles, stopping it.

import {
  type ReplicationTask,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { failureOf } from '../dms/failed-task.js';
import { type DmsOps, isInvalidState, isNotFound } from '../dms/ops.js';
import type { TaskHold } from '../dms/task-holds.js';
import { optionalRecord, optionalString } from '../inputs.js';
import type { RunContext } from '../types.js';

import { type Json, TASK_WAIT } from './dms-common.js';

/**
 * Whether the plan means the task to be running: its start node ran and no stop node did. A run cut
 * off between stopping a task to modify it and resuming it leaves it stopped; the next run resumes it.
 * A task that failed while the plan had it running is restarted (resume-processing) the same way.
 */
export function planRunsTask(id: string, task: ReplicationTask, ctx: RunContext): boolean {
  if (task.ReplicationTaskStartDate === undefined || fullLoadFinished(task)) return false;
  if (task.Status !== 'stopped' && task.Status !== 'failed') return false;
  const ran = (kind: NodeKind) =>
    ctx.graph.nodes.some(
      (item) => item.kind === kind && item.input.task === id && Object.keys(ctx.outputsOf(item.id) ?? {}).length > 0,
    );
  return ran('DmsTaskStart') && !ran('DmsTaskStop');
}

/** The nodes of this run that modify a task or an endpoint it uses, each of which holds the task. */
export function holdParticipants(id: string, ctx: RunContext): string[] {
  const node = ctx.graph.nodes.find(
    (item) =>
      item.kind === 'DmsTaskCreate' && rawRequest(item, ctx).ReplicationTaskIdentifier?.toString().toLowerCase() === id,
  );
  if (!node) return [];
  const request = rawRequest(node, ctx);
  const endpoints = [request.SourceEndpointArn, request.TargetEndpointArn]
    .map((value) => (typeof value === 'string' ? /^@ref\(([^#)]+)#/.exec(value)?.[1] : undefined))
    .filter((ref): ref is string => ref !== undefined);
  return [node.id, ...endpoints].filter((item) => ctx.pendingModify(item).length > 0);
}

/** A task node's request as compiled (placeholders unresolved): inline, or its artifact. */
export function rawRequest(node: GraphNode, ctx: RunContext): Json {
  const inline = optionalRecord(node.input, 'request');
  if (inline) return inline;
  const path = optionalString(node.input, 'artifact');
  const text = path === undefined ? undefined : ctx.artifacts.get(path);
  return text === undefined ? {} : (JSON.parse(text) as Json);
}

/** The command that restarts a failed task from where it stopped, for the operator. */
export const restartCommand = (task: ReplicationTask) =>
  `aws dms start-replication-task --replication-task-arn ${task.ReplicationTaskArn} --start-replication-task-type resume-processing`;

/**
 * Takes a task for a plan change: a running task is stopped (when `stop`) and resumes afterwards; a
 * stopped or failed task resumes afterwards only if the plan has it running (its start node ran and
 * no stop node did); a failed one the plan does not run is left so, with the command that restarts it.
 */
export async function takeTask(
  dms: DmsOps,
  id: string,
  ctx: RunContext,
  stoppedStep: string,
  stop = true,
): Promise<TaskHold> {
  const task = await dms.task(id);
  if (task === null) return { resume: false, steps: [] };
  if (['running', 'starting', 'stopping'].includes(task.Status ?? '')) {
    if (!stop) return { resume: false, steps: [] };
    await stopTask(dms, id);
    return { resume: true, steps: [stoppedStep] };
  }
  if (planRunsTask(id, task, ctx)) {
    return {
      resume: true,
      steps:
        task.Status === 'failed' ? [`task ${id} had failed (${failureOf(task)}); restarting it after the change`] : [],
    };
  }
  if (task.Status === 'failed') {
    const line = `task ${id} is failed (${failureOf(task)}) and this plan's run did not start it: left as is; to restart it: ${restartCommand(task)}`;
    ctx.log(line);
    return { resume: false, steps: [line] };
  }
  return { resume: false, steps: [] };
}

/** StartReplicationTask resume-processing on a stopped task, then wait until it runs; false if it ran. */
export async function resumeTask(dms: DmsOps, id: string): Promise<boolean> {
  const task = await settle(dms, id);
  if (task.Status === 'running') return false;
  try {
    await dms.send(
      new StartReplicationTaskCommand({
        ReplicationTaskArn: task.ReplicationTaskArn!,
        StartReplicationTaskType: 'resume-processing',
      }),
    );
  } catch (error) {
    if (!isInvalidState(error)) throw error;
  }
  await untilRunning(dms, id, `resuming replication task ${id}`);
  return true;
}

/** Waits for a started task to run (or, full load only, to finish); stopped or failed is an error. */
export async function untilRunning(dms: DmsOps, id: string, what: string): Promise<ReplicationTask> {
  return (await dms.waitFor(
    what,
    () => dms.task(id),
    (current) => current?.Status === 'running' || (current !== null && fullLoadFinished(current)),
    (current) =>
      current === null
        ? 'not found'
        : current.Status === 'failed' || current.Status === 'stopped'
          ? failureOf(current)
          : null,
    TASK_WAIT,
  ))!;
}

export const fullLoadFinished = (task: ReplicationTask) =>
  task.Status === 'stopped' && /FULL_LOAD_ONLY_FINISHED|STOPPED_AFTER_FULL_LOAD/.test(task.StopReason ?? '');

export async function settle(dms: DmsOps, id: string): Promise<ReplicationTask> {
  return (await dms.waitFor(
    `replication task ${id}`,
    () => dms.task(id),
    (task) =>
      task !== null && !['creating', 'modifying', 'stopping', 'starting', 'testing'].includes(task.Status ?? ''),
    (task) => (task === null ? 'not found (was it deleted?)' : null),
    TASK_WAIT,
  ))!;
}

export async function stopTask(dms: DmsOps, id: string): Promise<'stopped' | 'absent' | 'already'> {
  const task = await dms.task(id);
  if (task === null) return 'absent';
  if (!['running', 'starting', 'stopping'].includes(task.Status ?? '')) return 'already';
  if (task.Status !== 'stopping') {
    try {
      await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: task.ReplicationTaskArn! }));
    } catch (error) {
      if (!isInvalidState(error) && !isNotFound(error)) throw error;
    }
  }
  await dms.waitFor(
    `stopping replication task ${id}`,
    () => dms.task(id),
    (current) => current === null || !['running', 'starting', 'stopping'].includes(current.Status ?? ''),
    () => null,
    TASK_WAIT,
  );
  return 'stopped';
}
