// Shared by the DMS node handlers: the request a create node carries (inline or its artifact), the plan
// tag, outputs, and the pieces a Modify* call is built from.

import { AddTagsToResourceCommand } from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { isModifiableField } from '../dms/modifiable.js';
import { type DmsOps, dmsOpsFor, isAlreadyExists, taskObservation } from '../dms/ops.js';
import { artifactText, type Input, optionalRecord, requireString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';

export type Json = Record<string, unknown>;

export const ops = dmsOpsFor;

/** How a wait on a task's state speaks: under the plan's task timeout, with the task's status and progress. */
export const TASK_WAIT = {
  kind: 'task',
  show: taskObservation,
  check: 'pgferry status shows the task, its tables and its last failure',
} as const;

/** The API request a create node carries inline, or the artifact it names. */
export async function requestOf(node: GraphNode, input: Input, ctx: RunContext): Promise<Json> {
  const inline = optionalRecord(input, 'request');
  if (inline) return { ...inline };
  const path = requireString(node, input, 'artifact');
  return ctx.resolve(JSON.parse(artifactText(node, ctx.artifacts, path)) as Json);
}

export function withPlanTag(request: Json, plan: string): Json {
  const tags = Array.isArray(request.Tags) ? [...(request.Tags as { Key: string; Value: string }[])] : [];
  if (!tags.some((tag) => tag.Key === 'pgferry:plan')) tags.push({ Key: 'pgferry:plan', Value: plan });
  return { ...request, Tags: tags };
}

/** Identifier of the task a task node acts on. */
export function taskId(node: GraphNode, input: Input): string {
  return requireString(node, input, 'task', 'taskId', 'ReplicationTaskIdentifier', 'identifier');
}

export const succeeded = (outputs: Record<string, string | number | boolean | null>, note?: string): NodeResult =>
  note === undefined ? { status: 'succeeded', outputs } : { status: 'succeeded', outputs, note };

/** The changed request members a Modify* call takes (Tags go through AddTagsToResource). */
export function modifiablePart(node: GraphNode, request: Json, fields: readonly string[]): Json {
  const change: Json = {};
  for (const field of fields)
    if (field !== 'Tags' && isModifiableField(node.kind, field) && request[field] !== undefined)
      change[field] = request[field];
  return change;
}

export async function retag(dms: DmsOps, arn: string, request: Json, fields: readonly string[]): Promise<boolean> {
  if (!fields.includes('Tags') || !Array.isArray(request.Tags)) return false;
  await dms.send(new AddTagsToResourceCommand({ ResourceArn: arn, Tags: request.Tags as never }));
  return true;
}

/** Outputs of a resource modified in place (not "adopted": it changed), the steps as the note. */
export const modifiedOutputs = (
  arn: string | null,
  id: string,
  fields: readonly string[],
  steps: readonly string[],
  ctx: RunContext,
) =>
  succeeded(
    { arn, identifier: id, modifiedAt: ctx.now().toISOString(), modifiedFields: fields.join(',') },
    `modified in place: ${steps.join(' → ') || 'nothing DMS needed to change'}`,
  );

/** How a kind of DMS resource is found by the identifier its Create* request names. */
export interface FindableKind<R> {
  /** As messages name it: "endpoint", "replication config"… */
  readonly what: string;
  /** The request member holding the identifier (EndpointIdentifier…). */
  readonly idField: string;
  describe(id: string): Promise<R | null>;
  arnOf(resource: R): string | undefined;
}

/**
 * The resource a Create* request names, found by its identifier (lower-cased, as DMS stores it) and
 * checked to belong to this plan (its owner tag), or null when there is none yet: the first half of
 * create-or-adopt, the same for every kind.
 */
export async function findOwned<R>(
  node: GraphNode,
  request: Json,
  ctx: RunContext,
  kind: FindableKind<R>,
): Promise<{ readonly id: string; readonly existing: R | null }> {
  const id = String(request[kind.idField] ?? '').toLowerCase();
  if (id === '') throw new NodeFailure(`node ${node.id}: the request has no ${kind.idField}`);
  const existing = await kind.describe(id);
  if (existing) await ops(ctx).checkOwner(kind.arnOf(existing)!, `${kind.what} ${id}`, ctx.deployment.plan);
  return { id, existing };
}

/**
 * Sends a Create*. "Already exists" means an earlier create went through but the journal never recorded
 * it (a kill in between): that is the resource to adopt, so it counts as created and the answer is null.
 */
export async function createTolerant<A>(dms: DmsOps, command: unknown): Promise<A | null> {
  try {
    return await dms.send<A>(command);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    return null;
  }
}
