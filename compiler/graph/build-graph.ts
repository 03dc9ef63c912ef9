// Plan → execution graph. Each builder below adds the nodes of one concern with the facts they
// require and provide; edges and order are derived afterwards (order.ts), never written by hand.

import { hashJson } from '../../contracts/canonical-json.js';
import {
  type Compensation,
  type ExecutionGraph,
  GRAPH_FORMAT_VERSION,
  type GraphNode,
  type NodeKind,
  type Phase,
} from '../../contracts/graph.js';
import {
  type AgentAccessInput,
  artifactPath,
  type NodeInput,
  type PgConnectionInput,
  type SecretString,
} from '../../contracts/node-inputs.js';
import { formatSecretRef, refPlaceholder, type SecretRef, secretPlaceholder } from '../../contracts/secret-ref.js';
import {
  replicationInstanceRequest,
  sourceEndpointRequest,
  targetEndpointRequest,
  taskRequest,
} from '../emit/dms-requests.js';
import {
  hasFullLoad,
  isCdc,
  isDowntimeDatabase,
  pgPluginName,
  sourceEndpointId,
  targetDatabase,
  targetEndpointId,
  tasksOf,
} from '../emit/names.js';
import { buildSourceBundle } from '../emit/source-bundle.js';
import { SEQUENCE_READ_SQL } from '../emit/target-sql.js';
import type { Plan, Task } from '../model/plan.js';
import { fact } from './facts.js';
import { nodeId } from './ids.js';
import { EFFECT, EXECUTOR } from './kinds.js';
import { deriveEdges, topologicalOrder } from './order.js';

interface NodeSpec<K extends NodeKind> {
  readonly id: string;
  readonly kind: K;
  readonly phase: Phase;
  readonly title: string;
  readonly requires: readonly string[];
  readonly provides: readonly string[];
  readonly input: NodeInput<K>;
  readonly origin: string;
  readonly gate?: string;
  readonly compensation?: Compensation;
  readonly finally?: boolean;
  readonly idempotencyKey?: string;
}

function secret(ref: SecretRef): SecretString {
  return secretPlaceholder(ref) as SecretString;
}

function compensation<K extends NodeKind>(kind: K, title: string, input: NodeInput<K>): Compensation {
  return { kind, title, input: input as unknown as Record<string, unknown> };
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly bundle;
  readonly agent: AgentAccessInput;

  constructor(readonly plan: Plan) {
    this.bundle = buildSourceBundle(plan);
    this.agent = { url: plan.source.agent.url, token: secret(plan.source.agent.token) };
  }

  add<K extends NodeKind>(spec: NodeSpec<K>): void {
    const gate = spec.gate ?? null;
    const requires = gate === null ? spec.requires : [...spec.requires, fact.gateApproved(gate)];
    this.nodes.push({
      id: spec.id,
      kind: spec.kind,
      executor: EXECUTOR[spec.kind],
      effect: EFFECT[spec.kind],
      phase: spec.phase,
      title: spec.title,
      requires: [...new Set(requires)],
      provides: [...new Set(spec.provides)],
      idempotencyKey: spec.idempotencyKey ?? `${this.plan.name}/${spec.id}`,
      input: spec.input as unknown as Record<string, unknown>,
      compensation: spec.compensation ?? null,
      finally: spec.finally ?? false,
      gate,
      origin: spec.origin,
    });
  }

  gate(name: string, phase: Phase, prompt: string, requires: readonly string[], origin: string): void {
    this.add({
      id: nodeId.gate(name),
      kind: 'ManualGate',
      phase,
      title: `Approval: ${name}`,
      requires,
      provides: [fact.gateApproved(name)],
      input: { gate: name, prompt },
      origin,
    });
  }

  targetConnection(database: string): PgConnectionInput {
    const { target } = this.plan;
    return {
      host: target.host,
      port: target.port,
      database,
      user: target.admin_user.name,
      password: secret(target.admin_user.password),
      sslMode: target.ssl_mode,
    };
  }

  sourceConnection(database: string): PgConnectionInput {
    const { source } = this.plan;
    return {
      host: source.host,
      port: source.port,
      database,
      user: source.migration_user.name,
      password: secret(source.migration_user.password),
      sslMode: source.ssl ? 'require' : 'none',
    };
  }

  taskIndex(task: Task): number {
    return this.plan.dms.tasks.indexOf(task);
  }
}

/** SSM parameters DMS endpoints read at apply time, by endpoint side → the fact that they resolve. */
function ssmSecrets(b: GraphBuilder): Map<'source' | 'target', string> {
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

function addSource(b: GraphBuilder): void {
  const { plan, bundle, agent } = b;
  const cdc = plan.dms.tasks.some(isCdc);
  b.add({
    id: nodeId.sourcePreflight,
    kind: 'SourcePreflight',
    phase: 'prepare',
    title: 'Source preflight checks',
    requires: [],
    provides: [fact.sourcePreflightOk],
    input: { agent, bundle: artifactPath.bundle, bundleHash: bundle.hash, databases: [...plan.source.databases] },
    origin: '/source',
  });
  const role = plan.source.migration_user;
  if (role.create) {
    b.add({
      id: nodeId.sourceRoleEnsure,
      kind: 'SourceRoleEnsure',
      phase: 'prepare',
      title: `Ensure source role ${role.name}`,
      requires: [fact.sourcePreflightOk],
      provides: [fact.sourceRoleExists(role.name)],
      input: { agent, bundle: artifactPath.bundle, bundleHash: bundle.hash, role: role.name },
      origin: '/source/migration_user',
    });
  }
  b.add({
    id: nodeId.sourceConfigApply,
    kind: 'SourceConfigApply',
    phase: 'prepare',
    title: 'Apply source settings and pg_hba rules',
    requires: role.create ? [fact.sourcePreflightOk, fact.sourceRoleExists(role.name)] : [fact.sourcePreflightOk],
    provides: [fact.sourceConfigApplied],
    input: { agent, bundle: artifactPath.bundle, bundleHash: bundle.hash, allowRestart: false },
    origin: '/source/settings',
    idempotencyKey: `${plan.name}/${nodeId.sourceConfigApply}@${bundle.hash}`,
  });
  b.gate(
    'restart-consent',
    'prepare',
    bundle.restartSettings.length === 0
      ? 'No setting needs a restart; approve to continue (the restart is skipped when nothing is pending).'
      : `Restart the source PostgreSQL to apply ${bundle.restartSettings.join(', ')}.`,
    [fact.sourceConfigApplied],
    '/source/settings',
  );
  b.add({
    id: nodeId.sourceRestart,
    kind: 'SourceRestart',
    phase: 'prepare',
    title: 'Restart the source if settings are pending',
    requires: [fact.sourceConfigApplied],
    provides: cdc ? [fact.sourceConfigEffective, fact.walLevelLogical] : [fact.sourceConfigEffective],
    input: { agent, bundleHash: bundle.hash, onlyIfPending: true, restartSettings: [...bundle.restartSettings] },
    origin: '/source/settings',
    gate: 'restart-consent',
    idempotencyKey: `${plan.name}/${nodeId.sourceRestart}@${bundle.hash}`,
  });
}

function fkRestoreInput(b: GraphBuilder, db: string): NodeInput<'TargetFkRestore'> {
  const { target } = b.plan;
  return {
    connection: b.targetConnection(db),
    sql: artifactPath.targetCutover(db),
    fkStrategy: target.fk_strategy,
    parameterGroup: target.parameter_group,
  };
}

function addTargetPrepare(b: GraphBuilder): void {
  const { plan } = b;
  for (const [i, sourceDb] of plan.source.databases.entries()) {
    const db = targetDatabase(plan, sourceDb);
    b.add({
      id: nodeId.targetPrepare(db),
      kind: 'TargetPrepare',
      phase: 'prepare',
      title: `Prepare target database ${db}`,
      requires: [],
      provides: [fact.targetPrepared(db)],
      input: {
        connection: b.targetConnection(db),
        sourceDatabase: sourceDb,
        sql: artifactPath.targetPrepare(db),
        fkStrategy: plan.target.fk_strategy,
        parameterGroup: plan.target.parameter_group,
      },
      origin: `/source/databases/${i}`,
      compensation: compensation('TargetFkRestore', `Revert target settings on ${db}`, fkRestoreInput(b, db)),
    });
  }
}

function addDmsSetup(b: GraphBuilder, secrets: Map<'source' | 'target', string>): void {
  const { plan } = b;
  const ri = plan.dms.replication_instance.identifier;
  const region = plan.dms.region;
  const cdc = plan.dms.tasks.some(isCdc);
  const instanceArn = refPlaceholder(nodeId.dmsInstanceCreate(ri), 'arn');
  b.add({
    id: nodeId.dmsInstanceCreate(ri),
    kind: 'DmsReplicationInstanceCreate',
    phase: 'prepare',
    title: `Create DMS replication instance ${ri}`,
    // Both ends ready first: the instance costs money from the moment it exists.
    requires: [
      fact.sourceConfigEffective,
      ...(cdc ? [fact.walLevelLogical] : []),
      ...plan.source.databases.map((db) => fact.targetPrepared(targetDatabase(plan, db))),
    ],
    provides: [fact.instanceAvailable(ri)],
    input: { artifact: artifactPath.replicationInstance, region, request: replicationInstanceRequest(plan) },
    origin: '/dms/replication_instance',
    idempotencyKey: `dms:replication-instance:${ri}`,
  });
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
        requires: [fact.instanceAvailable(ri), ...(secrets.has(side) ? [secrets.get(side)!] : [])],
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
      b.add({
        id: nodeId.dmsEndpointTest(id),
        kind: 'DmsConnectionTest',
        phase: 'prepare',
        title: `Test DMS connection to ${id}`,
        requires: [
          fact.endpointCreated(id),
          fact.instanceAvailable(ri),
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
  const ri = plan.dms.replication_instance.identifier;
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

/** Fact that says a task's initial data is on the target. */
function loadedFact(task: Task): string {
  return hasFullLoad(task) ? fact.replicationFullLoadComplete(task.id) : fact.replicationStarted(task.id);
}

function addLoadAndDowntime(b: GraphBuilder): void {
  const { plan } = b;
  const downtimeDbs = plan.source.databases.filter((db) => isDowntimeDatabase(plan, db));
  if (downtimeDbs.length > 0) {
    const tasks = downtimeDbs.flatMap((db) => tasksOf(plan, db));
    b.gate(
      'downtime',
      'load',
      `Stop writes on ${downtimeDbs.join(', ')} for the full load (no change capture).`,
      tasks.map((task) => fact.replicationReady(task.id)),
      '/cutover/fence',
    );
    for (const db of downtimeDbs) {
      b.add({
        id: nodeId.downtimeFence(db),
        kind: 'SourceWriteFence',
        phase: 'load',
        title: `Fence writes on ${db} before the full load`,
        requires: [fact.sourceConfigEffective],
        provides: [fact.writesFenced(db)],
        input: fenceInput(b, db),
        origin: '/cutover/fence',
        gate: 'downtime',
        compensation: compensation('SourceWriteUnfence', `Unfence writes on ${db}`, unfenceInput(b, db)),
      });
    }
  }
  for (const [i, sourceDb] of plan.source.databases.entries()) {
    const db = targetDatabase(plan, sourceDb);
    b.add({
      id: nodeId.targetPostLoad(db),
      kind: 'TargetPostLoad',
      phase: 'load',
      title: `Post-load SQL on ${db}`,
      requires: [fact.targetPrepared(db), ...tasksOf(plan, sourceDb).map(loadedFact)],
      provides: [fact.targetPostLoaded(db)],
      input: {
        connection: b.targetConnection(db),
        files: [...plan.target.schema_objects.post_load_sql],
        sql: artifactPath.targetPostLoad(db),
      },
      origin: i === 0 ? '/target/schema_objects' : `/source/databases/${i}`,
    });
  }
}

function fenceInput(b: GraphBuilder, db: string): NodeInput<'SourceWriteFence'> {
  const { fence } = b.plan.cutover;
  return {
    agent: b.agent,
    bundleHash: b.bundle.hash,
    method: fence.method,
    roles: [...fence.roles],
    databases: [db],
    terminateSessions: true,
  };
}

function unfenceInput(b: GraphBuilder, db: string): NodeInput<'SourceWriteUnfence'> {
  const { fence } = b.plan.cutover;
  return { agent: b.agent, bundleHash: b.bundle.hash, method: fence.method, roles: [...fence.roles], databases: [db] };
}

function slotOf(task: Task): string {
  return task.slot_name !== null ? task.slot_name : refPlaceholder(nodeId.dmsTaskStart(task.id), 'slotName');
}

/** Per database, the target-side cutover chain: sequences → cutover SQL → foreign keys back. */
function addTargetCutover(
  b: GraphBuilder,
  sourceDb: string,
  after: readonly string[],
  gate: string | undefined,
): string {
  const { plan } = b;
  const db = targetDatabase(plan, sourceDb);
  let last = [...after];
  if (plan.cutover.sequences.enabled) {
    b.add({
      id: nodeId.cutoverSequences(db),
      kind: 'TargetSequenceSync',
      phase: 'cutover',
      title: `Set sequences on ${db} past the source`,
      requires: [...last, fact.writesFenced(sourceDb)],
      provides: [fact.targetSequencesSynced(db)],
      input: {
        connection: b.targetConnection(db),
        source: b.sourceConnection(sourceDb),
        readSql: SEQUENCE_READ_SQL,
        sql: artifactPath.targetSequences(db),
        margin: plan.cutover.sequences.margin,
      },
      origin: '/cutover/sequences',
      gate,
    });
    last = [fact.targetSequencesSynced(db)];
  }
  if (plan.cutover.post_load_sql.length > 0) {
    b.add({
      id: nodeId.cutoverSql(db),
      kind: 'TargetPostLoad',
      phase: 'cutover',
      title: `Cutover SQL on ${db}`,
      requires: last,
      provides: [fact.targetCutoverSqlDone(db)],
      input: { connection: b.targetConnection(db), files: [...plan.cutover.post_load_sql], sql: null },
      origin: '/cutover/post_load_sql',
    });
    last = [fact.targetCutoverSqlDone(db)];
  }
  b.add({
    id: nodeId.cutoverFkRestore(db),
    kind: 'TargetFkRestore',
    phase: 'cutover',
    title: `Foreign keys and triggers back on ${db}`,
    requires: last,
    provides: [fact.targetFkRestored(db)],
    input: fkRestoreInput(b, db),
    origin: '/target/fk_strategy',
  });
  return fact.targetFkRestored(db);
}

function addCutover(b: GraphBuilder): string[] {
  const { plan, agent } = b;
  const region = plan.dms.region;
  const cleanup = plan.cutover.cleanup;
  const openRequires: string[] = [];
  // Full-load databases: writes are already fenced; the target takes over once the load is in.
  for (const sourceDb of plan.source.databases.filter((db) => isDowntimeDatabase(plan, db))) {
    const db = targetDatabase(plan, sourceDb);
    openRequires.push(
      addTargetCutover(b, sourceDb, [fact.targetPostLoaded(db), ...tasksOf(plan, sourceDb).map(loadedFact)], undefined),
    );
  }
  const cdcDbs = plan.source.databases.filter((db) => tasksOf(plan, db).some(isCdc));
  if (cdcDbs.length > 0) {
    const cdcTasks = plan.dms.tasks.filter(isCdc);
    b.gate(
      'cutover',
      'cutover',
      plan.cutover.validation_gate
        ? 'Start the cutover: DMS validation must be clean; writes on the source will be fenced.'
        : 'Start the cutover: writes on the source will be fenced.',
      [
        ...cdcDbs.map((db) => fact.targetPostLoaded(targetDatabase(plan, db))),
        ...cdcTasks.map((task) => loadedFact(task)),
      ],
      '/cutover',
    );
    for (const task of cdcTasks) {
      b.add({
        id: nodeId.cutoverLagWait(task.id),
        kind: 'CdcLagWait',
        phase: 'cutover',
        title: `Wait until ${task.id} lags less than ${plan.cutover.max_lag_seconds}s`,
        requires: [fact.replicationStarted(task.id), fact.gateApproved('cutover')],
        provides: [fact.replicationCaughtUp(task.id)],
        input: {
          engine: plan.engine,
          region,
          task: task.id,
          taskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn'),
          maxLagSeconds: plan.cutover.max_lag_seconds,
        },
        origin: '/cutover/max_lag_seconds',
      });
    }
    for (const sourceDb of cdcDbs) {
      const tasks = tasksOf(plan, sourceDb).filter(isCdc);
      const db = targetDatabase(plan, sourceDb);
      b.add({
        id: nodeId.cutoverFence(sourceDb),
        kind: 'SourceWriteFence',
        phase: 'cutover',
        title: `Fence writes on ${sourceDb}`,
        requires: tasks.map((task) => fact.replicationCaughtUp(task.id)),
        provides: [fact.writesFenced(sourceDb)],
        input: fenceInput(b, sourceDb),
        origin: '/cutover/fence',
        gate: 'cutover',
        compensation: compensation('SourceWriteUnfence', `Unfence writes on ${sourceDb}`, unfenceInput(b, sourceDb)),
      });
      for (const task of tasks) {
        const origin = `/dms/tasks/${b.taskIndex(task)}`;
        b.add({
          id: nodeId.cutoverMarker(task.id),
          kind: 'SourceMarkerWrite',
          phase: 'cutover',
          title: `Record the source WAL position for ${task.id}`,
          requires: [fact.writesFenced(sourceDb)],
          provides: [fact.markerWritten(task.id)],
          input: { agent, database: sourceDb, task: task.id },
          origin,
        });
        b.add({
          id: nodeId.cutoverMarkerWait(task.id),
          kind: 'MarkerWait',
          phase: 'cutover',
          title: `Wait until ${task.id} confirmed the marker`,
          requires: [fact.markerWritten(task.id), fact.replicationStarted(task.id)],
          provides: [fact.replicationDrained(task.id)],
          input: {
            agent,
            database: sourceDb,
            task: task.id,
            slot: slotOf(task),
            lsn: refPlaceholder(nodeId.cutoverMarker(task.id), 'lsn'),
          },
          origin,
        });
      }
      const restored = addTargetCutover(
        b,
        sourceDb,
        [fact.targetPostLoaded(db), ...tasks.map((task) => fact.replicationDrained(task.id))],
        undefined,
      );
      openRequires.push(restored);
      if (!cleanup.stop_task) continue;
      for (const task of tasks) {
        const origin = `/dms/tasks/${b.taskIndex(task)}`;
        b.add({
          id: nodeId.dmsTaskStop(task.id),
          kind: 'DmsTaskStop',
          phase: 'cutover',
          title: `Stop DMS task ${task.id}`,
          requires: [fact.replicationDrained(task.id), restored],
          provides: [fact.replicationStopped(task.id)],
          input: {
            artifact: null,
            region,
            request: { ReplicationTaskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn') },
            task: task.id,
          },
          origin: '/cutover/cleanup/stop_task',
        });
        openRequires.push(fact.replicationStopped(task.id));
        if (!cleanup.drop_slot) continue;
        b.add({
          id: nodeId.sourceSlotDrop(task.id),
          kind: 'SourceSlotDrop',
          phase: 'cutover',
          title: `Drop the replication slot of ${task.id}`,
          requires: [fact.replicationStopped(task.id)],
          provides: [fact.slotDropped(task.id)],
          input: { agent, database: sourceDb, slot: slotOf(task), task: task.id },
          origin: task.slot_name !== null ? `${origin}/slot_name` : '/cutover/cleanup/drop_slot',
          gate: 'cutover',
          finally: true,
        });
        openRequires.push(fact.slotDropped(task.id));
      }
    }
  }
  b.gate(
    'writes-open',
    'cutover',
    'The target is ready: point the applications at it and open writes.',
    openRequires,
    '/cutover',
  );
  return openRequires;
}

function addCleanup(b: GraphBuilder): void {
  const { plan } = b;
  if (plan.cutover.cleanup.dms_resources !== 'delete') return;
  const region = plan.dms.region;
  const ri = plan.dms.replication_instance.identifier;
  b.gate(
    'cleanup',
    'cleanup',
    `Delete the DMS tasks, endpoints and replication instance ${ri}.`,
    [fact.gateApproved('writes-open')],
    '/cutover/cleanup/dms_resources',
  );
  const stopped = (task: Task) =>
    isCdc(task)
      ? plan.cutover.cleanup.stop_task
        ? [fact.replicationStopped(task.id)]
        : []
      : [fact.replicationFullLoadComplete(task.id)];
  for (const task of plan.dms.tasks) {
    b.add({
      id: nodeId.dmsTaskDelete(task.id),
      kind: 'DmsTaskDelete',
      phase: 'cleanup',
      title: `Delete DMS task ${task.id}`,
      requires: [fact.taskCreated(task.id), ...stopped(task)],
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
  const endpointDeleted: string[] = [];
  for (const sourceDb of plan.source.databases) {
    const tasksDeleted = tasksOf(plan, sourceDb).map((task) => fact.taskDeleted(task.id));
    for (const id of [sourceEndpointId(plan, sourceDb), targetEndpointId(plan, sourceDb)]) {
      b.add({
        id: nodeId.dmsEndpointDelete(id),
        kind: 'DmsEndpointDelete',
        phase: 'cleanup',
        title: `Delete DMS endpoint ${id}`,
        requires: [fact.endpointCreated(id), ...tasksDeleted],
        provides: [fact.endpointDeleted(id)],
        input: {
          artifact: null,
          region,
          request: { EndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(id), 'arn') },
          endpoint: id,
        },
        origin: '/cutover/cleanup/dms_resources',
        gate: 'cleanup',
      });
      endpointDeleted.push(fact.endpointDeleted(id));
    }
  }
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

/** Nodes in a stable order with derived edges; verification is a separate step (verify-graph.ts). */
export function assembleGraph(plan: Plan, nodes: readonly GraphNode[]): ExecutionGraph {
  const edges = deriveEdges(nodes);
  const { ordered, cyclic } = topologicalOrder(nodes, edges);
  const all = [...ordered, ...cyclic];
  const position = new Map(all.map((node, i) => [node.id, i]));
  edges.sort((a, b) => position.get(a.from)! - position.get(b.from)! || position.get(a.to)! - position.get(b.to)!);
  return {
    formatVersion: GRAPH_FORMAT_VERSION,
    plan: plan.name,
    planHash: hashJson(plan),
    engine: plan.engine,
    nodes: all,
    edges,
  };
}

export function buildGraph(plan: Plan): ExecutionGraph {
  const b = new GraphBuilder(plan);
  const secrets = ssmSecrets(b);
  addSource(b);
  addTargetPrepare(b);
  addDmsSetup(b, secrets);
  addTasks(b);
  addLoadAndDowntime(b);
  addCutover(b);
  addCleanup(b);
  return assembleGraph(plan, b.nodes);
}
