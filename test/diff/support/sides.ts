// Hand-built compiled sides for unit tests of the diff: a plan, a small graph and artifacts written
// as data, so impact rules are tested without the compiler.

import type { Artifact } from '../../../compiler/artifact.js';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import type { Plan } from '../../../compiler/model/plan.js';
import type { SourceBundle } from '../../../contracts/bundle.js';
import { canonicalJson } from '../../../contracts/canonical-json.js';
import type { ExecutionGraph, GraphNode } from '../../../contracts/graph.js';
import type { CompiledSide, SideName } from '../../../diff/side.js';
import { basePlan } from '../../support/base-plan.js';

export function node(id: string, overrides: Partial<GraphNode> = {}): GraphNode {
  return {
    id,
    kind: 'ManualGate',
    executor: 'gate',
    effect: 'read',
    phase: 'prepare',
    title: id,
    requires: [],
    provides: [],
    idempotencyKey: id,
    input: {},
    compensation: null,
    finally: false,
    gate: null,
    origin: '',
    ...overrides,
  };
}

export function graphOf(nodes: readonly GraphNode[], edges: readonly [string, string][] = []): ExecutionGraph {
  return {
    formatVersion: 1,
    plan: 'orders',
    planHash: 'sha256:0',
    engine: 'dms',
    nodes,
    edges: edges.map(([from, to]) => ({ from, to, fact: `${from}.done` })),
  };
}

export const baseBundle: SourceBundle = {
  schemaVersion: 1,
  bundleId: 'orders',
  target: { pgMajor: 9, serverVersionNum: 90521, systemIdentifier: null },
  settings: { max_replication_slots: 5, max_wal_senders: 10, wal_level: 'logical', wal_sender_timeout: 60000 },
  restartSettings: ['max_replication_slots', 'max_wal_senders', 'wal_level'],
  settingsMethod: 'alter_system',
  hba: {
    mode: 'managed_block',
    block: 'orders',
    anchor: 'first_non_local_rule',
    rules: [
      {
        type: 'host',
        database: ['orders'],
        user: ['dms_user'],
        address: '10.0.1.0/24',
        method: 'md5',
        comment: 'DMS',
      },
    ],
    protect: [],
  },
  roles: [],
  slots: [],
  fence: { method: 'hba_reject', roles: ['orders_app'], databases: ['orders'] },
  restartPolicy: 'require_consent',
  patroni: null,
  hash: 'sha256:0',
};

export const baseInstance = {
  ReplicationInstanceIdentifier: 'orders-ri',
  ReplicationInstanceClass: 'dms.t3.medium',
  AllocatedStorage: 50,
  EngineVersion: '3.5.4',
  MultiAZ: false,
  PubliclyAccessible: false,
  ReplicationSubnetGroupIdentifier: 'orders-dms-subnets',
  VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
  Tags: [{ Key: 'pgferry:plan', Value: 'orders' }],
};

export function endpoint(id: string, type: 'source' | 'target', settings: Record<string, unknown> = {}) {
  return {
    EndpointIdentifier: id,
    EndpointType: type,
    EngineName: 'postgres',
    SslMode: 'none',
    PostgreSQLSettings: { DatabaseName: 'orders', Port: 5432, ServerName: '10.0.2.15', ...settings },
  };
}

export function task(id: string, overrides: Record<string, unknown> = {}) {
  return {
    ReplicationTaskIdentifier: id,
    MigrationType: 'full-load',
    ReplicationInstanceArn: '@ref(dms.instance.orders-ri.create#arn)',
    SourceEndpointArn: '@ref(dms.endpoint.orders-src.create#arn)',
    TargetEndpointArn: '@ref(dms.endpoint.orders-tgt.create#arn)',
    TableMappings: JSON.stringify({
      rules: [
        {
          'rule-type': 'selection',
          'rule-id': '1',
          'rule-name': '1',
          'object-locator': { 'schema-name': 'public', 'table-name': '%' },
          'rule-action': 'include',
        },
      ],
    }),
    ReplicationTaskSettings: JSON.stringify({ FullLoadSettings: { MaxFullLoadSubTasks: 8 } }),
    ...overrides,
  };
}

export interface SideSpec {
  readonly plan?: Plan;
  readonly graph?: ExecutionGraph;
  /** Path → JSON value (serialised) or text. */
  readonly artifacts?: Readonly<Record<string, unknown>>;
  readonly diagnostics?: readonly Diagnostic[];
}

export const baseArtifacts: Readonly<Record<string, unknown>> = {
  'source/bundle.json': baseBundle,
  'dms/replication-instance.json': baseInstance,
  'dms/endpoints/orders-src.json': endpoint('orders-src', 'source'),
  'dms/endpoints/orders-tgt.json': endpoint('orders-tgt', 'target'),
  'dms/tasks/orders-full-load.json': task('orders-full-load'),
  'target/orders/prepare.sql': 'SET session_replication_role = replica;\n',
};

export function side(name: SideName, spec: SideSpec = {}): CompiledSide {
  const artifacts: Artifact[] = Object.entries(spec.artifacts ?? baseArtifacts).map(([path, value]) => ({
    path,
    content: typeof value === 'string' ? value : canonicalJson(value),
  }));
  return {
    side: name,
    displayName: name === 'old' ? 'plan.yaml@main' : 'plan.yaml',
    plan: spec.plan ?? basePlan,
    graph: spec.graph ?? graphOf([node('source.preflight')]),
    artifacts,
    diagnostics: spec.diagnostics ?? [],
  };
}

/** The base artifacts with some replaced (undefined removes one). */
export function artifactsWith(changes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...baseArtifacts, ...changes };
  for (const [path, value] of Object.entries(changes)) if (value === undefined) delete out[path];
  return out;
}
