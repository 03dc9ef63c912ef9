// The AWS DMS engine on DMS Serverless (`dms.serverless`): the endpoints as on an instance (without
// connection tests: a Serverless replication tests its connections itself when it starts), then per task
// one replication config (CreateReplicationConfig: endpoints + table mappings + settings + compute), its
// start (DMS provisions capacity, then replicates) and full-load wait, the stop at cutover, and the
// deletion of the configs and endpoints after writes-open. Same `replication.<task>.*` facts as tasks.

import { artifactPath, type NodeInput } from '../../../contracts/node-inputs.js';
import { refPlaceholder } from '../../../contracts/secret-ref.js';
import { replicationConfigRequest } from '../../emit/dms-requests.js';
import { isDowntimeDatabase, sourceEndpointId, targetDatabase, targetEndpointId } from '../../model/names.js';
import { nodeId } from '../../model/node-ids.js';
import type { Task } from '../../model/plan.js';
import { hasFullLoad, isCdc } from '../../model/task-kind.js';
import { compensation, type GraphBuilder } from '../builder.js';
import { fact } from '../facts.js';
import { addEndpoints, dmsReadyFacts, ssmSecrets } from './dms.js';
import { addEndpointCleanup, replicationFinished, stopReplications } from './dms-cutover.js';
import type { ReplicationEngine } from './engine.js';

const configArn = (task: Task) => refPlaceholder(nodeId.dmsReplicationConfigCreate(task.id), 'arn');

function addReplications(b: GraphBuilder): void {
  const { plan } = b;
  const region = plan.dms.region;
  for (const task of plan.dms.tasks) {
    const origin = `/dms/tasks/${b.taskIndex(task)}`;
    const db = targetDatabase(plan, task.database);
    b.add({
      id: nodeId.dmsReplicationConfigCreate(task.id),
      kind: 'DmsReplicationConfigCreate',
      phase: 'prepare',
      title: `Create DMS Serverless replication config ${task.id} (${task.migration_type})`,
      requires: [
        fact.endpointCreated(sourceEndpointId(plan, task.database)),
        fact.endpointCreated(targetEndpointId(plan, task.database)),
      ],
      provides: [fact.replicationConfigCreated(task.id), fact.replicationReady(task.id)],
      input: {
        artifact: artifactPath.replicationConfig(task.id),
        region,
        request: replicationConfigRequest(plan, task),
        task: task.id,
        tableMappings: artifactPath.replicationTableMappings(task.id),
        replicationSettings: artifactPath.replicationSettings(task.id),
      },
      origin: '/dms/serverless',
      idempotencyKey: `dms:replication-config:${task.id}`,
    });
    const request = { ReplicationConfigArn: configArn(task) };
    b.add({
      id: nodeId.dmsReplicationStart(task.id),
      kind: 'DmsReplicationStart',
      phase: 'load',
      title: `Start DMS Serverless replication ${task.id}`,
      requires: [
        fact.replicationConfigCreated(task.id),
        fact.targetPrepared(db),
        ...(isCdc(task) ? [fact.walLevelLogical] : []),
        ...(isDowntimeDatabase(plan, task.database) ? [fact.writesFenced(task.database)] : []),
      ],
      provides: [fact.replicationStarted(task.id)],
      input: {
        artifact: null,
        region,
        request: { ...request, StartReplicationType: 'start-replication' },
        task: task.id,
        database: task.database,
        migrationType: task.migration_type,
        slot: null,
        allowReload: task.allow_reload,
      },
      origin,
      idempotencyKey: `dms:replication-config:${task.id}:start`,
      compensation: isCdc(task)
        ? compensation('DmsReplicationStop', `Stop DMS Serverless replication ${task.id}`, {
            artifact: null,
            region,
            request,
            task: task.id,
          })
        : undefined,
    });
    if (!hasFullLoad(task)) continue;
    b.add({
      id: nodeId.dmsReplicationFullLoadWait(task.id),
      kind: 'DmsReplicationFullLoadWait',
      phase: 'load',
      title: `Wait for the full load of ${task.id}`,
      requires: [fact.replicationStarted(task.id)],
      provides: [fact.replicationFullLoadComplete(task.id)],
      input: { region, configArn: configArn(task), task: task.id, migrationType: task.migration_type },
      origin,
    });
  }
}

/** The slot DMS created when the replication started, as its start node recorded it (PGF3232: never named). */
const slotOf = (task: Task) => refPlaceholder(nodeId.dmsReplicationStart(task.id), 'slotName');

function lagWait(b: GraphBuilder, task: Task): NodeInput<'CdcLagWait'> {
  return {
    engine: 'dms',
    region: b.plan.dms.region,
    task: task.id,
    taskArn: configArn(task),
    serverless: true,
    maxLagSeconds: b.plan.cutover.max_lag_seconds,
  };
}

function addCleanup(b: GraphBuilder): void {
  const { plan } = b;
  if (plan.cutover.cleanup.dms_resources !== 'delete') return;
  const region = plan.dms.region;
  b.gate(
    'cleanup',
    'cleanup',
    'Delete the DMS Serverless replication configs and the endpoints.',
    [fact.gateApproved('writes-open')],
    '/cutover/cleanup/dms_resources',
  );
  for (const task of plan.dms.tasks) {
    b.add({
      id: nodeId.dmsReplicationConfigDelete(task.id),
      kind: 'DmsReplicationConfigDelete',
      phase: 'cleanup',
      title: `Delete DMS Serverless replication config ${task.id}`,
      requires: [fact.replicationConfigCreated(task.id), ...replicationFinished(plan, task)],
      provides: [fact.replicationConfigDeleted(task.id)],
      input: { artifact: null, region, request: { ReplicationConfigArn: configArn(task) }, task: task.id },
      origin: '/cutover/cleanup/dms_resources',
      gate: 'cleanup',
    });
  }
  addEndpointCleanup(b, (task) => fact.replicationConfigDeleted(task.id));
}

export const dmsServerlessEngine: ReplicationEngine = {
  setup(b) {
    addEndpoints(b, ssmSecrets(b), dmsReadyFacts(b.plan), null);
  },
  tasks: addReplications,
  lagWait,
  slot: slotOf,
  stop: (b, sourceDb, restored, downtime) =>
    stopReplications(b, sourceDb, restored, downtime, slotOf, (task) => ({
      id: nodeId.dmsReplicationStop(task.id),
      kind: 'DmsReplicationStop',
      title: `Stop DMS Serverless replication ${task.id}`,
      input: {
        artifact: null,
        region: b.plan.dms.region,
        request: { ReplicationConfigArn: configArn(task) },
        task: task.id,
      },
    })),
  cleanup: addCleanup,
};
