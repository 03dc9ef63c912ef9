// Every DMS Describe* call pages through Marker. Each lookup is run against a client that answers one
// item per page with the wanted item last, so a lookup that read only the first page finds nothing
// (or too little). (`status` over the stateful fake with 113 tables: dms-and-engine.test.ts.)

import {
  DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  DescribeTableStatisticsCommand,
  ResourceNotFoundFault,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DmsOps } from '../../../executor/dms/ops.js';

const client = mockClient(DatabaseMigrationServiceClient);
afterEach(() => client.reset());

/** Answers `items` one per page; records the Markers it was asked for. */
function paged<T>(key: string, items: readonly T[], markers: (string | undefined)[]) {
  return (input: { Marker?: string }) => {
    markers.push(input.Marker);
    const index = input.Marker === undefined ? 0 : Number(input.Marker.slice(1));
    const next = index + 1;
    return { [key]: items.slice(index, next), ...(next < items.length ? { Marker: `m${next}` } : {}) };
  };
}

const ops = () =>
  new DmsOps({
    client: new DatabaseMigrationServiceClient({ region: 'eu-west-1' }),
    sleep: async () => undefined,
    pollMs: 0,
    maxPolls: 1,
  });

const instance = (id: string) => ({ ReplicationInstanceIdentifier: id, ReplicationInstanceArn: `arn:ri:${id}` });
const endpoint = (id: string) => ({ EndpointIdentifier: id, EndpointArn: `arn:ep:${id}` });
const task = (id: string) => ({ ReplicationTaskIdentifier: id, ReplicationTaskArn: `arn:task:${id}` });

const CASES = [
  {
    name: 'DescribeReplicationInstances (instance by identifier)',
    wire: (markers: (string | undefined)[]) =>
      client
        .on(DescribeReplicationInstancesCommand)
        .callsFake(paged('ReplicationInstances', [instance('other-a'), instance('other-b'), instance('ri')], markers)),
    read: async () => (await ops().instance('ri'))?.ReplicationInstanceArn,
    want: 'arn:ri:ri',
  },
  {
    name: 'DescribeEndpoints (endpoint by identifier)',
    wire: (markers: (string | undefined)[]) =>
      client
        .on(DescribeEndpointsCommand)
        .callsFake(paged('Endpoints', [endpoint('x'), endpoint('y'), endpoint('src')], markers)),
    read: async () => (await ops().endpoint('src'))?.EndpointArn,
    want: 'arn:ep:src',
  },
  {
    name: 'DescribeReplicationTasks (task by identifier)',
    wire: (markers: (string | undefined)[]) =>
      client
        .on(DescribeReplicationTasksCommand)
        .callsFake(paged('ReplicationTasks', [task('a'), task('b'), task('orders-cdc')], markers)),
    read: async () => (await ops().task('orders-cdc'))?.ReplicationTaskArn,
    want: 'arn:task:orders-cdc',
  },
  {
    name: 'DescribeReplicationTasks (tasks using an endpoint)',
    wire: (markers: (string | undefined)[]) =>
      client
        .on(DescribeReplicationTasksCommand)
        .callsFake(paged('ReplicationTasks', [task('c'), task('a'), task('b')], markers)),
    read: async () => (await ops().tasksUsing('arn:ep:src')).map((item) => item.ReplicationTaskIdentifier).join(','),
    want: 'a,b,c',
  },
  {
    name: 'DescribeReplicationTasks (tasks on an instance)',
    wire: (markers: (string | undefined)[]) =>
      client.on(DescribeReplicationTasksCommand).callsFake(paged('ReplicationTasks', [task('b'), task('a')], markers)),
    read: async () => (await ops().tasksOn('arn:ri:ri')).map((item) => item.ReplicationTaskIdentifier).join(','),
    want: 'a,b',
  },
  {
    name: 'DescribeConnections (one instance and endpoint pair)',
    wire: (markers: (string | undefined)[]) =>
      client.on(DescribeConnectionsCommand).callsFake(
        paged(
          'Connections',
          [
            { EndpointArn: 'arn:ep:src', ReplicationInstanceArn: 'arn:ri:old', Status: 'failed' },
            { EndpointArn: 'arn:ep:src', ReplicationInstanceArn: 'arn:ri:ri', Status: 'successful' },
          ],
          markers,
        ),
      ),
    read: async () => (await ops().connection('arn:ri:ri', 'arn:ep:src'))?.Status,
    want: 'successful',
  },
  {
    name: 'DescribeTableStatistics',
    wire: (markers: (string | undefined)[]) =>
      client.on(DescribeTableStatisticsCommand).callsFake(
        paged(
          'TableStatistics',
          ['a', 'b', 'c'].map((name) => ({ SchemaName: 'public', TableName: name })),
          markers,
        ),
      ),
    read: async () => (await ops().tableStatistics('arn:task:t')).map((row) => row.TableName).join(','),
    want: 'a,b,c',
  },
];

describe('Describe* calls follow Marker to the last page', () => {
  for (const item of CASES) {
    it(item.name, async () => {
      const markers: (string | undefined)[] = [];
      item.wire(markers);
      expect(await item.read()).toBe(item.want);
      // One call per page, each asking for the Marker the previous page gave.
      expect(markers.length).toBeGreaterThan(1);
      expect(markers[0]).toBeUndefined();
      expect(markers.slice(1)).toEqual(markers.slice(1).map((_, index) => `m${index + 1}`));
    });
  }

  it('a filter that matches nothing (ResourceNotFoundFault) is an empty answer, not an error', async () => {
    const fault = new ResourceNotFoundFault({ message: 'No Tasks found matching provided filters', $metadata: {} });
    client.on(DescribeReplicationTasksCommand).rejects(fault);
    expect(await ops().task('absent')).toBeNull();
    expect(await ops().tasksUsing('arn:none')).toEqual([]);
  });
});
