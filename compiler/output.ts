// Plan + graph → every compiled file, sorted by path, with MANIFEST.json (sha256 per file and of the
// normalised plan) last in content but in path order like the rest. Pure and deterministic: the same
// plan, whatever its key order, gives the same bytes.

import { canonicalJson, sha256 } from '../contracts/canonical-json.js';
import { compareText } from '../contracts/compare.js';
import type { ExecutionGraph } from '../contracts/graph.js';
import { artifactPath } from '../contracts/node-inputs.js';
import type { Artifact } from './artifact.js';
import {
  replicationConfigRequest,
  replicationInstanceRequest,
  sourceEndpointRequest,
  tableMappings,
  targetEndpointRequest,
  taskRequest,
} from './emit/dms-requests.js';
import { buildSourceBundle } from './emit/source-bundle.js';
import { patroniSnippet, pgHbaSnippet, postgresqlConfSnippet } from './emit/source-snippets.js';
import { cutoverSql, postLoadSql, prepareSql, sequencesSql } from './emit/target-sql.js';
import { taskSettings } from './emit/task-settings.js';
import { toMermaid } from './graph/render.js';
import { isServerless } from './knowledge/dms-compute.js';
import type { ServerCapacity } from './knowledge/server-capacity.js';
import { sourceEndpointId, targetDatabase, targetEndpointId } from './model/names.js';
import type { Plan } from './model/plan.js';

export const MANIFEST_PATH = 'MANIFEST.json';

function sourceArtifacts(plan: Plan, capacity: ServerCapacity | null): Artifact[] {
  const bundle = buildSourceBundle(plan, capacity);
  const out: Artifact[] = [
    { path: artifactPath.bundle, content: canonicalJson(bundle) },
    { path: artifactPath.hbaSnippet, content: pgHbaSnippet(plan, bundle) },
    { path: artifactPath.confSnippet, content: postgresqlConfSnippet(plan, bundle) },
  ];
  const patroni = patroniSnippet(plan, bundle);
  if (patroni !== null) out.push({ path: artifactPath.patroniSnippet, content: patroni });
  return out;
}

function targetArtifacts(plan: Plan): Artifact[] {
  return plan.source.databases.flatMap((sourceDb) => {
    const db = targetDatabase(plan, sourceDb);
    return [
      { path: artifactPath.targetPrepare(db), content: prepareSql(plan, sourceDb, db) },
      { path: artifactPath.targetPostLoad(db), content: postLoadSql(plan, db) },
      { path: artifactPath.targetSequences(db), content: sequencesSql(plan, sourceDb, db) },
      { path: artifactPath.targetCutover(db), content: cutoverSql(plan, sourceDb, db) },
    ];
  });
}

/**
 * The task requests the graph's DmsTaskCreate nodes carry, by artifact path. Each embeds the task's
 * table mappings serialized: with thousands of listed tables, building and serializing them again for
 * the artifact was a noticeable part of the compile, and the artifact must equal the request anyway.
 */
function taskRequestsOf(graph: ExecutionGraph): Map<string, unknown> {
  const requests = new Map<string, unknown>();
  for (const node of graph.nodes) {
    if (node.kind !== 'DmsTaskCreate' && node.kind !== 'DmsReplicationConfigCreate') continue;
    const { artifact, request } = node.input;
    if (typeof artifact === 'string') requests.set(artifact, request);
  }
  return requests;
}

function dmsArtifacts(plan: Plan, graph: ExecutionGraph): Artifact[] {
  const serverless = isServerless(plan);
  const out: Artifact[] = serverless
    ? []
    : [{ path: artifactPath.replicationInstance, content: canonicalJson(replicationInstanceRequest(plan)) }];
  for (const db of plan.source.databases) {
    out.push({
      path: artifactPath.endpoint(sourceEndpointId(plan, db)),
      content: canonicalJson(sourceEndpointRequest(plan, db)),
    });
    out.push({
      path: artifactPath.endpoint(targetEndpointId(plan, db)),
      content: canonicalJson(targetEndpointRequest(plan, db)),
    });
  }
  const requests = taskRequestsOf(graph);
  for (const task of plan.dms.tasks) {
    if (serverless) {
      // One replication config per task: the request, and its two JSON documents for review.
      const path = artifactPath.replicationConfig(task.id);
      out.push({ path, content: canonicalJson(requests.get(path) ?? replicationConfigRequest(plan, task)) });
      out.push({ path: artifactPath.replicationTableMappings(task.id), content: canonicalJson(tableMappings(task)) });
      out.push({ path: artifactPath.replicationSettings(task.id), content: canonicalJson(taskSettings(plan, task)) });
      continue;
    }
    const path = artifactPath.task(task.id);
    out.push({ path, content: canonicalJson(requests.get(path) ?? taskRequest(plan, task)) });
    out.push({ path: artifactPath.tableMappings(task.id), content: canonicalJson(tableMappings(task)) });
    out.push({ path: artifactPath.taskSettings(task.id), content: canonicalJson(taskSettings(plan, task)) });
  }
  return out;
}

function byPath(a: Artifact, b: Artifact): number {
  return compareText(a.path, b.path);
}

/** `planHash` is the graph's: buildGraph hashed the same plan already (hashJson(plan)). */
export function manifest(plan: Plan, planHash: string, artifacts: readonly Artifact[]): Artifact {
  const files: Record<string, string> = {};
  for (const artifact of [...artifacts].sort(byPath)) files[artifact.path] = sha256(artifact.content);
  return { path: MANIFEST_PATH, content: canonicalJson({ plan: plan.name, planHash, files }) };
}

/** `capacity` (from a catalog) must be the one the graph was built with: the bundle's hash is in the graph. */
export function emitArtifacts(plan: Plan, graph: ExecutionGraph, capacity: ServerCapacity | null = null): Artifact[] {
  const artifacts: Artifact[] = [
    { path: 'graph.json', content: canonicalJson(graph) },
    { path: 'graph.mmd', content: toMermaid(graph) },
    { path: 'plan.resolved.json', content: canonicalJson(plan) },
    ...sourceArtifacts(plan, capacity),
    ...targetArtifacts(plan),
    // The logical engine creates no DMS resource: DMS requests would only mislead a reviewer.
    ...(plan.engine === 'dms' ? dmsArtifacts(plan, graph) : []),
  ];
  artifacts.push(manifest(plan, graph.planHash, artifacts));
  return artifacts.sort(byPath);
}
