// Deleting DMS resources as DMS answers, through the DMS handler's delete nodes against the stateful
// fake: a delete refused for a dependent is asked again once the dependent is gone (only while it is
// being deleted), a dependent nobody deletes fails at once with its name, and a wait for a deletion
// stops at the first answer that says it is not happening.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DeleteReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../contracts/graph.js';
import { DmsOps } from '../../../executor/dms/ops.js';
import { handlers } from '../../../executor/handlers/index.js';
import { Session } from '../../../executor/session.js';
import { DmsFake } from '../../support/dms-fake.js';
import { assemble, node } from '../support/graph.js';

const MAX_POLLS = 40;
let dir: string;
let fake: DmsFake;
let dms: DmsOps;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-delete-'));
  fake = new DmsFake();
  dms = new DmsOps({
    client: new DatabaseMigrationServiceClient({ region: 'eu-west-1' }),
    sleep: async () => undefined,
    pollMs: 0,
    maxPolls: MAX_POLLS,
  });
});
afterEach(async () => {
  fake.restore();
  await rm(dir, { recursive: true, force: true });
});

/** An instance, two endpoints and a task using both, as an apply leaves them. */
async function resources(): Promise<{ taskArn: string }> {
  const ri = await dms.send<{ ReplicationInstance: { ReplicationInstanceArn: string } }>(
    new CreateReplicationInstanceCommand({
      ReplicationInstanceIdentifier: 'ri',
      ReplicationInstanceClass: 'dms.r5.large',
    }),
  );
  const endpoint = async (id: string, type: 'source' | 'target') =>
    (
      await dms.send<{ Endpoint: { EndpointArn: string } }>(
        new CreateEndpointCommand({ EndpointIdentifier: id, EndpointType: type, EngineName: 'postgres' }),
      )
    ).Endpoint.EndpointArn;
  const [src, tgt] = [await endpoint('src', 'source'), await endpoint('tgt', 'target')];
  const task = await dms.send<{ ReplicationTask: { ReplicationTaskArn: string } }>(
    new CreateReplicationTaskCommand({
      ReplicationTaskIdentifier: 't',
      MigrationType: 'full-load',
      ReplicationInstanceArn: ri.ReplicationInstance.ReplicationInstanceArn,
      SourceEndpointArn: src,
      TargetEndpointArn: tgt,
      TableMappings: '{"rules":[]}',
    }),
  );
  await dms.task('t'); // creating → ready
  return { taskArn: task.ReplicationTask.ReplicationTaskArn };
}

const deleteEndpoint = node({
  id: 'dms.endpoint.src.delete',
  kind: 'DmsEndpointDelete',
  phase: 'cleanup',
  input: { endpoint: 'src' },
});
const deleteInstance = node({
  id: 'dms.instance.ri.delete',
  kind: 'DmsReplicationInstanceDelete',
  phase: 'cleanup',
  input: { instance: 'ri' },
});

async function run(item: GraphNode) {
  const session = await Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: { graph: assemble('orders', [item]), artifacts: new Map(), plan: { name: 'orders' } },
    region: 'eu-west-1',
    sleep: async () => undefined,
    pollMs: 0,
    maxPolls: MAX_POLLS,
  });
  return handlers.dms.run(item, session.context(item));
}

describe('deleting DMS resources', () => {
  it('a task nobody deletes still uses the endpoint: fails at once, naming it, without waiting', async () => {
    await resources();
    const before = fake.calls.length;
    await expect(run(deleteEndpoint)).rejects.toThrow(
      'endpoint src: DMS refuses to delete it (Endpoint src is used by replication tasks): still used by replication task t (ready), which this run does not delete; delete it first, then run cleanup again',
    );
    // Describe, delete (refused), describe the tasks using it: no polling towards the poll budget.
    expect(fake.calls.slice(before).map((call) => call.command)).toEqual([
      'DescribeEndpoints',
      'DeleteEndpoint',
      'DescribeReplicationTasks',
    ]);
    expect(fake.endpoints.get('src')?.status).toBe('active');
  });

  it('a task being deleted: waits for it to go, then deletes the endpoint', async () => {
    const { taskArn } = await resources();
    await dms.send(new DeleteReplicationTaskCommand({ ReplicationTaskArn: taskArn }));
    // The fake removes a deleting task on its next describe; keep it deleting for a few polls.
    const task = fake.tasks.get('t')!;
    let polls = 0;
    const original = fake.tasks.delete.bind(fake.tasks);
    fake.tasks.delete = (key: string) => {
      if (key !== 't') return original(key);
      polls += 1;
      return polls >= 3 && original(key);
    };
    expect(await run(deleteEndpoint)).toMatchObject({ status: 'succeeded', outputs: { deleted: true } });
    expect(task.status).toBe('deleting');
    expect(fake.endpoints.has('src')).toBe(false);
    expect(fake.count('DeleteEndpoint')).toBe(2);
  });

  it('a deletion DMS gives up on: the wait stops at the first answer that says so, with it', async () => {
    await resources();
    fake.tasks.clear();
    fake.abandonedDeletes.set('ri', 'available');
    await expect(run(deleteInstance)).rejects.toThrow(
      'deleting replication instance ri: DMS reports it available, not deleting: the deletion is not happening',
    );
    // One describe after the delete, not the whole poll budget.
    expect(fake.count('DescribeReplicationInstances')).toBe(2);
  });

  it('deletes the instance once its tasks and endpoints are gone; a second run finds nothing', async () => {
    await resources();
    fake.tasks.clear();
    expect(await run(deleteInstance)).toMatchObject({ status: 'succeeded', outputs: { deleted: true } });
    expect(await run(deleteInstance)).toMatchObject({ status: 'succeeded', outputs: { deleted: false } });
    expect(fake.count('DeleteReplicationInstance')).toBe(1);
  });
});
