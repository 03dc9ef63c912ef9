// The AWS DMS engine: SSM secrets the endpoints read, the replication instance, endpoints and their
// connection tests, one task per plan task (with an explicit slot when named), its start and full-load
// wait, the stop and slot drop at cutover, and the deletion of every DMS resource after writes-open.

import { artifactPath, type NodeInput } from '../../../contracts/node-inputs.js';
import { formatSecretRef, refPlaceholder, type SecretRef } from '../../../contracts/secret-ref.js';
import {
  replicationInstanceRequest,
  sourceEndpointRequest,
  targetCertificateId,
  targetEndpointRequest,
  taskRequest,
} from '../../emit/dms-requests.js';
import {
  isDowntimeDatabase,
  pgPluginName,
  sourceEndpointId,
  targetDatabase,
  targetEndpointId,
} from '../../model/names.js';
import { nodeId } from '../../model/node-ids.js';
import type { Plan, Task } from '../../model/plan.js';
import { hasFullLoad, isCdc } from '../../model/task-kind.js';
import { compensation, type GraphBuilder } from '../builder.js';
import { fact } from '../facts.js';
import { addEndpointCleanup, importedCertificate, replicationFinished, stopReplications } from './dms-cutover.js';
import type { ReplicationEngine } from './engine.js';

/** SSM parameters DMS endpoints read at apply time, by endpoint side → the fact that they resolve. */
export function ssmSecrets(b: GraphBuilder): Map<'source' | 'target', string> {
  const { plan } = b;
  const secrets = new Map<'source' | 'target', string>();
  if (plan.dms.credentials.mode !== 'ssm') return secrets;
  const used: ['source' | 'target', SecretRef, string][] = [
    ['source', plan.source.migration_user.password, '/source/migration_user/password'],
    ['target', plan.target.migration_user.password, '/target/migration_user/password'],
  ];
  const added = new Set<string>();
  for (const [side, ref, origin] of used) {
    if (!('ssm' in ref)) continue;
    const available = fact.secretAvailable(formatSecretRef(ref));
    secrets.set(side, available);
    if (added.has(ref.ssm)) continue;
    added.add(ref.ssm);
    b.add({
      id: nodeId.ssmResolve(ref.ssm),
      kind: 'SsmParameterResolve',
      phase: 'prepare',
      title: `Check SSM parameter ${ref.ssm}`,
      requires: [],
      provides: [available],
      input: { parameter: ref.ssm, withDecryption: true },
      origin,
    });
  }
  return secrets;
}

/** ImportCertificate before the target endpoints that name it; returns the fact they require. */
function addCertificateImport(b: GraphBuilder, ready: readonly string[]): string | null {
  const pem = importedCertificate(b.plan);
  if (pem === null) return null;
  const id = targetCertificateId(b.plan);
  b.add({
    id: nodeId.dmsCertificateImport(id),
    kind: 'DmsCertificateImport',
    phase: 'prepare',
    title: `Import the target's CA certificate ${id} into DMS`,
    // Like every DMS step, once the source is ready (and wal_level=logical is in force for CDC).
    requires: [...ready],
    provides: [fact.certificateImported(id)],
    input: { region: b.plan.dms.region, certificate: id, pem },
    origin: '/target/ca_certificate/pem',
    idempotencyKey: `dms:certificate:${id}`,
  });
  return fact.certificateImported(id);
}

/** What any DMS resource waits for: both ends ready (an instance costs money from the moment it exists). */
export function dmsReadyFacts(plan: Plan): string[] {
  const cdc = plan.dms.tasks.some(isCdc);
  return [
    fact.sourceConfigEffective,
    ...(cdc ? [fact.walLevelLogical] : []),
    ...plan.source.databases.map((db) => fact.targetPrepared(targetDatabase(plan, db))),
  ];
}

function addDmsSetup(b: GraphBuilder, secrets: Map<'source' | 'target', string>): void {
  const { plan } = b;
  const ri = plan.dms.replication_instance!.identifier;
  const region = plan.dms.region;
  b.add({
    id: nodeId.dmsInstanceCreate(ri),
    kind: 'DmsReplicationInstanceCreate',
    phase: 'prepare',
    title: `Create DMS replication instance ${ri}`,
    requires: dmsReadyFacts(plan),
    provides: [fact.instanceAvailable(ri)],
    input: { artifact: artifactPath.replicationInstance, region, request: replicationInstanceRequest(plan) },
    origin: '/dms/replication_instance',
    idempotencyKey: `dms:replication-instance:${ri}`,
  });
  addEndpoints(b, secrets, [fact.instanceAvailable(ri)], refPlaceholder(nodeId.dmsInstanceCreate(ri), 'arn'));
}

/**
 * The source and target endpoint of each database (after `ready`), and with an instance (`instanceArn`)
 * their connection tests; DMS Serverless tests the connections itself when a replication starts.
 */
export function addEndpoints(
  b: GraphBuilder,
  secrets: Map<'source' | 'target', string>,
  ready: readonly string[],
  instanceArn: string | null,
): void {
  const { plan } = b;
  const region = plan.dms.region;
  const certificate = addCertificateImport(b, ready);
  for (const [i, sourceDb] of plan.source.databases.entries()) {
    const db = targetDatabase(plan, sourceDb);
    const sides = [
      { side: 'source' as const, id: sourceEndpointId(plan, sourceDb), request: sourceEndpointRequest(plan, sourceDb) },
      { side: 'target' as const, id: targetEndpointId(plan, sourceDb), request: targetEndpointRequest(plan, sourceDb) },
    ];
    for (const { side, id, request } of sides) {
      b.add({
        id: nodeId.dmsEndpointCreate(id),
        kind: 'DmsEndpointCreate',
        phase: 'prepare',
        title: `Create DMS ${side} endpoint ${id}`,
        requires: [
          ...ready,
          ...(secrets.has(side) ? [secrets.get(side)!] : []),
          ...(side === 'target' && certificate !== null ? [certificate] : []),
        ],
        provides: [fact.endpointCreated(id)],
        input: {
          artifact: artifactPath.endpoint(id),
          region,
          request,
          side,
          database: side === 'source' ? sourceDb : db,
        },
        origin: `/source/databases/${i}`,
        idempotencyKey: `dms:endpoint:${id}`,
      });
      if (instanceArn === null) continue;
      b.add({
        id: nodeId.dmsEndpointTest(id),
        kind: 'DmsConnectionTest',
        phase: 'prepare',
        title: `Test DMS connection to ${id}`,
        requires: [
          fact.endpointCreated(id),
          ...ready,
          side === 'source' ? fact.sourceConfigEffective : fact.targetPrepared(db),
        ],
        provides: [fact.endpointReachable(id)],
        input: {
          artifact: null,
          region,
          endpoint: id,
          request: {
            ReplicationInstanceArn: instanceArn,
            EndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(id), 'arn'),
          },
        },
        origin: `/source/databases/${i}`,
      });
    }
  }
}

function addTasks(b: GraphBuilder): void {
  const { plan, agent } = b;
  const ri = plan.dms.replication_instance!.identifier;
  const region = plan.dms.region;
  for (const task of plan.dms.tasks) {
    const origin = `/dms/tasks/${b.taskIndex(task)}`;
    const src = sourceEndpointId(plan, task.database);
    const tgt = targetEndpointId(plan, task.database);
    const db = targetDatabase(plan, task.database);
    const explicitSlot = isCdc(task) && task.slot_name !== null ? task.slot_name : null;
    if (explicitSlot !== null) {
      b.add({
        id: nodeId.sourceSlotCreate(task.id),
        kind: 'SourceSlotCreate',
        phase: 'prepare',
        title: `Create replication slot ${explicitSlot}`,
        requires: [fact.sourceConfigEffective, fact.walLevelLogical],
        provides: [fact.slotCreated(task.id)],
        input: { agent, database: task.database, slot: explicitSlot, plugin: pgPluginName(task.plugin), task: task.id },
        origin: `${origin}/slot_name`,
        compensation: compensation('SourceSlotDrop', `Drop replication slot ${explicitSlot}`, {
          agent,
          database: task.database,
          slot: explicitSlot,
          task: task.id,
        }),
      });
    }
    const request = taskRequest(plan, task);
    b.add({
      id: nodeId.dmsTaskCreate(task.id),
      kind: 'DmsTaskCreate',
      phase: 'prepare',
      title: `Create DMS task ${task.id} (${task.migration_type})`,
      requires: [
        fact.instanceAvailable(ri),
        fact.endpointReachable(src),
        fact.endpointReachable(tgt),
        ...(explicitSlot !== null ? [fact.slotCreated(task.id)] : []),
      ],
      provides: [fact.taskCreated(task.id), fact.replicationReady(task.id)],
      input: {
        artifact: artifactPath.task(task.id),
        region,
        request,
        tableMappings: artifactPath.tableMappings(task.id),
        taskSettings: artifactPath.taskSettings(task.id),
      },
      origin,
      idempotencyKey: `dms:task:${task.id}`,
    });
    const taskArn = refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn');
    const downtime = isDowntimeDatabase(plan, task.database);
    b.add({
      id: nodeId.dmsTaskStart(task.id),
      kind: 'DmsTaskStart',
      phase: 'load',
      title: `Start DMS task ${task.id}`,
      requires: [
        fact.taskCreated(task.id),
        fact.targetPrepared(db),
        ...(isCdc(task) ? [fact.walLevelLogical] : []),
        ...(downtime ? [fact.writesFenced(task.database)] : []),
      ],
      provides: [fact.replicationStarted(task.id)],
      input: {
        artifact: null,
        region,
        request: { ReplicationTaskArn: taskArn, StartReplicationTaskType: 'start-replication' },
        task: task.id,
        database: task.database,
        migrationType: task.migration_type,
        slot: explicitSlot,
        allowReload: task.allow_reload,
      },
      origin,
      idempotencyKey: `dms:task:${task.id}:start`,
      compensation: isCdc(task)
        ? compensation('DmsTaskStop', `Stop DMS task ${task.id}`, {
            artifact: null,
            region,
            request: { ReplicationTaskArn: taskArn },
            task: task.id,
          })
        : undefined,
    });
    if (hasFullLoad(task)) {
      b.add({
        id: nodeId.dmsFullLoadWait(task.id),
        kind: 'DmsFullLoadWait',
        phase: 'load',
        title: `Wait for the full load of ${task.id}`,
        requires: [fact.replicationStarted(task.id)],
        provides: [fact.replicationFullLoadComplete(task.id)],
        input: { region, taskArn, task: task.id, migrationType: task.migration_type },
        origin,
      });
    }
  }
}

function slotOf(task: Task): string {
  return task.slot_name !== null ? task.slot_name : refPlaceholder(nodeId.dmsTaskStart(task.id), 'slotName');
}

function lagWait(b: GraphBuilder, task: Task): NodeInput<'CdcLagWait'> {
  const { plan } = b;
  return {
    engine: 'dms',
    region: plan.dms.region,
    task: task.id,
    taskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn'),
    maxLagSeconds: plan.cutover.max_lag_seconds,
  };
}

/** Cutover of a CDC database: stop its tasks (DmsTaskStop), then drop their slots. */
function stopTasks(b: GraphBuilder, sourceDb: string, restored: string, downtime: boolean): string[] {
  const region = b.plan.dms.region;
  return stopReplications(b, sourceDb, restored, downtime, slotOf, (task) => ({
    id: nodeId.dmsTaskStop(task.id),
    kind: 'DmsTaskStop',
    title: `Stop DMS task ${task.id}`,
    input: {
      artifact: null,
      region,
      request: { ReplicationTaskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn') },
      task: task.id,
    },
  }));
}

function addCleanup(b: GraphBuilder): void {
  const { plan } = b;
  if (plan.cutover.cleanup.dms_resources !== 'delete') return;
  const region = plan.dms.region;
  const ri = plan.dms.replication_instance!.identifier;
  b.gate(
    'cleanup',
    'cleanup',
    `Delete the DMS tasks, endpoints and replication instance ${ri}.`,
    [fact.gateApproved('writes-open')],
    '/cutover/cleanup/dms_resources',
  );
  for (const task of plan.dms.tasks) {
    b.add({
      id: nodeId.dmsTaskDelete(task.id),
      kind: 'DmsTaskDelete',
      phase: 'cleanup',
      title: `Delete DMS task ${task.id}`,
      requires: [fact.taskCreated(task.id), ...replicationFinished(plan, task)],
      provides: [fact.taskDeleted(task.id)],
      input: {
        artifact: null,
        region,
        request: { ReplicationTaskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn') },
        task: task.id,
      },
      origin: '/cutover/cleanup/dms_resources',
      gate: 'cleanup',
    });
  }
  const endpointDeleted = addEndpointCleanup(b, (task) => fact.taskDeleted(task.id));
  b.add({
    id: nodeId.dmsInstanceDelete(ri),
    kind: 'DmsReplicationInstanceDelete',
    phase: 'cleanup',
    title: `Delete DMS replication instance ${ri}`,
    requires: [
      fact.instanceAvailable(ri),
      ...plan.dms.tasks.map((task) => fact.taskDeleted(task.id)),
      ...endpointDeleted,
    ],
    provides: [fact.instanceDeleted(ri)],
    input: {
      artifact: null,
      region,
      request: { ReplicationInstanceArn: refPlaceholder(nodeId.dmsInstanceCreate(ri), 'arn') },
      instance: ri,
    },
    origin: '/cutover/cleanup/dms_resources',
    gate: 'cleanup',
  });
}

export const dmsEngine: ReplicationEngine = {
  setup(b) {
    addDmsSetup(b, ssmSecrets(b));
  },
  tasks: addTasks,
  lagWait,
  slot: slotOf,
  stop: stopTasks,
  cleanup: addCleanup,
};
