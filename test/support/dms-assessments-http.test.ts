// Premigration assessment runs on the HTTP DMS stand-in, through the real SDK client: requests and
// answers pass the API model on the wire, the run moves through its states on the stand-in's clock, and
// DMS's refusals arrive as the SDK's own exceptions.

import {
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DescribeReplicationTaskAssessmentRunsCommand,
  DescribeReplicationTaskIndividualAssessmentsCommand,
  DescribeReplicationTasksCommand,
  ResourceAlreadyExistsFault,
  StartReplicationTaskAssessmentRunCommand,
} from '@aws-sdk/client-database-migration-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DmsStandIn, startDmsStandIn } from './dms-http.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('assessment runs on the HTTP DMS stand-in', () => {
  let standIn: DmsStandIn;
  let client: DatabaseMigrationServiceClient;
  const saved = { ...process.env };
  let taskArn = '';

  beforeAll(async () => {
    standIn = await startDmsStandIn({ stepMs: 10 });
    Object.assign(process.env, standIn.env);
    client = new DatabaseMigrationServiceClient({ region: 'eu-west-1', endpoint: standIn.url });
    const instance = await client.send(
      new CreateReplicationInstanceCommand({
        ReplicationInstanceIdentifier: 'ri',
        ReplicationInstanceClass: 'dms.t3.medium',
      }),
    );
    const endpoint = async (id: string, type: 'source' | 'target') =>
      (
        await client.send(
          new CreateEndpointCommand({ EndpointIdentifier: id, EndpointType: type, EngineName: 'postgres' }),
        )
      ).Endpoint!.EndpointArn!;
    const task = await client.send(
      new CreateReplicationTaskCommand({
        ReplicationTaskIdentifier: 'orders-cdc',
        SourceEndpointArn: await endpoint('src', 'source'),
        TargetEndpointArn: await endpoint('tgt', 'target'),
        ReplicationInstanceArn: instance.ReplicationInstance!.ReplicationInstanceArn!,
        MigrationType: 'full-load-and-cdc',
        TableMappings: '{"rules":[]}',
      }),
    );
    taskArn = task.ReplicationTask!.ReplicationTaskArn!;
    for (let i = 0; i < 100; i += 1) {
      const tasks = await client.send(
        new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }] }),
      );
      if (tasks.ReplicationTasks?.[0]?.Status === 'ready') break;
      await sleep(10);
    }
  });
  afterAll(async () => {
    process.env = saved;
    client?.destroy();
    await standIn?.close();
  });

  it('runs to a verdict with its individual results, on the model both ways', async () => {
    standIn.state.assessments.results.set('postgres-check-wallevel', 'warning');
    const request = {
      ReplicationTaskArn: taskArn,
      ServiceAccessRoleArn: 'arn:aws:iam::123456789012:role/dms-assessments',
      ResultLocationBucket: 'orders-dms-assessments',
      ResultEncryptionMode: 'sse-s3',
      AssessmentRunName: 'pgferry-orders-cdc-0000abcd',
    };
    const started = await client.send(new StartReplicationTaskAssessmentRunCommand(request));
    expect(started.ReplicationTaskAssessmentRun?.Status).toBe('starting');
    const seen = new Set<string>();
    let status = '';
    for (let i = 0; i < 200 && !['passed', 'warning', 'failed'].includes(status); i += 1) {
      const runs = await client.send(
        new DescribeReplicationTaskAssessmentRunsCommand({
          Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }],
        }),
      );
      status = runs.ReplicationTaskAssessmentRuns?.[0]?.Status ?? '';
      seen.add(status);
      await sleep(5);
    }
    expect(status).toBe('warning');
    expect([...seen]).toEqual(expect.arrayContaining(['provisioning', 'running', 'warning']));
    const results = await client.send(
      new DescribeReplicationTaskIndividualAssessmentsCommand({
        Filters: [
          {
            Name: 'replication-task-assessment-run-arn',
            Values: [started.ReplicationTaskAssessmentRun!.ReplicationTaskAssessmentRunArn!],
          },
        ],
      }),
    );
    expect(
      results.ReplicationTaskIndividualAssessments?.map((item) => `${item.IndividualAssessmentName} ${item.Status}`),
    ).toContain('postgres-check-wallevel warning');
    const again = await client.send(new StartReplicationTaskAssessmentRunCommand(request)).catch((error) => error);
    expect(again).toBeInstanceOf(ResourceAlreadyExistsFault);
    expect(standIn.rejected).toEqual([]);
  });
});
