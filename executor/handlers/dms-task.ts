// DMS tasks: create or adopt by identifier, modify in place (stopped → modified → resumed), stop, delete.

import {
  CreateReplicationTaskCommand,
  DeleteReplicationTaskCommand,
  ModifyReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import { failureOf } from '../dms/failed-task.js';
import { artifactText, type Input, optionalString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';

import {
  createTolerant,
  findOwned,
  type Json,
  modifiablePart,
  modifiedOutputs,
  ops,
  requestOf,
  retag,
  succeeded,
  TASK_WAIT,
  taskId,
  withPlanTag,
} from './dms-common.js';
import { holdParticipants, resumeTask, settle, stopTask, takeTask } from './dms-task-state.js';

export async function taskCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  for (const [key, artifactKey] of [
    ['TableMappings', 'tableMappings'],
    ['ReplicationTaskSettings', 'taskSettings'],
  ] as const) {
    const path = optionalString(input, artifactKey);
    if (request[key] === undefined && path !== undefined) request[key] = artifactText(node, ctx.artifacts, path).trim();
    const value = request[key];
    if (value !== undefined && typeof value !== 'string') request[key] = JSON.stringify(value);
  }
  const { id, existing: found } = await findOwned(node, request, ctx, {
    what: 'replication task',
    idField: 'ReplicationTaskIdentifier',
    describe: (name) => dms.task(name),
    arnOf: (task) => task.ReplicationTaskArn,
  });
  const adopted = found !== null;
  if (adopted) {
    const modify = ctx.pendingModify(node.id);
    if (modify.length > 0) return modifyTask(node, id, request, modify, ctx);
  } else await createTolerant(dms, new CreateReplicationTaskCommand(request as never));
  const existing = await dms.waitFor(
    `replication task ${id}`,
    () => dms.task(id),
    (task) => task !== null && task.Status !== 'creating' && task.Status !== 'modifying',
    (task) => (task === null ? 'disappeared while waiting' : null),
    TASK_WAIT,
  );
  if (existing!.Status === 'failed') throw new NodeFailure(`replication task ${id}: ${failureOf(existing!)}`);
  return succeeded({ arn: existing!.ReplicationTaskArn ?? null, identifier: id, adopted });
}

/**
 * Table mappings, task settings, migration type: stop a running task (DMS refuses to modify one),
 * ModifyReplicationTask, wait until it settles (modifying → ready/stopped), then resume it with
 * resume-processing, which also loads tables the new mappings add (DMS's full load of added tables on
 * resume, for full-load-and-cdc tasks). Source, target or instance changes never get here: they need
 * the task re-created and are refused when the plan changes.
 */
export async function modifyTask(
  node: GraphNode,
  id: string,
  request: Json,
  fields: readonly string[],
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  let task = await settle(dms, id);
  const arn = task.ReplicationTaskArn!;
  for (const key of ['ReplicationInstanceArn', 'SourceEndpointArn', 'TargetEndpointArn'] as const) {
    if (typeof request[key] === 'string' && task[key] !== undefined && task[key] !== request[key]) {
      throw new NodeFailure(
        `replication task ${id}: ${key} is ${task[key]}, the plan says ${String(request[key])}; DMS cannot modify it in place: the task must be re-created`,
      );
    }
  }
  const started = task.ReplicationTaskStartDate !== undefined;
  const wasFailed = task.Status === 'failed';
  const change = modifiablePart(node, request, fields);
  // A start position only matters for a task's first start.
  if (started) for (const key of ['CdcStartPosition', 'CdcStartTime']) delete change[key];
  const steps: string[] = [];
  const holds = ctx.dmsTaskHolds;
  const resume = () => resumeTask(dms, id);
  const modifying = Object.keys(change).length > 0;
  if (modifying) {
    const { hold, first } = await holds.hold(id, node.id, holdParticipants(id, ctx), () =>
      takeTask(dms, id, ctx, 'stopped'),
    );
    if (first) steps.push(...hold.steps);
    await dms.send(new ModifyReplicationTaskCommand({ ReplicationTaskArn: arn, ...(change as object) }));
    task = (await dms.waitFor(
      `modifying replication task ${id}`,
      () => dms.task(id),
      (current) => current !== null && current.Status !== 'modifying',
      (current) => (current === null ? 'not found (was it deleted?)' : null),
      TASK_WAIT,
    ))!;
    // A failed task may stay failed once modified; only a failure the change caused is one.
    if (task.Status === 'failed' && !wasFailed) throw new NodeFailure(`replication task ${id}: ${failureOf(task)}`);
    steps.push(`modified (${Object.keys(change).join(', ')})`);
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  const outcome = modifying ? await holds.release(id, node.id, resume) : await holds.pass(id, node.id, resume);
  if (outcome.kind === 'resumed') steps.push('resumed');
  if (outcome.kind === 'still-held') steps.push(`resumes after ${outcome.by.join(', ')}`);
  if (outcome.kind === 'unheld') {
    // Nothing was stopped for this change, but an earlier run may have left the task stopped or failed.
    const decision = await takeTask(dms, id, ctx, 'stopped', false);
    steps.push(...decision.steps);
    if (decision.resume && (await resume())) steps.push('resumed');
  }
  ctx.log(`task ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

export async function taskStop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const result = await stopTask(ops(ctx), taskId(node, input));
  return succeeded(
    { result },
    result === 'stopped' ? undefined : `task was ${result === 'absent' ? 'not found' : 'not running'}`,
  );
}

export async function taskDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = taskId(node, input);
  await stopTask(dms, id);
  const deleted = await deleteResource(dms, {
    what: `replication task ${id}`,
    read: () => dms.task(id),
    status: (task) => task.Status ?? '?',
    remove: (task) => dms.send(new DeleteReplicationTaskCommand({ ReplicationTaskArn: task.ReplicationTaskArn! })),
    dependents: async () => [],
    settling: ['creating', 'modifying', 'starting', 'stopping', 'testing', 'moving'],
    waitKind: 'task',
  });
  return succeeded({ deleted });
}
