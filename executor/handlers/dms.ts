// AWS DMS nodes: create-or-adopt the replication instance, endpoints and tasks (by identifier, never
// failing on "already exists"), TestConnection, start with the right StartReplicationTaskType, wait for
// the full load, stop, delete. Every step first describes what exists, so a re-run picks up where the
// last one stopped and creates nothing twice.

import {
  AddTagsToResourceCommand,
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DeleteEndpointCommand,
  DeleteReplicationInstanceCommand,
  DeleteReplicationTaskCommand,
  ModifyEndpointCommand,
  ModifyReplicationInstanceCommand,
  ModifyReplicationTaskCommand,
  type ReplicationTask,
  StartReplicationTaskCommand,
  type StartReplicationTaskTypeValue,
  StopReplicationTaskCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import {
  erroredTablesOf,
  failureOf,
  failureReport,
  RELOAD_GATE,
  reloadApproved,
  resumability,
} from '../dms/failed-task.js';
import { isModifiableField } from '../dms/modifiable.js';
import { type DmsOps, dmsOpsFor, isAlreadyExists, isInvalidState, isNotFound, taskObservation } from '../dms/ops.js';
import type { ReleaseOutcome, TaskHold } from '../dms/task-holds.js';
import { attributeSlot, oneStartPerDatabase, slotsBefore } from '../dms/task-slot.js';
import { artifactText, type Input, optionalRecord, optionalString, requireString } from '../inputs.js';
import { type DryRunProbe, type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { handlerByKind, type KindRun } from './by-kind.js';
import { certificateDelete, certificateImport } from './dms-certificate.js';

type Json = Record<string, unknown>;

const ops = dmsOpsFor;

/** How a wait on a task's state speaks: under the plan's task timeout, with the task's status and progress. */
const TASK_WAIT = {
  kind: 'task',
  show: taskObservation,
  check: 'pgferry status shows the task, its tables and its last failure',
} as const;

/** The API request a create node carries inline, or the artifact it names. */
async function requestOf(node: GraphNode, input: Input, ctx: RunContext): Promise<Json> {
  const inline = optionalRecord(input, 'request');
  if (inline) return { ...inline };
  const path = requireString(node, input, 'artifact');
  return ctx.resolve(JSON.parse(artifactText(node, ctx.artifacts, path)) as Json);
}

function withPlanTag(request: Json, plan: string): Json {
  const tags = Array.isArray(request.Tags) ? [...(request.Tags as { Key: string; Value: string }[])] : [];
  if (!tags.some((tag) => tag.Key === 'pgferry:plan')) tags.push({ Key: 'pgferry:plan', Value: plan });
  return { ...request, Tags: tags };
}

/** Identifier of the task a task node acts on. */
function taskId(node: GraphNode, input: Input): string {
  return requireString(node, input, 'task', 'taskId', 'ReplicationTaskIdentifier', 'identifier');
}

const succeeded = (outputs: Record<string, string | number | boolean | null>, note?: string): NodeResult =>
  note === undefined ? { status: 'succeeded', outputs } : { status: 'succeeded', outputs, note };

async function instanceCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  const id = String(request.ReplicationInstanceIdentifier ?? '').toLowerCase();
  if (id === '') throw new NodeFailure(`node ${node.id}: the request has no ReplicationInstanceIdentifier`);
  let existing = await dms.instance(id);
  const adopted = existing !== null;
  const modify = adopted ? ctx.pendingModify(node.id) : [];
  if (existing)
    await dms.checkOwner(existing.ReplicationInstanceArn!, `replication instance ${id}`, ctx.deployment.plan);
  else {
    try {
      await dms.send(new CreateReplicationInstanceCommand(request as never));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
  existing = await instanceAvailable(dms, id);
  if (modify.length > 0) return modifyInstance(node, existing, request, modify, ctx);
  return succeeded({ arn: existing.ReplicationInstanceArn ?? null, identifier: id, adopted });
}

async function instanceAvailable(dms: DmsOps, id: string) {
  const instance = await dms.waitFor(
    `replication instance ${id}`,
    () => dms.instance(id),
    (ri) => ri?.ReplicationInstanceStatus === 'available',
    (ri) =>
      ri === null
        ? 'disappeared while waiting'
        : ['failed', 'deleting', 'incompatible-network', 'storage-full'].includes(ri.ReplicationInstanceStatus ?? '')
          ? `status ${ri.ReplicationInstanceStatus}`
          : null,
  );
  return instance!;
}

/** The changed request members a Modify* call takes (Tags go through AddTagsToResource). */
function modifiablePart(node: GraphNode, request: Json, fields: readonly string[]): Json {
  const change: Json = {};
  for (const field of fields)
    if (field !== 'Tags' && isModifiableField(node.kind, field) && request[field] !== undefined)
      change[field] = request[field];
  return change;
}

async function retag(dms: DmsOps, arn: string, request: Json, fields: readonly string[]): Promise<boolean> {
  if (!fields.includes('Tags') || !Array.isArray(request.Tags)) return false;
  await dms.send(new AddTagsToResourceCommand({ ResourceArn: arn, Tags: request.Tags as never }));
  return true;
}

/** Outputs of a resource modified in place (not "adopted": it changed), the steps as the note. */
const modifiedOutputs = (
  arn: string | null,
  id: string,
  fields: readonly string[],
  steps: readonly string[],
  ctx: RunContext,
) =>
  succeeded(
    { arn, identifier: id, modifiedAt: ctx.now().toISOString(), modifiedFields: fields.join(',') },
    `modified in place: ${steps.join(' → ') || 'nothing DMS needed to change'}`,
  );

/** Class, storage, engine version…: ModifyReplicationInstance applied immediately, then available again. */
async function modifyInstance(
  node: GraphNode,
  instance: { ReplicationInstanceArn?: string; ReplicationInstanceIdentifier?: string },
  request: Json,
  fields: readonly string[],
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = instance.ReplicationInstanceIdentifier ?? '';
  const arn = instance.ReplicationInstanceArn!;
  const change = modifiablePart(node, request, fields);
  const steps: string[] = [];
  if (Object.keys(change).length > 0) {
    await dms.send(
      new ModifyReplicationInstanceCommand({
        ReplicationInstanceArn: arn,
        ApplyImmediately: true,
        // The plan names the version it wants; a major upgrade is what it asks for.
        ...(change.EngineVersion !== undefined ? { AllowMajorVersionUpgrade: true } : {}),
        ...(change as object),
      }),
    );
    await instanceAvailable(dms, id);
    steps.push(`modified (${Object.keys(change).join(', ')})`, 'available');
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  ctx.log(`replication instance ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

async function endpointCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  const id = String(request.EndpointIdentifier ?? '').toLowerCase();
  if (id === '') throw new NodeFailure(`node ${node.id}: the request has no EndpointIdentifier`);
  let existing = await dms.endpoint(id);
  const adopted = existing !== null;
  if (existing) {
    await dms.checkOwner(existing.EndpointArn!, `endpoint ${id}`, ctx.deployment.plan);
    const modify = ctx.pendingModify(node.id);
    if (modify.length > 0) return modifyEndpoint(node, id, existing.EndpointArn!, request, modify, ctx);
  } else {
    try {
      const answer = await dms.send<{ Endpoint?: { EndpointArn?: string } }>(
        new CreateEndpointCommand(request as never),
      );
      existing = answer.Endpoint ?? null;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    existing = existing ?? (await dms.endpoint(id));
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
async function modifyEndpoint(
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
    const exact = Object.keys(change).some((key) => key.endsWith('Settings'));
    await dms.send(
      new ModifyEndpointCommand({ EndpointArn: arn, ...(change as object), ...(exact ? { ExactSettings: true } : {}) }),
    );
    steps.push(`modified (${Object.keys(change).join(', ')})`);
    // A task resumed against an endpoint that cannot connect would fail; the test says why first.
    if ((await retestEndpoint(dms, id, ctx)) > 0) steps.push('connection tested');
    for (const task of users)
      steps.push(...resumeSteps(task, await ctx.dmsTaskHolds.release(task, node.id, () => resumeTask(dms, task))));
  } else {
    for (const task of users)
      steps.push(...resumeSteps(task, await ctx.dmsTaskHolds.pass(task, node.id, () => resumeTask(dms, task))));
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  ctx.log(`endpoint ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

async function connectionTest(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const request = optionalRecord(input, 'request') ?? input;
  const instanceArn = requireString(node, request, 'ReplicationInstanceArn', 'replicationInstanceArn');
  const endpointArn = requireString(node, request, 'EndpointArn', 'endpointArn');
  const adopted = await testConnection(ops(ctx), instanceArn, endpointArn, false);
  return succeeded(adopted ? { status: 'successful', adopted: true } : { status: 'successful' });
}

/** TestConnection and wait; true when a passed test was found instead (never when `fresh`). */
async function testConnection(dms: DmsOps, instanceArn: string, endpointArn: string, fresh: boolean) {
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
async function retestEndpoint(dms: DmsOps, id: string, ctx: RunContext): Promise<number> {
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

async function taskCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
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
  const id = String(request.ReplicationTaskIdentifier ?? '').toLowerCase();
  if (id === '') throw new NodeFailure(`node ${node.id}: the request has no ReplicationTaskIdentifier`);
  let existing = await dms.task(id);
  const adopted = existing !== null;
  if (existing) {
    await dms.checkOwner(existing.ReplicationTaskArn!, `replication task ${id}`, ctx.deployment.plan);
    const modify = ctx.pendingModify(node.id);
    if (modify.length > 0) return modifyTask(node, id, request, modify, ctx);
  } else {
    try {
      await dms.send(new CreateReplicationTaskCommand(request as never));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
  existing = await dms.waitFor(
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
 * Whether the plan means the task to be running: its start node ran and no stop node did. A run cut
 * off between stopping a task to modify it and resuming it leaves it stopped; the next run resumes it.
 * A task that failed while the plan had it running is restarted (resume-processing) the same way.
 */
function planRunsTask(id: string, task: ReplicationTask, ctx: RunContext): boolean {
  if (task.ReplicationTaskStartDate === undefined || fullLoadFinished(task)) return false;
  if (task.Status !== 'stopped' && task.Status !== 'failed') return false;
  const ran = (kind: NodeKind) =>
    ctx.graph.nodes.some(
      (item) => item.kind === kind && item.input.task === id && Object.keys(ctx.outputsOf(item.id) ?? {}).length > 0,
    );
  return ran('DmsTaskStart') && !ran('DmsTaskStop');
}

/**
 * Table mappings, task settings, migration type: stop a running task (DMS refuses to modify one),
 * ModifyReplicationTask, wait until it settles (modifying → ready/stopped), then resume it with
 * resume-processing, which also loads tables the new mappings add (DMS's full load of added tables on
 * resume, for full-load-and-cdc tasks). Source, target or instance changes never get here: they need
 * the task re-created and are refused when the plan changes.
 */
async function modifyTask(
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

/** The nodes of this run that modify a task or an endpoint it uses, each of which holds the task. */
function holdParticipants(id: string, ctx: RunContext): string[] {
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
function rawRequest(node: GraphNode, ctx: RunContext): Json {
  const inline = optionalRecord(node.input, 'request');
  if (inline) return inline;
  const path = optionalString(node.input, 'artifact');
  const text = path === undefined ? undefined : ctx.artifacts.get(path);
  return text === undefined ? {} : (JSON.parse(text) as Json);
}

/** The command that restarts a failed task from where it stopped, for the operator. */
const restartCommand = (task: ReplicationTask) =>
  `aws dms start-replication-task --replication-task-arn ${task.ReplicationTaskArn} --start-replication-task-type resume-processing`;

/**
 * Takes a task for a plan change: a running task is stopped (when `stop`) and resumes afterwards; a
 * stopped or failed task resumes afterwards only if the plan has it running (its start node ran and
 * no stop node did); a failed one the plan does not run is left so, with the command that restarts it.
 */
async function takeTask(dms: DmsOps, id: string, ctx: RunContext, stoppedStep: string, stop = true): Promise<TaskHold> {
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
async function resumeTask(dms: DmsOps, id: string): Promise<boolean> {
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
async function untilRunning(dms: DmsOps, id: string, what: string): Promise<ReplicationTask> {
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

const fullLoadFinished = (task: ReplicationTask) =>
  task.Status === 'stopped' && /FULL_LOAD_ONLY_FINISHED|STOPPED_AFTER_FULL_LOAD/.test(task.StopReason ?? '');

async function settle(dms: DmsOps, id: string): Promise<ReplicationTask> {
  return (await dms.waitFor(
    `replication task ${id}`,
    () => dms.task(id),
    (task) =>
      task !== null && !['creating', 'modifying', 'stopping', 'starting', 'testing'].includes(task.Status ?? ''),
    (task) => (task === null ? 'not found (was it deleted?)' : null),
    TASK_WAIT,
  ))!;
}

/**
 * Starts a task (start-replication the first time, resume-processing after, a failed one restarted).
 * A CDC task's slot is attributed for certain (executor/dms/task-slot.ts): the CDC starts on one
 * source database run one at a time, and the slot new since the start is recorded and claimed with the
 * agent as the plan's.
 */
async function taskStart(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const database = attributedDatabase(input, ctx);
  if (database === null) return startOrAdopt(node, input, ctx);
  return oneStartPerDatabase(ctx.graph, database, () => startOrAdopt(node, input, ctx));
}

async function startOrAdopt(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
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

async function startTask(
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
function reloadGateFor(
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
async function restartFailed(
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
function attributedDatabase(input: Input, ctx: RunContext): string | null {
  const database = optionalString(input, 'database');
  if (input.migrationType === 'full-load' || optionalString(input, 'slot') !== undefined) return null;
  return ctx.deployment.agent && database !== undefined ? database : null;
}

/**
 * The slot a started task reads: the explicit one, '' for full load (or without an agent), else the
 * one attributed to it (`before`: the database's slots just before this run started it, when it did).
 */
async function slotOf(input: Input, ctx: RunContext, before: ReadonlySet<string> | null = null): Promise<string> {
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
async function explainTaskFailure(dms: DmsOps, id: string, ctx: RunContext, error: unknown): Promise<unknown> {
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

async function stopTask(dms: DmsOps, id: string): Promise<'stopped' | 'absent' | 'already'> {
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

async function taskStop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const result = await stopTask(ops(ctx), taskId(node, input));
  return succeeded(
    { result },
    result === 'stopped' ? undefined : `task was ${result === 'absent' ? 'not found' : 'not running'}`,
  );
}

const taskDependents = (tasks: readonly ReplicationTask[]) =>
  tasks.map((task) => ({ name: `replication task ${task.ReplicationTaskIdentifier}`, status: task.Status ?? '?' }));

async function taskDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
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

async function endpointDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
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

async function instanceDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = requireString(node, input, 'instance', 'ReplicationInstanceIdentifier', 'identifier');
  const deleted = await deleteResource(dms, {
    what: `replication instance ${id}`,
    read: () => dms.instance(id),
    status: (instance) => instance.ReplicationInstanceStatus ?? '?',
    remove: (instance) =>
      dms.send(new DeleteReplicationInstanceCommand({ ReplicationInstanceArn: instance.ReplicationInstanceArn! })),
    dependents: async (instance) => taskDependents(await dms.tasksOn(instance.ReplicationInstanceArn!)),
    settling: ['creating', 'modifying', 'rebooting', 'upgrading', 'maintenance'],
  });
  return succeeded({ deleted });
}

const byKind: Partial<Record<NodeKind, KindRun>> = {
  DmsReplicationInstanceCreate: instanceCreate,
  DmsEndpointCreate: endpointCreate,
  DmsConnectionTest: connectionTest,
  DmsTaskCreate: taskCreate,
  DmsTaskStart: taskStart,
  DmsTaskStop: taskStop,
  DmsTaskDelete: taskDelete,
  DmsEndpointDelete: endpointDelete,
  DmsReplicationInstanceDelete: instanceDelete,
  DmsCertificateImport: certificateImport,
  DmsCertificateDelete: certificateDelete,
};

/** Read-only: what exists already, what would be created. */
async function probe(node: GraphNode, ctx: RunContext): Promise<DryRunProbe> {
  const dms = ops(ctx);
  const input = node.input;
  const request = optionalRecord(input, 'request');
  const identifier = (key: string) => String(request?.[key] ?? '').toLowerCase();
  switch (node.kind) {
    case 'DmsReplicationInstanceCreate': {
      const found = await dms.instance(identifier('ReplicationInstanceIdentifier'));
      return found
        ? {
            action: 'adopt',
            detail: `replication instance ${found.ReplicationInstanceIdentifier} (${found.ReplicationInstanceStatus})`,
          }
        : { action: 'create', detail: `replication instance ${identifier('ReplicationInstanceIdentifier')}` };
    }
    case 'DmsEndpointCreate': {
      const found = await dms.endpoint(identifier('EndpointIdentifier'));
      return found
        ? { action: 'adopt', detail: `endpoint ${found.EndpointIdentifier} (${found.Status})` }
        : { action: 'create', detail: `endpoint ${identifier('EndpointIdentifier')}` };
    }
    case 'DmsTaskCreate': {
      const found = await dms.task(identifier('ReplicationTaskIdentifier'));
      return found
        ? { action: 'adopt', detail: `task ${found.ReplicationTaskIdentifier} (${found.Status})` }
        : { action: 'create', detail: `task ${identifier('ReplicationTaskIdentifier')}` };
    }
    case 'DmsConnectionTest': {
      // Only where both resources exist already (their ARNs are in the journal): TestConnection reads.
      let resolved: Input;
      try {
        resolved = await ctx.resolve(input);
      } catch {
        return { action: 'run', detail: `${node.title} (after the endpoint and instance exist)` };
      }
      const result = await connectionTest(node, resolved, ctx).catch((error: unknown) => error as Error);
      return result instanceof Error
        ? { action: 'run', detail: `connection test fails now: ${ctx.redactor.messageOf(result)}` }
        : { action: 'run', detail: 'connection test passes now' };
    }
    default:
      return { action: 'run', detail: node.title };
  }
}

export const dmsHandler: Handler = handlerByKind('dms', byKind, probe);
