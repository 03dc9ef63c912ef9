// DMS Serverless replications: create or adopt the replication config by identifier, modify it in place
// (ModifyReplicationConfig, which DMS accepts only while the replication is not running: stopped →
// modified → resumed), start it with the right StartReplicationType and wait while DMS provisions
// capacity (DescribeReplications), attribute the slot it makes, wait for its full load, stop, delete.
// Every step describes first, so a re-run after a kill adopts what exists and creates nothing twice.

import {
  CreateReplicationConfigCommand,
  DeleteReplicationConfigCommand,
  ModifyReplicationConfigCommand,
  type Replication,
  StartReplicationCommand,
  StopReplicationCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import { type DmsOps, isInvalidState, isNotFound } from '../dms/ops.js';
import { attributeSlot, oneStartPerDatabase, slotsBefore } from '../dms/task-slot.js';
import { type Input, optionalRecord, optionalString, requireString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';
import {
  createTolerant,
  findOwned,
  modifiablePart,
  modifiedOutputs,
  ops,
  requestOf,
  retag,
  succeeded,
  taskId,
  withPlanTag,
} from './dms-common.js';

/** States DMS walks through between StartReplication and running (AWS DMS User Guide, Serverless components). */
const STARTING = [
  'initializing',
  'preparing_metadata_resources',
  'testing_connection',
  'fetching_metadata',
  'calculating_capacity',
  'provisioning_capacity',
  'replication_starting',
];
/** States in which ModifyReplicationConfig, DeleteReplicationConfig and StartReplication are accepted. */
const SETTLED = ['created', 'stopped', 'failed', 'failed_provision'];

/** A replication as a wait sees it: status, provisioning, full-load progress, why it stopped or failed. */
export function replicationObservation(replication: Replication | null): string {
  if (replication === null) return 'replication not found';
  const stats = replication.ReplicationStats;
  const provision = replication.ProvisionData;
  return [
    `status ${replication.Status ?? '?'}`,
    provision?.ProvisionState
      ? `capacity ${provision.ProvisionState}${provision.ProvisionedCapacityUnits ? ` (${provision.ProvisionedCapacityUnits} DCU)` : ''}`
      : '',
    stats ? `full load ${stats.FullLoadProgressPercent ?? 0}% (tables loaded ${stats.TablesLoaded ?? 0})` : '',
    replication.StopReason ? `stop reason ${replication.StopReason}` : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
}

/** DMS's own words on why a replication failed. */
const failureOf = (replication: Replication) =>
  replication.FailureMessages?.join('; ') || replication.StopReason || 'no failure message';

const REPLICATION_WAIT = {
  kind: 'task',
  show: replicationObservation,
  check: 'pgferry status shows the replication; its CloudWatch log group dms-serverless-replication-<id> says why',
} as const;

/** The replication config identifier a node acts on: its `task` (the plan's task id). */
const configId = (node: GraphNode, input: Input) => taskId(node, input).toLowerCase();

async function configCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  for (const key of ['TableMappings', 'ReplicationSettings'] as const)
    if (request[key] !== undefined && typeof request[key] !== 'string') request[key] = JSON.stringify(request[key]);
  const found = await findOwned(node, request, ctx, {
    what: 'replication config',
    idField: 'ReplicationConfigIdentifier',
    describe: (name) => dms.replicationConfig(name),
    arnOf: (config) => config.ReplicationConfigArn,
  });
  const id = found.id;
  let existing = found.existing;
  const adopted = existing !== null;
  if (existing) {
    const modify = ctx.pendingModify(node.id);
    if (modify.length > 0) return modifyConfig(node, id, existing.ReplicationConfigArn!, request, modify, ctx);
  } else {
    const answer = await createTolerant<{ ReplicationConfig?: { ReplicationConfigArn?: string } }>(
      dms,
      new CreateReplicationConfigCommand(request as never),
    );
    const created = answer?.ReplicationConfig;
    existing = created?.ReplicationConfigArn ? created : await dms.replicationConfig(id);
  }
  if (!existing?.ReplicationConfigArn)
    throw new NodeFailure(`replication config ${id}: created but not found on describe`);
  return succeeded({ arn: existing.ReplicationConfigArn, identifier: id, adopted });
}

/**
 * ModifyReplicationConfig with the changed members. DMS takes it only while the replication is not
 * running, so a running one is stopped first and resumed (resume-processing) after; one the plan has
 * not started yet is only modified.
 */
async function modifyConfig(
  node: GraphNode,
  id: string,
  arn: string,
  request: Record<string, unknown>,
  fields: readonly string[],
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const change = modifiablePart(node, request, fields);
  const steps: string[] = [];
  if (Object.keys(change).length > 0) {
    const wasRunning = (await stopReplication(dms, id)) === 'stopped';
    if (wasRunning) steps.push(`stopped replication ${id}`);
    await dms.send(new ModifyReplicationConfigCommand({ ReplicationConfigArn: arn, ...(change as object) }));
    steps.push(`modified (${Object.keys(change).join(', ')})`);
    if (wasRunning) {
      await startReplication(dms, arn, 'resume-processing');
      await untilRunning(dms, id, `resuming replication ${id}`);
      steps.push(`resumed replication ${id}`);
    }
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  ctx.log(`replication config ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

async function startReplication(dms: DmsOps, arn: string, type: string): Promise<void> {
  try {
    await dms.send(new StartReplicationCommand({ ReplicationConfigArn: arn, StartReplicationType: type }));
  } catch (error) {
    // Started meanwhile (a previous run's call that DMS carried out): the wait below sees it.
    if (!isInvalidState(error)) throw error;
  }
}

/** Waits until the replication runs (DMS provisions capacity first); a full-load one may finish. */
async function untilRunning(dms: DmsOps, id: string, what: string): Promise<Replication> {
  const replication = await dms.waitFor(
    what,
    () => dms.replication(id),
    (current) =>
      current?.Status === 'running' ||
      (current?.Status === 'stopped' && current.StopReason === 'FULL_LOAD_ONLY_FINISHED'),
    (current) =>
      current === null
        ? 'replication not found'
        : current.Status === 'failed' || current.Status === 'failed_provision'
          ? `failed: ${failureOf(current)}`
          : current.Status === 'stopped'
            ? `stopped: ${failureOf(current)}`
            : null,
    REPLICATION_WAIT,
  );
  return replication!;
}

/**
 * Start, or adopt a replication a previous run started: `start-replication` for the first start; a
 * replication found running (or still provisioning) is waited for; one that failed or was stopped
 * while the plan had it running resumes (resume-processing: DMS Serverless cannot start a started
 * replication afresh). Then, for CDC, the slot DMS made is attributed, as for a task.
 */
async function replicationStart(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const database = optionalString(input, 'database');
  const cdc = input.migrationType !== 'full-load';
  const attributed = cdc && ctx.deployment.agent && database !== undefined ? database : null;
  const run = () => startOrAdopt(node, input, ctx, attributed);
  return attributed === null ? run() : oneStartPerDatabase(ctx.graph, attributed, run);
}

async function startOrAdopt(
  node: GraphNode,
  input: Input,
  ctx: RunContext,
  database: string | null,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = configId(node, input);
  const arn = requireString(node, optionalRecord(input, 'request') ?? input, 'ReplicationConfigArn');
  const current = await dms.replication(id);
  if (current === null) throw new NodeFailure(`replication config ${id} not found: its create node must run first`);
  const status = current.Status ?? '';
  let startType: string;
  let before: ReadonlySet<string> | null = null;
  let note: string | undefined;
  if (status === 'running' || STARTING.includes(status)) {
    // A previous run started it (and was cut off): adopt; the slot is the only unattributed one.
    startType = current.StartReplicationType ?? 'start-replication';
    note = `replication ${id} was ${status}: adopted`;
  } else if (status === 'stopped' && current.StopReason === 'FULL_LOAD_ONLY_FINISHED') {
    return succeeded(
      { configArn: arn, startType: 'start-replication', status, slotName: '' },
      'full load already done',
    );
  } else if (SETTLED.includes(status)) {
    const neverStarted = status === 'created';
    startType = neverStarted ? 'start-replication' : 'resume-processing';
    if (!neverStarted)
      note = `replication ${id} was ${status}${status === 'failed' ? ` (${failureOf(current)})` : ''}; resumed`;
    if (neverStarted && database !== null) before = await slotsBefore(ctx, database);
    await startReplication(dms, arn, startType);
  } else {
    throw new NodeFailure(`replication ${id} is ${status}: wait until it settles, then run the command again`);
  }
  let running: Replication;
  try {
    running = await untilRunning(dms, id, `replication ${id} running`);
  } catch (error) {
    throw explain(error, id, ctx);
  }
  const slotName =
    database === null || running.Status !== 'running'
      ? ''
      : (
          await attributeSlot(ctx, dms, String(input.task), database, before, async (task) => {
            const seen = await dms.replication(task.toLowerCase());
            return seen === null ? null : { Status: seen.Status, LastFailureMessage: seen.FailureMessages?.join('; ') };
          })
        ).slotName;
  if (note) ctx.log(note);
  return succeeded({ configArn: arn, startType, status: running.Status ?? null, slotName }, note);
}

/** A failed start or wait, with the ways on. */
function explain(error: unknown, id: string, ctx: RunContext): unknown {
  if (!(error instanceof NodeFailure) || error.retriable) return error;
  return new NodeFailure(
    `${error.message}\n  fix the cause (endpoints, network, source settings), then run apply again: it resumes the replication (resume-processing)\n  or undo the migration:  pgferry abort ${ctx.planRef}\n  note: DMS deprovisions a replication that has not run for 48 hours; it then cannot resume (replication ${id})`,
  );
}

/** Run by the wait executor: the replication's full load is done (ReplicationStats), or it finished. */
export async function replicationFullLoadWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = configId(node, input);
  const fullLoadOnly = input.migrationType === 'full-load';
  let replication: Replication | null;
  try {
    replication = await dms.waitFor(
      `full load of replication ${id}`,
      () => dms.replication(id),
      (current) => {
        const stats = current?.ReplicationStats;
        if (current === null) return false;
        if (fullLoadOnly) return current.Status === 'stopped' && current.StopReason === 'FULL_LOAD_ONLY_FINISHED';
        return (
          current.Status === 'running' &&
          (stats?.FullLoadProgressPercent ?? 0) >= 100 &&
          (stats?.TablesLoading ?? 0) === 0 &&
          (stats?.TablesQueued ?? 0) === 0
        );
      },
      (current) => {
        if (current === null) return 'replication not found';
        if (
          current.Status === 'failed' ||
          (current.Status === 'stopped' && current.StopReason !== 'FULL_LOAD_ONLY_FINISHED')
        )
          return `${current.Status}: ${failureOf(current)}`;
        const errored = current.ReplicationStats?.TablesErrored ?? 0;
        return errored > 0 ? `${errored} table(s) errored during the full load` : null;
      },
      { ...REPLICATION_WAIT, kind: 'full_load' },
    );
  } catch (error) {
    throw explain(error, id, ctx);
  }
  return succeeded({
    fullLoadProgressPercent: replication!.ReplicationStats?.FullLoadProgressPercent ?? 100,
    tablesLoaded: replication!.ReplicationStats?.TablesLoaded ?? null,
    status: replication!.Status ?? null,
  });
}

/** StopReplication when it runs (or is starting), then wait until stopped. */
async function stopReplication(dms: DmsOps, id: string): Promise<'stopped' | 'absent' | 'already'> {
  const current = await dms.replication(id);
  if (current === null) return 'absent';
  const busy = (status: string | undefined) =>
    status === 'running' || status === 'stopping' || STARTING.includes(status ?? '');
  if (!busy(current.Status)) return 'already';
  if (current.Status !== 'stopping') {
    try {
      await dms.send(new StopReplicationCommand({ ReplicationConfigArn: current.ReplicationConfigArn! }));
    } catch (error) {
      if (!isInvalidState(error) && !isNotFound(error)) throw error;
    }
  }
  await dms.waitFor(
    `stopping replication ${id}`,
    () => dms.replication(id),
    (seen) => seen === null || !busy(seen.Status),
    () => null,
    REPLICATION_WAIT,
  );
  return 'stopped';
}

async function replicationStop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const result = await stopReplication(ops(ctx), configId(node, input));
  return succeeded(
    { result },
    result === 'stopped' ? undefined : `replication was ${result === 'absent' ? 'not found' : 'not running'}`,
  );
}

async function configDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = configId(node, input);
  await stopReplication(dms, id);
  const deleted = await deleteResource(dms, {
    what: `replication config ${id}`,
    read: () => dms.replication(id),
    status: (replication) => replication.Status ?? '?',
    remove: (replication) =>
      dms.send(new DeleteReplicationConfigCommand({ ReplicationConfigArn: replication.ReplicationConfigArn! })),
    dependents: async () => [],
    settling: [...STARTING, 'stopping'],
    waitKind: 'task',
  });
  return succeeded({ deleted });
}

/**
 * Before an endpoint change: the plan's Serverless replications that use the endpoint and run are
 * stopped (DMS modifies no endpoint a running replication uses); `resume` starts them again with
 * resume-processing once the endpoint changed. Returns the steps for the node's note.
 */
export async function pauseReplicationsUsing(
  dms: DmsOps,
  endpointArn: string,
  ctx: RunContext,
): Promise<{ readonly steps: string[]; resume(): Promise<string[]> }> {
  const paused: { id: string; arn: string }[] = [];
  for (const item of ctx.graph.nodes) {
    if (item.kind !== 'DmsReplicationConfigCreate' || typeof item.input.task !== 'string') continue;
    const id = item.input.task.toLowerCase();
    const current = await dms.replication(id);
    if (current === null || ![current.SourceEndpointArn, current.TargetEndpointArn].includes(endpointArn)) continue;
    if ((await stopReplication(dms, id)) === 'stopped') paused.push({ id, arn: current.ReplicationConfigArn! });
  }
  return {
    steps: paused.map((item) => `stopped replication ${item.id}`),
    async resume() {
      const steps: string[] = [];
      for (const item of paused) {
        await startReplication(dms, item.arn, 'resume-processing');
        await untilRunning(dms, item.id, `resuming replication ${item.id}`);
        steps.push(`resumed replication ${item.id}`);
      }
      return steps;
    },
  };
}

export const serverlessKinds = {
  DmsReplicationConfigCreate: configCreate,
  DmsReplicationStart: replicationStart,
  DmsReplicationStop: replicationStop,
  DmsReplicationConfigDelete: configDelete,
} as const;

/** Dry run: the replication config that exists already, or the one that would be created. */
export async function probeConfig(dms: DmsOps, id: string) {
  const found = await dms.replication(id);
  return found
    ? { action: 'adopt' as const, detail: `replication config ${id} (${found.Status})` }
    : { action: 'create' as const, detail: `replication config ${id}` };
}
