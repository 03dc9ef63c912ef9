// DMS endpoints: create or adopt by identifier, modify in place (tasks using the endpoint held stopped,
// its connection tests run again), TestConnection from the replication instance, delete.

import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  ModifyEndpointCommand,
  type ReplicationTask,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import { type DmsOps, isInvalidState } from '../dms/ops.js';
import type { ReleaseOutcome } from '../dms/task-holds.js';
import { type Input, optionalRecord, requireString } from '../inputs.js';
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
  withPlanTag,
} from './dms-common.js';
import { pauseReplicationsUsing } from './dms-serverless.js';
import { holdParticipants, resumeTask, takeTask } from './dms-task-state.js';

export async function endpointCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  const found = await findOwned(node, request, ctx, {
    what: 'endpoint',
    idField: 'EndpointIdentifier',
    describe: (name) => dms.endpoint(name),
    arnOf: (endpoint) => endpoint.EndpointArn,
  });
  const id = found.id;
  let existing = found.existing;
  const adopted = existing !== null;
  if (existing) {
    const modify = ctx.pendingModify(node.id);
    if (modify.length > 0) return modifyEndpoint(node, id, existing.EndpointArn!, request, modify, ctx);
  } else {
    const answer = await createTolerant<{ Endpoint?: { EndpointArn?: string } }>(
      dms,
      new CreateEndpointCommand(request as never),
    );
    existing = answer?.Endpoint ?? (await dms.endpoint(id));
  }
  if (!existing?.EndpointArn) throw new NodeFailure(`endpoint ${id}: created but not found on describe`);
  return succeeded({ arn: existing.EndpointArn, identifier: id, adopted });
}

/**
 * ModifyEndpoint with the changed members (settings objects sent whole, with ExactSettings, so a
 * setting the plan dropped is dropped; passwords resolved as on create). Tasks using the endpoint are
 * held (stopped if they run), the plan's connection tests of the endpoint run again, then the tasks
 * resume, unless another node of this run still holds them (the task itself, its other endpoint).
 */
export async function modifyEndpoint(
  node: GraphNode,
  id: string,
  arn: string,
  request: Json,
  fields: readonly string[],
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const change = modifiablePart(node, request, fields);
  const steps: string[] = [];
  const users = (await dms.tasksUsing(arn)).map((task) => task.ReplicationTaskIdentifier!);
  const resumeSteps = (task: string, outcome: ReleaseOutcome) =>
    outcome.kind === 'resumed'
      ? [`resumed task ${task}`]
      : outcome.kind === 'still-held'
        ? [`task ${task} resumes after ${outcome.by.join(', ')}`]
        : [];
  if (Object.keys(change).length > 0) {
    // Each task using the endpoint is held stopped (once per run, however many nodes change it).
    for (const task of users) {
      const { hold, first } = await ctx.dmsTaskHolds.hold(task, node.id, holdParticipants(task, ctx), () =>
        takeTask(dms, task, ctx, `stopped task ${task}`),
      );
      if (first) steps.push(...hold.steps);
    }
    // DMS Serverless replications using it stop too (DMS refuses to modify an endpoint they run on).
    const replications = await pauseReplicationsUsing(dms, arn, ctx);
    steps.push(...replications.steps);
    const exact = Object.keys(change).some((key) => key.endsWith('Settings'));
    await dms.send(
      new ModifyEndpointCommand({ EndpointArn: arn, ...(change as object), ...(exact ? { ExactSettings: true } : {}) }),
    );
    steps.push(`modified (${Object.keys(change).join(', ')})`);
    // A task resumed against an endpoint that cannot connect would fail; the test says why first.
    if ((await retestEndpoint(dms, id, ctx)) > 0) steps.push('connection tested');
    for (const task of users)
      steps.push(...resumeSteps(task, await ctx.dmsTaskHolds.release(task, node.id, () => resumeTask(dms, task))));
    steps.push(...(await replications.resume()));
  } else {
    for (const task of users)
      steps.push(...resumeSteps(task, await ctx.dmsTaskHolds.pass(task, node.id, () => resumeTask(dms, task))));
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  ctx.log(`endpoint ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

export async function connectionTest(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const request = optionalRecord(input, 'request') ?? input;
  const instanceArn = requireString(node, request, 'ReplicationInstanceArn', 'replicationInstanceArn');
  const endpointArn = requireString(node, request, 'EndpointArn', 'endpointArn');
  const adopted = await testConnection(ops(ctx), instanceArn, endpointArn, false);
  return succeeded(adopted ? { status: 'successful', adopted: true } : { status: 'successful' });
}

/** TestConnection and wait; true when a passed test was found instead (never when `fresh`). */
export async function testConnection(dms: DmsOps, instanceArn: string, endpointArn: string, fresh: boolean) {
  const current = await dms.connection(instanceArn, endpointArn);
  if (!fresh && current?.Status === 'successful') return true;
  if (current?.Status !== 'testing') {
    try {
      await dms.send(new TestConnectionCommand({ ReplicationInstanceArn: instanceArn, EndpointArn: endpointArn }));
    } catch (error) {
      // A test already running for the pair: wait for it instead.
      if (!isInvalidState(error)) throw error;
    }
  }
  await dms.waitFor(
    `connection test ${endpointArn}`,
    () => dms.connection(instanceArn, endpointArn),
    (connection) => connection?.Status === 'successful',
    (connection) =>
      connection?.Status === 'failed'
        ? `failed: ${connection.LastFailureMessage ?? 'no message'} (fix the endpoint or network, then apply again)`
        : null,
  );
  return false;
}

/** The plan's connection tests of an endpoint, run afresh after it changed (before tasks resume). */
export async function retestEndpoint(dms: DmsOps, id: string, ctx: RunContext): Promise<number> {
  let tested = 0;
  for (const item of ctx.graph.nodes) {
    if (item.kind !== 'DmsConnectionTest' || item.input.endpoint !== id) continue;
    const input = await ctx.resolve(item.input);
    const request = optionalRecord(input, 'request') ?? input;
    const instanceArn = requireString(item, request, 'ReplicationInstanceArn', 'replicationInstanceArn');
    await testConnection(dms, instanceArn, requireString(item, request, 'EndpointArn', 'endpointArn'), true);
    tested += 1;
  }
  return tested;
}

export const taskDependents = (tasks: readonly ReplicationTask[]) =>
  tasks.map((task) => ({ name: `replication task ${task.ReplicationTaskIdentifier}`, status: task.Status ?? '?' }));

export async function endpointDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = requireString(node, input, 'endpoint', 'EndpointIdentifier', 'identifier');
  const deleted = await deleteResource(dms, {
    what: `endpoint ${id}`,
    read: () => dms.endpoint(id),
    status: (endpoint) => endpoint.Status ?? '?',
    remove: (endpoint) => dms.send(new DeleteEndpointCommand({ EndpointArn: endpoint.EndpointArn! })),
    dependents: async (endpoint) => taskDependents(await dms.tasksUsing(endpoint.EndpointArn!)),
    settling: ['creating', 'modifying'],
  });
  return succeeded({ deleted });
}
