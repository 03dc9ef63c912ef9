// Plan → execution graph. Each builder below adds the nodes of one concern with the facts they
// require and provide; edges and order are derived afterwards (order.ts), never written by hand.
// The replication engine (`plan.engine`: engines/dms.ts or engines/logical.ts) adds the nodes that move
// the data; everything here is engine-neutral and sees only `replication.<task>.*` facts.

import { hashJson } from '../../contracts/canonical-json.js';
import { type ExecutionGraph, GRAPH_FORMAT_VERSION, type GraphNode } from '../../contracts/graph.js';
import { artifactPath, type NodeInput } from '../../contracts/node-inputs.js';
import { refPlaceholder } from '../../contracts/secret-ref.js';
import { usesParameterGroup } from '../emit/rds-requests.js';
import { SEQUENCE_READ_SQL } from '../emit/target-sql.js';
import { isServerless } from '../knowledge/dms-compute.js';
import type { ServerCapacity } from '../knowledge/server-capacity.js';
import { isDowntimeDatabase, targetDatabase, tasksOf } from '../model/names.js';
import { nodeId } from '../model/node-ids.js';
import type { Plan, Task } from '../model/plan.js';
import { hasFullLoad, isCdc } from '../model/task-kind.js';
import { addAssessments } from './assessment.js';
import { compensation, GraphBuilder } from './builder.js';
import { dmsEngine } from './engines/dms.js';
import { dmsServerlessEngine } from './engines/dms-serverless.js';
import type { ReplicationEngine } from './engines/engine.js';
import { logicalEngine } from './engines/logical.js';
import { fact } from './facts.js';
import { deriveEdges, topologicalOrder } from './order.js';
import { addParameterGroupApply, addParameterGroupRevert } from './parameter-group.js';
import { addDataVerify } from './verify-node.js';

function addSource(b: GraphBuilder): void {
  const { plan, bundle, agent } = b;
  // Logical replication decodes WAL even for the initial copy (its table-sync slots): a full-load-only
  // logical plan gets wal_level=logical when the plan sets it (source.settings.wal_level).
  const cdc = plan.dms.tasks.some(isCdc) || (plan.engine === 'logical' && bundle.settings.wal_level === 'logical');
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
  const groupSet = usesParameterGroup(plan);
  for (const [i, sourceDb] of plan.source.databases.entries()) {
    const db = targetDatabase(plan, sourceDb);
    b.add({
      id: nodeId.targetPrepare(db),
      kind: 'TargetPrepare',
      phase: 'prepare',
      title: `Prepare target database ${db}`,
      // With a parameter group, prepare.sql checks new sessions are replica: the group is set first.
      requires: groupSet ? [fact.parameterGroupReplica] : [],
      provides: [fact.targetPrepared(db)],
      input: {
        connection: b.targetConnection(db),
        sourceDatabase: sourceDb,
        sql: artifactPath.targetPrepare(db),
        fkStrategy: plan.target.fk_strategy,
        parameterGroup: plan.target.parameter_group,
      },
      origin: `/source/databases/${i}`,
      // A parameter group's prepare.sql only checks; the group's own node carries the undo.
      ...(groupSet
        ? {}
        : { compensation: compensation('TargetFkRestore', `Revert target settings on ${db}`, fkRestoreInput(b, db)) }),
    });
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
    requires: usesParameterGroup(plan) ? [...last, fact.parameterGroupReverted] : last,
    provides: [fact.targetFkRestored(db)],
    input: fkRestoreInput(b, db),
    origin: '/target/fk_strategy',
  });
  return fact.targetFkRestored(db);
}

function addCutover(b: GraphBuilder, engine: ReplicationEngine): string[] {
  const { plan, agent } = b;
  const openRequires: string[] = [];
  // Full-load databases: writes are already fenced; the target takes over once the load is in.
  for (const sourceDb of plan.source.databases.filter((db) => isDowntimeDatabase(plan, db))) {
    const db = targetDatabase(plan, sourceDb);
    const restored = addTargetCutover(
      b,
      sourceDb,
      [fact.targetPostLoaded(db), ...tasksOf(plan, sourceDb).map(loadedFact)],
      undefined,
    );
    openRequires.push(...addDataVerify(b, sourceDb, restored), ...engine.stop(b, sourceDb, restored, true));
  }
  const cdcDbs = plan.source.databases.filter((db) => tasksOf(plan, db).some(isCdc));
  if (cdcDbs.length > 0) {
    const cdcTasks = plan.dms.tasks.filter(isCdc);
    b.gate(
      'cutover',
      'cutover',
      plan.cutover.validation_gate && plan.engine === 'dms'
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
        input: engine.lagWait(b, task),
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
            slot: engine.slot(task),
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
      openRequires.push(...addDataVerify(b, sourceDb, restored));
      openRequires.push(...engine.stop(b, sourceDb, restored, false));
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

const ENGINES: Readonly<Record<Plan['engine'], ReplicationEngine>> = { dms: dmsEngine, logical: logicalEngine };

/** `capacity` (from a catalog) sizes the source bundle the graph's agent nodes apply. */
export function buildGraph(plan: Plan, capacity: ServerCapacity | null = null): ExecutionGraph {
  const engine = plan.engine === 'dms' && isServerless(plan) ? dmsServerlessEngine : ENGINES[plan.engine];
  const b = new GraphBuilder(plan, capacity);
  engine.setup(b);
  addSource(b);
  addParameterGroupApply(b);
  addTargetPrepare(b);
  engine.tasks(b);
  addAssessments(b);
  addLoadAndDowntime(b);
  addCutover(b, engine);
  addParameterGroupRevert(b);
  engine.cleanup(b);
  return assembleGraph(plan, b.nodes);
}
