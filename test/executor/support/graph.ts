// A hand-written execution graph for executor tests, shaped like the compiler's (node ids from
// compiler/model/node-ids.ts, edges derived from requires/provides facts), for one CDC task with a slot
// pgferry creates through the agent. Tests stay independent of the compiler's progress.

import { canonicalJson } from '../../../contracts/canonical-json.js';
import { compareText } from '../../../contracts/compare.js';
import type {
  Compensation,
  ExecutionGraph,
  ExecutorKind,
  GraphEdge,
  GraphNode,
  NodeKind,
  Phase,
} from '../../../contracts/graph.js';
import { executorOfKind } from '../../../executor/kinds.js';

export interface NodeSpec {
  id: string;
  kind: NodeKind;
  phase: Phase;
  requires?: string[];
  provides?: string[];
  input?: Record<string, unknown>;
  compensation?: Compensation | null;
  finally?: boolean;
  gate?: string | null;
  effect?: GraphNode['effect'];
}

export function node(spec: NodeSpec): GraphNode {
  const executor: ExecutorKind = executorOfKind[spec.kind];
  return {
    id: spec.id,
    kind: spec.kind,
    executor,
    effect: spec.effect ?? 'write',
    phase: spec.phase,
    title: `${spec.kind} ${spec.id}`,
    requires: spec.requires ?? [],
    provides: spec.provides ?? [`done:${spec.id}`],
    idempotencyKey: spec.id,
    input: spec.input ?? {},
    compensation: spec.compensation ?? null,
    finally: spec.finally ?? false,
    gate: spec.gate ?? null,
    origin: '/',
  };
}

/** Edges from facts; nodes in a stable topological order (ties by id). */
export function assemble(plan: string, nodes: readonly GraphNode[]): ExecutionGraph {
  const provider = new Map<string, string>();
  for (const item of nodes) for (const fact of item.provides) provider.set(fact, item.id);
  const edges: GraphEdge[] = [];
  for (const item of nodes) {
    for (const fact of item.requires) {
      const from = provider.get(fact);
      if (from === undefined) throw new Error(`no provider for ${fact} (${item.id})`);
      if (!edges.some((edge) => edge.from === from && edge.to === item.id)) edges.push({ from, to: item.id, fact });
    }
  }
  const remaining = new Map(nodes.map((item) => [item.id, item]));
  const ordered: GraphNode[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.values()]
      .filter((item) => edges.every((edge) => edge.to !== item.id || !remaining.has(edge.from)))
      .sort((a, b) => compareText(a.id, b.id));
    if (ready.length === 0) throw new Error('cycle');
    for (const item of ready) {
      ordered.push(item);
      remaining.delete(item.id);
    }
  }
  return {
    formatVersion: 1,
    plan,
    planHash: `sha256:${'0'.repeat(64)}`,
    engine: 'dms',
    nodes: ordered,
    edges: edges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to)),
  };
}

export const TASK = 'orders-cdc';
export const SLOT = 'pgferry_orders_cdc';

export interface CdcGraphOptions {
  readonly plan?: string;
  readonly slot?: string;
  readonly maxLagBytes?: number;
}

export function cdcGraph(options: CdcGraphOptions = {}): ExecutionGraph {
  const plan = options.plan ?? 'orders';
  const slot = options.slot ?? SLOT;
  const ri = `${plan}-ri`;
  const src = `${plan}-src`;
  const tgt = `${plan}-tgt`;
  const nodes: GraphNode[] = [
    node({
      id: 'secrets.pgferry-orders-agent-token.resolve',
      kind: 'SsmParameterResolve',
      phase: 'prepare',
      effect: 'read',
      input: { name: '/pgferry/orders/agent/token' },
      provides: ['secret:/pgferry/orders/agent/token'],
    }),
    node({
      id: 'source.preflight',
      kind: 'SourcePreflight',
      phase: 'prepare',
      effect: 'read',
      requires: ['secret:/pgferry/orders/agent/token'],
      provides: ['source.preflight'],
    }),
    node({
      id: 'source.config.apply',
      kind: 'SourceConfigApply',
      phase: 'prepare',
      requires: ['source.preflight'],
      input: { bundle: 'source/bundle.json' },
      provides: ['source.config.applied'],
    }),
    node({
      id: 'source.restart',
      kind: 'SourceRestart',
      phase: 'prepare',
      effect: 'restart',
      gate: 'restart-consent',
      requires: ['source.config.applied'],
      input: { expect: { wal_level: 'logical' } },
      provides: ['source.wal_level=logical'],
    }),
    node({
      id: `source.slot.${TASK}.create`,
      kind: 'SourceSlotCreate',
      phase: 'prepare',
      requires: ['source.wal_level=logical'],
      input: { slot, plugin: 'test_decoding', database: 'orders' },
      provides: [`source.slot.${TASK}`],
    }),
    node({
      id: 'target.orders.prepare',
      kind: 'TargetPrepare',
      phase: 'prepare',
      input: { database: 'orders', sql: 'target/orders/prepare.sql' },
      provides: ['target.orders.prepared'],
      compensation: {
        kind: 'TargetFkRestore',
        title: 'revert target settings',
        input: { database: 'orders', sql: 'target/orders/revert.sql' },
      },
    }),
    node({
      id: `dms.instance.${ri}.create`,
      kind: 'DmsReplicationInstanceCreate',
      phase: 'load',
      requires: ['source.wal_level=logical'],
      input: {
        artifact: 'dms/replication-instance.json',
        request: { ReplicationInstanceIdentifier: ri, ReplicationInstanceClass: 'dms.t3.medium', AllocatedStorage: 50 },
      },
      provides: ['dms.instance'],
    }),
    node({
      id: `dms.endpoint.${src}.create`,
      kind: 'DmsEndpointCreate',
      phase: 'load',
      requires: ['source.wal_level=logical'],
      input: {
        request: {
          EndpointIdentifier: src,
          EndpointType: 'source',
          EngineName: 'postgres',
          PostgreSQLSettings: {
            ServerName: '10.0.2.15',
            Port: 5432,
            DatabaseName: 'orders',
            Username: 'dms_user',
            Password: '@secret(ssm:/pgferry/orders/source/dms_user)',
            SlotName: slot,
          },
        },
      },
      provides: ['dms.endpoint.source'],
    }),
    node({
      id: `dms.endpoint.${tgt}.create`,
      kind: 'DmsEndpointCreate',
      phase: 'load',
      input: {
        request: {
          EndpointIdentifier: tgt,
          EndpointType: 'target',
          EngineName: 'postgres',
          PostgreSQLSettings: {
            ServerName: 'orders.rds.example',
            Port: 5432,
            DatabaseName: 'orders',
            Username: 'postgres',
            Password: '@secret(ssm:/pgferry/orders/target/postgres)',
          },
        },
      },
      provides: ['dms.endpoint.target'],
    }),
    ...[src, tgt].map((endpoint, index) =>
      node({
        id: `dms.endpoint.${endpoint}.test`,
        kind: 'DmsConnectionTest',
        phase: 'load',
        effect: 'read',
        requires: ['dms.instance', index === 0 ? 'dms.endpoint.source' : 'dms.endpoint.target'],
        input: {
          replicationInstanceArn: `@ref(dms.instance.${ri}.create#arn)`,
          endpointArn: `@ref(dms.endpoint.${endpoint}.create#arn)`,
        },
        provides: [`dms.endpoint.${endpoint}.tested`],
      }),
    ),
    node({
      id: `dms.task.${TASK}.create`,
      kind: 'DmsTaskCreate',
      phase: 'load',
      requires: [`dms.endpoint.${src}.tested`, `dms.endpoint.${tgt}.tested`, `source.slot.${TASK}`],
      input: {
        artifact: `dms/tasks/${TASK}.json`,
        request: {
          ReplicationTaskIdentifier: TASK,
          MigrationType: 'full-load-and-cdc',
          ReplicationInstanceArn: `@ref(dms.instance.${ri}.create#arn)`,
          SourceEndpointArn: `@ref(dms.endpoint.${src}.create#arn)`,
          TargetEndpointArn: `@ref(dms.endpoint.${tgt}.create#arn)`,
          TableMappings: {
            rules: [
              {
                'rule-type': 'selection',
                'rule-id': '1',
                'rule-name': '1',
                'object-locator': { 'schema-name': 'public', 'table-name': '%' },
                'rule-action': 'include',
              },
            ],
          },
          ReplicationTaskSettings: { TargetMetadata: { SupportLobs: true } },
        },
      },
      provides: [`dms.task.${TASK}`],
    }),
    node({
      id: `dms.task.${TASK}.start`,
      kind: 'DmsTaskStart',
      phase: 'load',
      requires: [`dms.task.${TASK}`, 'target.orders.prepared'],
      input: { task: TASK, CdcStartPosition: `@ref(source.slot.${TASK}.create#lsn)` },
      provides: [`replication.${TASK}.started`],
      compensation: { kind: 'DmsTaskStop', title: 'stop the task', input: { task: TASK } },
    }),
    node({
      id: `dms.task.${TASK}.full-load-wait`,
      kind: 'DmsFullLoadWait',
      phase: 'load',
      effect: 'read',
      requires: [`replication.${TASK}.started`],
      input: { task: TASK },
      provides: [`replication.${TASK}.full-load-complete`],
    }),
    node({
      id: 'gate.cutover',
      kind: 'ManualGate',
      phase: 'cutover',
      effect: 'read',
      requires: [`replication.${TASK}.full-load-complete`],
      input: { gate: 'cutover' },
      provides: ['gate.cutover'],
    }),
    node({
      id: `cutover.${TASK}.lag-wait`,
      kind: 'CdcLagWait',
      phase: 'cutover',
      effect: 'read',
      requires: ['gate.cutover'],
      input: { slot, maxLagBytes: options.maxLagBytes ?? 1_000_000 },
      provides: [`replication.${TASK}.caught-up`],
    }),
    node({
      id: 'cutover.orders.fence',
      kind: 'SourceWriteFence',
      phase: 'cutover',
      requires: [`replication.${TASK}.caught-up`],
      input: { method: 'read_only', roles: ['orders_app'], databases: ['orders'] },
      provides: ['source.orders.fenced'],
      compensation: {
        kind: 'SourceWriteUnfence',
        title: 'unfence writes',
        input: { roles: ['orders_app'], fencedAt: '@ref(cutover.orders.fence#fencedAt)' },
      },
    }),
    node({
      id: `cutover.${TASK}.marker`,
      kind: 'SourceMarkerWrite',
      phase: 'cutover',
      requires: ['source.orders.fenced'],
      input: { database: 'orders' },
      provides: [`cutover.${TASK}.marker`],
    }),
    node({
      id: `cutover.${TASK}.marker-wait`,
      kind: 'MarkerWait',
      phase: 'cutover',
      effect: 'read',
      requires: [`cutover.${TASK}.marker`],
      input: { slot, lsn: `@ref(cutover.${TASK}.marker#lsn)` },
      provides: [`replication.${TASK}.marker-reached`],
    }),
    node({
      id: 'cutover.orders.sequences',
      kind: 'TargetSequenceSync',
      phase: 'cutover',
      requires: [`replication.${TASK}.marker-reached`],
      input: { database: 'orders', margin: 1000 },
      provides: ['target.orders.sequences'],
    }),
    node({
      id: 'cutover.orders.sql',
      kind: 'TargetPostLoad',
      phase: 'cutover',
      requires: ['target.orders.sequences'],
      input: { database: 'orders', sql: 'target/orders/post-load.sql' },
      provides: ['target.orders.post-load'],
    }),
    node({
      id: 'cutover.orders.fk-restore',
      kind: 'TargetFkRestore',
      phase: 'cutover',
      requires: ['target.orders.post-load'],
      input: { database: 'orders', sql: 'target/orders/cutover.sql' },
      provides: ['target.orders.fk-restored'],
    }),
    node({
      id: `dms.task.${TASK}.stop`,
      kind: 'DmsTaskStop',
      phase: 'cutover',
      requires: ['target.orders.fk-restored'],
      input: { task: TASK },
      provides: [`replication.${TASK}.stopped`],
    }),
    node({
      id: `source.slot.${TASK}.drop`,
      kind: 'SourceSlotDrop',
      phase: 'cleanup',
      effect: 'destructive',
      finally: true,
      requires: [`replication.${TASK}.stopped`],
      input: { slot },
      provides: [`source.slot.${TASK}.dropped`],
    }),
    node({
      id: `dms.task.${TASK}.delete`,
      kind: 'DmsTaskDelete',
      phase: 'cleanup',
      effect: 'destructive',
      requires: [`replication.${TASK}.stopped`],
      input: { task: TASK },
      provides: [`dms.task.${TASK}.deleted`],
    }),
    ...[src, tgt].map((endpoint) =>
      node({
        id: `dms.endpoint.${endpoint}.delete`,
        kind: 'DmsEndpointDelete',
        phase: 'cleanup',
        effect: 'destructive',
        requires: [`dms.task.${TASK}.deleted`],
        input: { endpoint },
        provides: [`dms.endpoint.${endpoint}.deleted`],
      }),
    ),
    node({
      id: `dms.instance.${ri}.delete`,
      kind: 'DmsReplicationInstanceDelete',
      phase: 'cleanup',
      effect: 'destructive',
      requires: [`dms.task.${TASK}.deleted`],
      input: { instance: ri },
      provides: ['dms.instance.deleted'],
    }),
  ];
  return assemble(plan, nodes);
}

export function graphJson(graph: ExecutionGraph): string {
  return canonicalJson(graph);
}
