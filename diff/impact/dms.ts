// What a change does to DMS resources, read from the compiled create requests (dms/*.json): created,
// deleted, updated in place (Modify…), or replaced (delete + create) when a member the Modify API does
// not accept changes. Tasks must be stopped to be modified; an endpoint change pauses its tasks.

import type { Artifact } from '../../compiler/artifact.js';
import { compareEngineVersions } from '../../compiler/knowledge/engine-versions.js';
import { nodeId } from '../../compiler/model/node-ids.js';
import { computeMemberChange, type DmsResourceKind, memberChange } from '../../contracts/dms-mutability.js';
import { artifactPath } from '../../contracts/node-inputs.js';
import { REF_PLACEHOLDER } from '../../contracts/secret-ref.js';
import { parseArtifactJson } from '../normalise.js';
import { type Consequence, sameJson, show } from './consequence.js';
import { leafChanges } from './leaves.js';
import { schemaAltering, tableMappingChanges } from './table-mappings.js';

type Request = Readonly<Record<string, unknown>>;

interface DmsResource {
  readonly kind: DmsResourceKind;
  /** The identifier from the artifact path (tasks, endpoints) or the request (instance). */
  readonly id: string;
  readonly path: string;
  readonly request: Request;
}

/** Per resource kind: the request member that names it, and how the summary speaks of it. */
const KIND: Record<DmsResourceKind, { identifier: string; label: string; replaced: string; deleted: string }> = {
  'replication-instance': {
    identifier: 'ReplicationInstanceIdentifier',
    label: 'replication instance',
    replaced: 'every task on it is re-created and loads again',
    deleted: ': every task on it stops',
  },
  endpoint: {
    identifier: 'EndpointIdentifier',
    label: 'endpoint',
    replaced: 'tasks using it are re-created',
    deleted: '',
  },
  task: {
    identifier: 'ReplicationTaskIdentifier',
    label: 'task',
    replaced: 'the new task loads its tables again',
    deleted: ': its replication stops',
  },
  'replication-config': {
    identifier: 'ReplicationConfigIdentifier',
    label: 'Serverless replication',
    replaced: 'the new replication loads its tables again',
    deleted: ': its replication stops',
  },
};

/** Resources that replicate (a task on an instance, a DMS Serverless replication config) and use endpoints. */
const replicates = (resource: DmsResource) => resource.kind === 'task' || resource.kind === 'replication-config';

function isObject(value: unknown): value is Request {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The create request an artifact holds (compiler/emit/dms-requests.ts writes them unwrapped). */
function requestOf(json: unknown, kind: DmsResourceKind): Request | null {
  return isObject(json) && KIND[kind].identifier in json ? json : null;
}

function resourceKind(path: string): { kind: DmsResourceKind; id: string | null } | null {
  if (path === artifactPath.replicationInstance) return { kind: 'replication-instance', id: null };
  const endpoint = /^dms\/endpoints\/([^/]+)\.json$/.exec(path);
  if (endpoint) return { kind: 'endpoint', id: endpoint[1]! };
  const task = /^dms\/tasks\/([^/.]+)\.json$/.exec(path);
  if (task) return { kind: 'task', id: task[1]! };
  const replication = /^dms\/replications\/([^/.]+)\.json$/.exec(path);
  if (replication) return { kind: 'replication-config', id: replication[1]! };
  return null;
}

function collectResources(artifacts: readonly Artifact[]): Map<string, DmsResource> {
  const out = new Map<string, DmsResource>();
  for (const artifact of artifacts) {
    const found = resourceKind(artifact.path);
    if (found === null) continue;
    const request = requestOf(parseArtifactJson(artifact.content), found.kind);
    if (request === null) continue;
    const id = found.id ?? String(request[KIND[found.kind].identifier] ?? 'replication-instance');
    out.set(artifact.path, { kind: found.kind, id, path: artifact.path, request });
  }
  return out;
}

function label(resource: DmsResource): string {
  return `${KIND[resource.kind].label} '${resource.id}'`;
}

/** Whether the engine version moves down: DMS only upgrades, so a downgrade needs a new instance. */
function isDowngrade(before: unknown, after: unknown): boolean {
  if (typeof before !== 'string' || typeof after !== 'string') return false;
  return compareEngineVersions(after, before) < 0;
}

function majorMinor(version: unknown): string {
  return typeof version === 'string' ? version.split('.').slice(0, 2).join('.') : '';
}

function memberDetails(member: string, before: unknown, after: unknown): string[] {
  if (member === 'TableMappings') return tableMappingChanges(before, after);
  if (isObject(before) || isObject(after)) return leafChanges(before, after, member);
  return [`${member}: ${show(before)} → ${show(after)}`];
}

/** Tasks whose source or target endpoint is the given endpoint: their ARN placeholders name its create node. */
function tasksUsingEndpoint(endpointId: string, tasks: readonly DmsResource[]): string[] {
  const creator = nodeId.dmsEndpointCreate(endpointId);
  const users = tasks.filter((task) =>
    ['SourceEndpointArn', 'TargetEndpointArn'].some((member) => {
      const ref = task.request[member];
      return typeof ref === 'string' && REF_PLACEHOLDER.exec(ref)?.[1] === creator;
    }),
  );
  return users.map((task) => task.id).sort();
}

interface Pair {
  readonly before: DmsResource;
  readonly after: DmsResource;
  readonly newTasks: readonly DmsResource[];
}

function changedResource({ before, after, newTasks }: Pair): Consequence[] {
  const members = [...new Set([...Object.keys(before.request), ...Object.keys(after.request)])]
    .sort()
    .filter((m) => !sameJson(before.request[m], after.request[m]));
  if (members.length === 0) return [];
  const details = members.flatMap((m) => memberDetails(m, before.request[m], after.request[m]));
  const forcing = [
    ...members.filter((m) => memberChange(before.kind, m) === 'replace'),
    ...computeMembers(before, after)
      .filter((m) => computeMemberChange(m) === 'replace')
      .map((m) => `ComputeConfig.${m}`),
  ];
  // DMS could rename in place, but the executor adopts resources by identifier: a new one is created.
  if (members.includes(KIND[before.kind].identifier)) forcing.push(`${KIND[before.kind].identifier} (a new name)`);
  if (
    before.kind === 'replication-instance' &&
    isDowngrade(before.request.EngineVersion, after.request.EngineVersion)
  ) {
    forcing.push('EngineVersion (downgrade)');
  }
  const subject = after.path.replace(/\.json$/, '');
  if (forcing.length > 0) {
    const users =
      before.kind === 'endpoint'
        ? tasksUsingEndpoint(after.id, newTasks)
        : before.kind === 'replication-instance'
          ? newTasks.map((t) => t.id).sort()
          : [];
    return [
      {
        severity: 'high',
        kind: 'dms-replace',
        subject,
        message: `${label(after)} is REPLACED (deleted and created): ${forcing.join(', ')} cannot be modified in place; ${KIND[before.kind].replaced}${users.length > 0 ? ` (${users.join(', ')})` : ''}`,
        details,
      },
    ];
  }
  const modify = members.filter((m) => memberChange(before.kind, m) === 'modify');
  if (modify.length === 0) {
    return [{ severity: 'low', kind: 'dms-modify', subject, message: `${label(after)} tags change`, details }];
  }
  if (before.kind === 'task') return taskModified(before, after, modify, details, subject);
  if (before.kind === 'replication-config') return replicationModified(before, after, modify, details, subject);
  if (before.kind === 'endpoint') {
    const users = tasksUsingEndpoint(after.id, newTasks);
    const pause = users.length > 0 ? `; tasks using it are stopped and resumed: ${users.join(', ')}` : '';
    return [
      {
        severity: 'medium',
        kind: 'dms-stop-modify-resume',
        subject,
        message: `${label(after)} modified in place (ModifyEndpoint: ${modify.join(', ')})${pause}`,
        details,
      },
    ];
  }
  return instanceModified(before, after, modify, details, subject);
}

function taskModified(
  before: DmsResource,
  after: DmsResource,
  modify: readonly string[],
  details: string[],
  subject: string,
): Consequence[] {
  const out: Consequence[] = [];
  if (modify.includes('MigrationType')) {
    out.push({
      severity: 'high',
      kind: 'dms-stop-modify-resume',
      subject,
      message: `${label(after)} migration type ${show(before.request.MigrationType)} → ${show(after.request.MigrationType)}: stopped, modified, then ${
        after.request.MigrationType === 'cdc'
          ? 'restarted from its CDC start point (no full load: changes before it are not replicated)'
          : 'restarted with reload-target (tables load again)'
      }`,
      details: details.filter((d) => d.startsWith('MigrationType')),
    });
  }
  out.push(...transformationsChange(before, after, modify, details, subject));
  const rest = modify.filter((m) => m !== 'MigrationType');
  if (rest.length > 0) {
    out.push({
      severity: 'medium',
      kind: 'dms-stop-modify-resume',
      subject,
      message: `${label(after)} must be stopped → modified → resumed (ModifyReplicationTask: ${rest.join(', ')})`,
      details: details.filter((d) => !d.startsWith('MigrationType')),
    });
  }
  return out;
}

/**
 * DMS takes a changed transformation into account on a restart only (reference/dms.md §6.2); the
 * executor's stop → modify → resume leaves tables already loaded in their old shape.
 */
function transformationsChange(
  before: DmsResource,
  after: DmsResource,
  modify: readonly string[],
  details: string[],
  subject: string,
): Consequence[] {
  if (!modify.includes('TableMappings') || !schemaAltering(before.request.TableMappings, after.request.TableMappings))
    return [];
  const what = before.kind === 'task' ? 'task' : 'replication';
  return [
    {
      severity: 'high',
      kind: 'dms-stop-modify-resume',
      subject,
      message: `${label(after)} transformation rules change: resuming applies them to new changes only; tables already loaded keep the old shape until the ${what} is restarted with reload-target (they load again)`,
      details: details.filter((d) => d.startsWith('TableMappings: transformation')),
    },
  ];
}

/** The ComputeConfig members that differ between two Serverless replication configs. */
function computeMembers(before: DmsResource, after: DmsResource): string[] {
  if (before.kind !== 'replication-config') return [];
  const a = isObject(before.request.ComputeConfig) ? before.request.ComputeConfig : {};
  const b = isObject(after.request.ComputeConfig) ? after.request.ComputeConfig : {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((m) => !sameJson(a[m], b[m]));
}

/**
 * A Serverless replication config changes in place with ModifyReplicationConfig, which DMS accepts
 * only while the replication is not running: stopped → modified → resumed (resume-processing). Each
 * changed ComputeConfig member is named.
 */
function replicationModified(
  before: DmsResource,
  after: DmsResource,
  modify: readonly string[],
  details: string[],
  subject: string,
): Consequence[] {
  const fields = modify.flatMap((m) =>
    m === 'ComputeConfig' ? computeMembers(before, after).map((c) => `ComputeConfig.${c}`) : [m],
  );
  const out: Consequence[] = [
    {
      severity: modify.includes('ReplicationType') ? 'high' : 'medium',
      kind: 'dms-stop-modify-resume',
      subject,
      message: `${label(after)} must be stopped → modified → resumed (ModifyReplicationConfig: ${fields.join(', ')})`,
      details,
    },
  ];
  return [...out, ...transformationsChange(before, after, modify, details, subject)];
}

const INSTANCE_REBOOTS = ['ReplicationInstanceClass', 'EngineVersion', 'MultiAZ'];

function instanceModified(
  before: DmsResource,
  after: DmsResource,
  modify: readonly string[],
  details: string[],
  subject: string,
): Consequence[] {
  const reboots = modify.some((m) => INSTANCE_REBOOTS.includes(m));
  const notes: string[] = [];
  if (reboots) notes.push('the instance restarts and running tasks pause');
  if (
    modify.includes('EngineVersion') &&
    majorMinor(before.request.EngineVersion) !== majorMinor(after.request.EngineVersion)
  ) {
    notes.push('needs AllowMajorVersionUpgrade');
  }
  return [
    {
      severity: reboots ? 'medium' : 'low',
      kind: 'dms-modify',
      subject,
      message: `${label(after)} modified in place (ModifyReplicationInstance: ${modify.join(', ')})${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`,
      details,
    },
  ];
}

function created(resource: DmsResource): Consequence {
  return {
    severity: resource.kind === 'replication-instance' ? 'medium' : 'low',
    kind: 'dms-create',
    subject: resource.path.replace(/\.json$/, ''),
    message: `${label(resource)} created${resource.kind === 'task' ? ` (${show(resource.request.MigrationType)})` : resource.kind === 'replication-config' ? ` (${show(resource.request.ReplicationType)})` : ''}`,
    details: [],
  };
}

function deleted(resource: DmsResource): Consequence {
  return {
    severity: resource.kind === 'replication-instance' ? 'high' : 'medium',
    kind: 'dms-delete',
    subject: resource.path.replace(/\.json$/, ''),
    message: `${label(resource)} deleted${KIND[resource.kind].deleted}`,
    details: [],
  };
}

export function dmsImpact(oldArtifacts: readonly Artifact[], newArtifacts: readonly Artifact[]): Consequence[] {
  const before = collectResources(oldArtifacts);
  const after = collectResources(newArtifacts);
  const newTasks = [...after.values()].filter(replicates);
  const out: Consequence[] = [];
  for (const [path, resource] of before) {
    const now = after.get(path);
    out.push(
      ...(now === undefined ? [deleted(resource)] : changedResource({ before: resource, after: now, newTasks })),
    );
  }
  for (const [path, resource] of after) if (!before.has(path)) out.push(created(resource));
  return out;
}
