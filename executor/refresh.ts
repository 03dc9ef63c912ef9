// Refresh before trusting the journal, as Terraform refreshes its state: every DMS resource the journal
// says exists is described again and compared with what AWS reports (does it exist, its status, the
// fields the plan sets). What differs is drift, with the action it implies:
//   recreate  the resource is gone (deleted outside pgferry), or a field DMS cannot modify differs
//   modify    a field the plan sets differs and DMS changes it in place (apply does, as for a plan change)
//   restart   the plan has a task running but DMS has it failed or stopped (apply restarts it)
//   adopt     AWS has a resource whose creation the journal has failed or unfinished (apply adopts it)
// A plan that never ran asks AWS nothing here.
// `refreshDms` only reads; `applyRefresh` turns the drift into journal states so apply acts on it:
// nothing is "already done" that AWS says is gone.

import type {
  Endpoint,
  Replication,
  ReplicationInstance,
  ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import { canonicalJson } from '../contracts/canonical-json.js';
import type { ExecutionGraph, GraphNode, NodeKind } from '../contracts/graph.js';
import { isModifiableField } from './dms/modifiable.js';
import { DmsOps } from './dms/ops.js';
import { optionalRecord, optionalString } from './inputs.js';
import type { Journal, NodeRecord } from './journal.js';
import type { Session } from './session.js';

export type DriftAction = 'recreate' | 'modify' | 'restart' | 'adopt';

export interface DriftItem {
  /** The node that owns the resource (its create node; the start node for a task's run state). */
  readonly node: string;
  /** `replication task orders-cdc`. */
  readonly resource: string;
  /** What AWS reports that differs from the journal or the plan. */
  readonly found: string;
  readonly action: DriftAction;
  /** What apply does about it, or what the operator must do. */
  readonly remedy: string;
  /** action modify: the request fields to modify in place. */
  readonly fields?: readonly string[];
}

export interface Refresh {
  readonly drift: readonly DriftItem[];
  /** Resources that could not be described (AccessDenied, no network): refresh could not say. */
  readonly unknown: readonly string[];
}

type Json = Record<string, unknown>;

/** Fields the plan sets that Describe* reports back, per resource kind. */
const COMPARED: Partial<Record<NodeKind, readonly string[]>> = {
  DmsReplicationInstanceCreate: [
    'ReplicationInstanceClass',
    'AllocatedStorage',
    'EngineVersion',
    'MultiAZ',
    'PubliclyAccessible',
    'KmsKeyId',
  ],
  DmsEndpointCreate: [
    'EndpointType',
    'EngineName',
    'ServerName',
    'Port',
    'DatabaseName',
    'Username',
    'SslMode',
    'CertificateArn',
  ],
  DmsTaskCreate: ['MigrationType', 'ReplicationInstanceArn', 'SourceEndpointArn', 'TargetEndpointArn', 'TableMappings'],
};

/** A DMS resource as described: an instance, an endpoint, a task or a Serverless replication. */
type Live = ReplicationInstance | Endpoint | ReplicationTask | Replication;

const RESOURCE: Partial<Record<NodeKind, string>> = {
  DmsReplicationInstanceCreate: 'replication instance',
  DmsEndpointCreate: 'endpoint',
  DmsTaskCreate: 'replication task',
  DmsReplicationConfigCreate: 'Serverless replication config',
};

const IDENTIFIER: Partial<Record<NodeKind, string>> = {
  DmsReplicationInstanceCreate: 'ReplicationInstanceIdentifier',
  DmsEndpointCreate: 'EndpointIdentifier',
  DmsTaskCreate: 'ReplicationTaskIdentifier',
  DmsReplicationConfigCreate: 'ReplicationConfigIdentifier',
};

/** Instance states that do not pass by themselves. */
const BROKEN_INSTANCE = new Set([
  'failed',
  'incompatible-network',
  'inaccessible-encryption-credentials',
  'storage-full',
]);

function statusOf(kind: NodeKind, live: Live): string {
  if (kind === 'DmsReplicationInstanceCreate') return (live as ReplicationInstance).ReplicationInstanceStatus ?? '?';
  return (live as Endpoint | ReplicationTask | Replication).Status ?? '?';
}

/** A create node's request as compiled (placeholders unresolved): inline, or its artifact. */
export function compiledRequest(node: GraphNode, artifacts: ReadonlyMap<string, string>): Json {
  const inline = optionalRecord(node.input, 'request');
  if (inline) return inline;
  const path = optionalString(node.input, 'artifact');
  const text = path === undefined ? undefined : artifacts.get(path);
  return text === undefined ? {} : (JSON.parse(text) as Json);
}

const ran = (record: NodeRecord | undefined) => record?.state === 'succeeded';

/** A request value as AWS would report it: `@ref` resolved from the journal; undefined when unknowable. */
function planValue(value: unknown, journal: Journal): unknown {
  if (typeof value !== 'string') return value;
  if (value.includes('@secret(')) return undefined;
  const ref = /^@ref\(([^#)]+)#([^)]+)\)$/.exec(value);
  if (ref) return journal.nodes[ref[1]!]?.outputs[ref[2]!] ?? undefined;
  return value.includes('@ref(') ? undefined : value;
}

function same(field: string, plan: unknown, live: unknown): boolean {
  if (field === 'TableMappings') {
    try {
      const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
      return canonicalJson(parse(plan)) === canonicalJson(parse(live));
    } catch {
      return plan === live;
    }
  }
  // DMS answers SOURCE/TARGET for the lower-case values the request takes.
  if (typeof plan === 'string' && typeof live === 'string') return plan.toLowerCase() === live.toLowerCase();
  return plan === live;
}

const show = (value: unknown) =>
  typeof value === 'string' && value.length > 60 ? `${value.slice(0, 57)}…` : String(value);

/** The task nodes of the plan for a task identifier: its start and stop nodes. */
function taskRunNodes(graph: ExecutionGraph, id: string) {
  const of = (kind: NodeKind) => graph.nodes.filter((item) => item.kind === kind && item.input.task === id);
  return { starts: of('DmsTaskStart'), stops: of('DmsTaskStop') };
}

function statusDrift(
  node: GraphNode,
  what: string,
  live: ReplicationInstance | Endpoint | ReplicationTask,
  session: Session,
): DriftItem | null {
  if (node.kind === 'DmsReplicationInstanceCreate') {
    const status = (live as ReplicationInstance).ReplicationInstanceStatus ?? '';
    return BROKEN_INSTANCE.has(status)
      ? {
          node: node.id,
          resource: what,
          found: `status ${status}`,
          action: 'recreate',
          remedy: `DMS cannot use it: delete it (aws dms delete-replication-instance --replication-instance-arn ${(live as ReplicationInstance).ReplicationInstanceArn}), then apply creates it again`,
        }
      : null;
  }
  if (node.kind !== 'DmsTaskCreate') return null;
  const task = live as ReplicationTask;
  const id = task.ReplicationTaskIdentifier ?? '';
  const { starts, stops } = taskRunNodes(session.compiled.graph, id);
  // A start that failed was still sent: the task can have failed before DMS made its slot (the start
  // node waits for it), and that failed task is drift all the same.
  const start = starts.find((item) => {
    const record = session.journal.nodes[item.id];
    return ran(record) || record?.state === 'failed';
  });
  const stopped = stops.some((item) => ran(session.journal.nodes[item.id]));
  if (!start || stopped) return null;
  const finished =
    task.Status === 'stopped' && /FULL_LOAD_ONLY_FINISHED|STOPPED_AFTER_FULL_LOAD/.test(task.StopReason ?? '');
  if (task.Status === 'failed')
    return {
      node: start.id,
      resource: what,
      found: `status failed${task.StopReason ? ` (${task.StopReason})` : ''}: ${task.LastFailureMessage ?? 'no message'}`,
      action: 'restart',
      remedy: 'apply restarts it (resume-processing, or reload-target where DMS cannot resume and the plan allows it)',
    };
  if (task.Status === 'stopped' && !finished)
    return {
      node: start.id,
      resource: what,
      found: `status stopped${task.StopReason ? ` (${task.StopReason})` : ''} while the plan has it running`,
      action: 'restart',
      remedy: 'apply resumes it (resume-processing)',
    };
  return null;
}

function fieldDrift(node: GraphNode, what: string, live: Json, journal: Journal, request: Json): DriftItem | null {
  const differ: string[] = [];
  const found: string[] = [];
  for (const field of COMPARED[node.kind] ?? []) {
    const plan = planValue(request[field], journal);
    const actual = live[field];
    if (plan === undefined || actual === undefined || same(field, plan, actual)) continue;
    differ.push(field);
    found.push(`${field} ${show(actual)} (plan: ${show(plan)})`);
  }
  if (differ.length === 0) return null;
  const fixed = differ.filter((field) => !isModifiableField(node.kind, field));
  return fixed.length > 0
    ? {
        node: node.id,
        resource: what,
        found: found.join(', '),
        action: 'recreate',
        remedy: `${fixed.join(', ')} cannot be modified in place: delete the ${what.split(' ').slice(0, -1).join(' ')}, then apply creates it as planned`,
      }
    : {
        node: node.id,
        resource: what,
        found: found.join(', '),
        action: 'modify',
        remedy: `apply modifies it in place (${differ.join(', ')})`,
        fields: differ,
      };
}

/** Describes every DMS resource of the plan and compares it with the journal and the plan. Read-only. */
export async function refreshDms(session: Session): Promise<Refresh> {
  const drift: DriftItem[] = [];
  const unknown: string[] = [];
  if (session.compiled.graph.engine !== 'dms') return { drift, unknown };
  const dms = new DmsOps({ client: session.dms, sleep: session.sleep, pollMs: 0, maxPolls: 1 });
  const journal = session.journal;
  for (const node of session.compiled.graph.nodes) {
    const kind = RESOURCE[node.kind];
    if (kind === undefined) continue;
    const record = journal.nodes[node.id];
    // Only what the journal knows of: a plan that never ran asks AWS nothing.
    if ((record?.state ?? 'pending') === 'pending') continue;
    const request = compiledRequest(node, session.compiled.artifacts);
    const identifier = String(record?.outputs.identifier ?? request[IDENTIFIER[node.kind]!] ?? '').toLowerCase();
    if (identifier === '') continue;
    const what = `${kind} ${identifier}`;
    let live: Live | null;
    try {
      live =
        node.kind === 'DmsReplicationInstanceCreate'
          ? await dms.instance(identifier)
          : node.kind === 'DmsEndpointCreate'
            ? await dms.endpoint(identifier)
            : node.kind === 'DmsReplicationConfigCreate'
              ? await dms.replication(identifier)
              : await dms.task(identifier);
    } catch (error) {
      unknown.push(`${what}: ${session.redactor.messageOf(error)}`);
      continue;
    }
    if (live === null) {
      if (ran(record))
        drift.push({
          node: node.id,
          resource: what,
          found: 'gone: the journal has it created, AWS does not have it (deleted outside pgferry?)',
          action: 'recreate',
          remedy: 'apply creates it again (and what uses it runs again)',
        });
      continue;
    }
    if (!ran(record)) {
      drift.push({
        node: node.id,
        resource: what,
        found: `exists (${statusOf(node.kind, live)}), but the journal has its creation ${record?.state ?? 'pending'}`,
        action: 'adopt',
        remedy: 'apply adopts it (when its pgferry:plan tag is this plan or absent)',
      });
      continue;
    }
    const fields = fieldDrift(node, what, live as Json, journal, request);
    if (fields) drift.push(fields);
    const status = statusDrift(node, what, live, session);
    if (status) drift.push(status);
  }
  return { drift, unknown };
}

/** Nodes that use what `id` created and must run again with it: DMS nodes and the full-load wait. */
function dmsDescendants(graph: ExecutionGraph, id: string): string[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const out: string[] = [];
  const seen = new Set([id]);
  const queue = [id];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const edge of graph.edges) {
      if (edge.from !== from || seen.has(edge.to)) continue;
      seen.add(edge.to);
      const next = byId.get(edge.to);
      if (!next || (next.phase !== 'prepare' && next.phase !== 'load')) continue;
      if (next.executor === 'dms' || next.kind === 'DmsFullLoadWait') {
        out.push(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return out;
}

/**
 * Turns drift into journal states for apply: a resource that is gone is created again (its create
 * node and the DMS nodes after it run again; a task start keeps its outputs, so the start knows the
 * target already holds data from an earlier load); a modifiable field difference is modified in place;
 * a failed or stopped task the plan runs is restarted by its start node. Returns the nodes it reset.
 */
export function applyRefresh(journal: Journal, graph: ExecutionGraph, drift: readonly DriftItem[]): string[] {
  const reset = new Set<string>();
  const pending = (id: string, keepOutputs: boolean) => {
    const record = journal.nodes[id];
    if (!record || record.state === 'pending') return;
    record.state = 'pending';
    if (!keepOutputs) record.outputs = {};
    reset.add(id);
  };
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const item of drift) {
    if (item.action === 'recreate' && item.found.startsWith('gone')) {
      pending(item.node, false);
      for (const id of dmsDescendants(graph, item.node)) pending(id, byId.get(id)?.kind === 'DmsTaskStart');
    } else if (item.action === 'modify' && item.fields) {
      const record = journal.nodes[item.node];
      if (!record) continue;
      record.modify = [...new Set([...(record.modify ?? []), ...item.fields])].sort();
      pending(item.node, true);
    } else if (item.action === 'restart') pending(item.node, true);
  }
  return [...reset];
}

/** One line per drift item, for apply's and status's output. */
export function driftLine(item: DriftItem): string {
  return `${item.resource}: ${item.found} → ${item.action}: ${item.remedy}`;
}
