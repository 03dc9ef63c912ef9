// The HTTP DMS stand-in, through the real SDK clients: the model check, time passing, paging, faults
// in the service's wire shape, and what DMS does on a real source cluster (its own slot, made late,
// consumed while running, never dropped).

import {
  AccessDeniedFault,
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  ResourceNotFoundFault,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DmsStandIn, startDmsStandIn } from './dms-http.js';
import { accessDenied, throttled } from './dms-state.js';
import { type PgCluster, startCluster } from './pg-cluster.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i += 1) {
    const value = await probe();
    if (done(value)) return value;
    await sleep(25);
  }
  throw new Error(`${what}: not reached`);
}

describe('the HTTP DMS stand-in', () => {
  let source: PgCluster;
  let standIn: DmsStandIn;
  let client: DatabaseMigrationServiceClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    source = await startCluster({ major: 16, settings: { wal_level: 'logical' } });
    await source.query('CREATE DATABASE ledger');
    await source.query('CREATE TABLE t (id int PRIMARY KEY)', [], 'ledger');
    standIn = await startDmsStandIn({ source, parameters: { '/p/secret': 's3cret' } });
    Object.assign(process.env, standIn.env);
    client = new DatabaseMigrationServiceClient({ region: 'eu-west-1', endpoint: standIn.url });
  });
  afterAll(async () => {
    process.env = saved;
    client?.destroy();
    await standIn?.close();
    await source?.stop();
  });

  const instanceStatus = async (id: string) =>
    (
      await client.send(
        new DescribeReplicationInstancesCommand({ Filters: [{ Name: 'replication-instance-id', Values: [id] }] }),
      )
    ).ReplicationInstances?.[0]?.ReplicationInstanceStatus;

  let instanceArn = '';
  it('creates with DMS-shaped ARNs and moves through states as time passes', async () => {
    const created = await client.send(
      new CreateReplicationInstanceCommand({
        ReplicationInstanceIdentifier: 'RI-One',
        ReplicationInstanceClass: 'dms.t3.medium',
      }),
    );
    instanceArn = created.ReplicationInstance!.ReplicationInstanceArn!;
    expect(instanceArn).toMatch(/^arn:aws:dms:eu-west-1:123456789012:rep:[A-Z0-9]+$/);
    expect(created.ReplicationInstance?.ReplicationInstanceStatus).toBe('creating');
    // Nobody describes it meanwhile: the step is taken on the stand-in's own clock.
    await sleep(150);
    expect(await instanceStatus('ri-one')).toBe('available');
  });

  it('refuses a request that is off the model, in the service’s error shape', async () => {
    const error = await client
      .send(new StartReplicationTaskCommand({ ReplicationTaskArn: 'arn:x' } as never))
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ValidationException');
    expect((error as Error).message).toContain('$.StartReplicationTaskType: required member');
    const raw = await fetch(standIn.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonDMSv20160101.DescribeEndpoints',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-1/dms/aws4_request',
      },
      body: JSON.stringify({ MaxRecords: '20', Colour: 'blue' }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(standIn.rejected.at(-1)?.problems).toEqual([
      '$.MaxRecords: expected a number',
      '$.Colour: unknown member of DescribeEndpointsMessage',
    ]);
    const unsigned = await fetch(standIn.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonDMSv20160101.DescribeEndpoints' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
  });

  it('pages Describe* with MaxRecords and Marker, and refuses a MaxRecords DMS refuses', async () => {
    for (let i = 0; i < 23; i += 1) {
      await client.send(
        new CreateEndpointCommand({ EndpointIdentifier: `page-${i}`, EndpointType: 'target', EngineName: 'postgres' }),
      );
    }
    const first = await client.send(new DescribeEndpointsCommand({ MaxRecords: 20 }));
    expect(first.Endpoints).toHaveLength(20);
    expect(first.Marker).toBeTypeOf('string');
    const second = await client.send(new DescribeEndpointsCommand({ MaxRecords: 20, Marker: first.Marker }));
    expect(second.Endpoints).toHaveLength(3);
    expect(second.Marker).toBeUndefined();
    const ids = [...first.Endpoints!, ...second.Endpoints!].map((item) => item.EndpointIdentifier);
    expect(new Set(ids).size).toBe(23);
    const bad = await client.send(new DescribeEndpointsCommand({ MaxRecords: 5 })).catch((e: Error) => e);
    expect((bad as Error).name).toBe('InvalidParameterValueException');
  });

  it('answers injected faults as DMS does: AccessDenied is raised, throttling is retried by the SDK', async () => {
    standIn.state.failNext('DescribeEndpoints', accessDenied());
    const denied = await client.send(new DescribeEndpointsCommand({})).catch((e: Error) => e);
    expect(denied).toBeInstanceOf(AccessDeniedFault);
    standIn.state.failNext('DescribeEndpoints', throttled(), 2);
    const answer = await client.send(new DescribeEndpointsCommand({ MaxRecords: 20 }));
    expect(answer.$metadata.attempts).toBe(3);
    const missing = await client
      .send(new DescribeEndpointsCommand({ Filters: [{ Name: 'endpoint-id', Values: ['nope'] }] }))
      .catch((e: Error) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundFault);
  });

  it('serves SSM GetParameter on the same endpoint', async () => {
    const ssm = new SSMClient({ region: 'eu-west-1', endpoint: standIn.url });
    const answer = await ssm.send(new GetParameterCommand({ Name: '/p/secret', WithDecryption: true }));
    expect(answer.Parameter?.Value).toBe('s3cret');
    const missing = await ssm.send(new GetParameterCommand({ Name: '/p/none' })).catch((e: Error) => e);
    expect((missing as Error).name).toBe('ParameterNotFound');
    ssm.destroy();
  });

  it('a full-load-and-cdc task makes its own slot after it runs, consumes it, fails without it, drops nothing', async () => {
    const src = await client.send(
      new CreateEndpointCommand({
        EndpointIdentifier: 'src',
        EndpointType: 'source',
        EngineName: 'postgres',
        PostgreSQLSettings: { DatabaseName: 'ledger' },
      }),
    );
    const tgt = await client.send(
      new CreateEndpointCommand({ EndpointIdentifier: 'tgt', EndpointType: 'target', EngineName: 'postgres' }),
    );
    const task = await client.send(
      new CreateReplicationTaskCommand({
        ReplicationTaskIdentifier: 'ledger-main',
        SourceEndpointArn: src.Endpoint!.EndpointArn!,
        TargetEndpointArn: tgt.Endpoint!.EndpointArn!,
        ReplicationInstanceArn: instanceArn,
        MigrationType: 'full-load-and-cdc',
        TableMappings: '{"rules":[]}',
      }),
    );
    const arn = task.ReplicationTask!.ReplicationTaskArn!;
    const status = async () =>
      (
        await client.send(
          new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }),
        )
      ).ReplicationTasks![0]!;
    await until('ready', status, (t) => t.Status === 'ready');
    await client.send(
      new StartReplicationTaskCommand({ ReplicationTaskArn: arn, StartReplicationTaskType: 'start-replication' }),
    );
    const slots = async () =>
      (
        await source.query(
          'SELECT slot_name, database, plugin, confirmed_flush_lsn::text AS lsn FROM pg_replication_slots',
        )
      ).rows;
    expect(await slots()).toEqual([]);
    await until('running', status, (t) => t.Status === 'running');
    const made = await until('a slot', slots, (rows) => rows.length === 1);
    expect(made[0]).toMatchObject({ database: 'ledger', plugin: 'test_decoding' });
    expect(String(made[0]!.slot_name)).toMatch(/^[a-z0-9]{13}_[0-9]{8}_[a-z0-9]{8}(_[a-z0-9]{4}){3}_[a-z0-9]{13}$/);
    await standIn.settle();
    expect(standIn.sourceSide?.made).toEqual([
      { task: 'ledger-main', slotName: made[0]!.slot_name, database: 'ledger' },
    ]);

    const before = String(made[0]!.lsn);
    await source.query('INSERT INTO t SELECT generate_series(1, 100)', [], 'ledger');
    await until('consumed', slots, (rows) => rows[0]!.lsn !== before);

    await client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn }));
    await until('stopped', status, (t) => t.Status === 'stopped');
    expect(await slots()).toHaveLength(1);

    await client.send(
      new StartReplicationTaskCommand({ ReplicationTaskArn: arn, StartReplicationTaskType: 'resume-processing' }),
    );
    await until('running again', status, (t) => t.Status === 'running');
    // The stand-in advances the slot in the background, which holds it active for a moment: drop it
    // as an operator would, retrying while it is busy.
    await until(
      'slot dropped',
      () =>
        source.query('SELECT pg_drop_replication_slot($1)', [made[0]!.slot_name]).then(
          () => true,
          (error: Error) => {
            if (/is active for PID/.test(error.message)) return false;
            throw error;
          },
        ),
      (dropped) => dropped,
    );
    const failed = await until('failed', status, (t) => t.Status === 'failed');
    expect(failed.LastFailureMessage).toContain(`replication slot "${made[0]!.slot_name}" does not exist`);
    expect(
      standIn.rejected.filter(
        (item) => item.operation !== 'DescribeEndpoints' && item.operation !== 'StartReplicationTask',
      ),
    ).toEqual([]);
  });
});
