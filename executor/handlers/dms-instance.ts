// The replication instance: create or adopt by identifier (waiting until available), modify in place
// (ModifyReplicationInstance applied immediately), delete once no task is on it.

import {
  CreateReplicationInstanceCommand,
  DeleteReplicationInstanceCommand,
  ModifyReplicationInstanceCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import type { DmsOps } from '../dms/ops.js';
import { type Input, requireString } from '../inputs.js';
import type { NodeResult, RunContext } from '../types.js';

import {
  createTolerant,
  findOwned,
  type Json,
  modifiablePart,
  modifiedOutputs,
  ops,
  requestOf,
  retag,
  succeeded,
  withPlanTag,
} from './dms-common.js';
import { taskDependents } from './dms-endpoint.js';

export async function instanceCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const request = withPlanTag(await requestOf(node, input, ctx), ctx.deployment.plan);
  const { id, existing: found } = await findOwned(node, request, ctx, {
    what: 'replication instance',
    idField: 'ReplicationInstanceIdentifier',
    describe: (name) => dms.instance(name),
    arnOf: (instance) => instance.ReplicationInstanceArn,
  });
  const adopted = found !== null;
  const modify = adopted ? ctx.pendingModify(node.id) : [];
  if (!adopted) await createTolerant(dms, new CreateReplicationInstanceCommand(request as never));
  const existing = await instanceAvailable(dms, id);
  if (modify.length > 0) return modifyInstance(node, existing, request, modify, ctx);
  return succeeded({ arn: existing.ReplicationInstanceArn ?? null, identifier: id, adopted });
}

export async function instanceAvailable(dms: DmsOps, id: string) {
  const instance = await dms.waitFor(
    `replication instance ${id}`,
    () => dms.instance(id),
    (ri) => ri?.ReplicationInstanceStatus === 'available',
    (ri) =>
      ri === null
        ? 'disappeared while waiting'
        : ['failed', 'deleting', 'incompatible-network', 'storage-full'].includes(ri.ReplicationInstanceStatus ?? '')
          ? `status ${ri.ReplicationInstanceStatus}`
          : null,
  );
  return instance!;
}

/** Class, storage, engine version…: ModifyReplicationInstance applied immediately, then available again. */
export async function modifyInstance(
  node: GraphNode,
  instance: { ReplicationInstanceArn?: string; ReplicationInstanceIdentifier?: string },
  request: Json,
  fields: readonly string[],
  ctx: RunContext,
): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = instance.ReplicationInstanceIdentifier ?? '';
  const arn = instance.ReplicationInstanceArn!;
  const change = modifiablePart(node, request, fields);
  const steps: string[] = [];
  if (Object.keys(change).length > 0) {
    await dms.send(
      new ModifyReplicationInstanceCommand({
        ReplicationInstanceArn: arn,
        ApplyImmediately: true,
        // The plan names the version it wants; a major upgrade is what it asks for.
        ...(change.EngineVersion !== undefined ? { AllowMajorVersionUpgrade: true } : {}),
        ...(change as object),
      }),
    );
    await instanceAvailable(dms, id);
    steps.push(`modified (${Object.keys(change).join(', ')})`, 'available');
  }
  if (await retag(dms, arn, request, fields)) steps.push('tagged');
  ctx.log(`replication instance ${id}: ${steps.join(' → ')}`);
  return modifiedOutputs(arn, id, fields, steps, ctx);
}

export async function instanceDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = requireString(node, input, 'instance', 'ReplicationInstanceIdentifier', 'identifier');
  const deleted = await deleteResource(dms, {
    what: `replication instance ${id}`,
    read: () => dms.instance(id),
    status: (instance) => instance.ReplicationInstanceStatus ?? '?',
    remove: (instance) =>
      dms.send(new DeleteReplicationInstanceCommand({ ReplicationInstanceArn: instance.ReplicationInstanceArn! })),
    dependents: async (instance) => taskDependents(await dms.tasksOn(instance.ReplicationInstanceArn!)),
    settling: ['creating', 'modifying', 'rebooting', 'upgrading', 'maintenance'],
  });
  return succeeded({ deleted });
}
