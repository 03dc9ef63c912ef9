// A DMS Serverless plan end to end on the HTTP DMS stand-in (real SDK clients through --dms-endpoint,
// every request checked against the SDK's API model, wall-clock states) and real clusters: the
// replication config is created, started through DMS's provisioning states, makes its own logical slot
// on the source (as DMS does, with a generated name), which pgferry attributes to it; status shows the
// replication and its CDC latency; the lag gate reads DMS's latency from the stand-in's CloudWatch, the
// replication's metric dimensions discovered with ListMetrics; cutover stops it and drops exactly that
// slot; cleanup deletes the config and endpoints.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStates, slotNames, startWorld, type World } from './support/world.js';

const PLAN_FILE = fileURLToPath(new URL('./fixtures/cdc-serverless.yaml', import.meta.url));
const TASK = 'orders-cdc';

describe('a DMS Serverless plan on the HTTP stand-in', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ dms: 'http', plan: { file: PLAN_FILE, name: 'shopx' } });
    // The stand-in's DMS names a Serverless replication's metrics by a dimension other than the unit
    // tests' (executor/dms/replication-metrics.ts finds it with ListMetrics, whatever its name).
    world.dms.cloudwatch.replicationDimension = 'ReplicationConfigArnId';
  });
  afterAll(async () => {
    await world?.close();
  });

  it('apply creates the config, starts the replication, attributes the slot DMS made', async () => {
    expect((await world.run('apply')).code).toBe(0);
    await world.run('approve', ['restart-consent']);
    const apply = await world.run('apply');
    expect(apply.stderr).not.toMatch(/node\(s\) failed/);
    expect(apply.code).toBe(0);
    expect(world.dms.created.get('CreateReplicationConfig')).toBe(1);
    expect(world.dms.instances.size + world.dms.tasks.size).toBe(0);
    const replication = world.dms.serverless.replications.get(TASK)!;
    expect(replication).toMatchObject({ status: 'running', startTypes: ['start-replication'] });
    const journal = await world.journal();
    const outputs = (journal.nodes as Record<string, { outputs: Record<string, unknown> }>)[
      `dms.replication.${TASK}.start`
    ]!.outputs;
    expect(outputs.slotName).toBe(replication.slotName);
    expect(await slotNames(world.source)).toContain(replication.slotName);
    // The stand-in refuses a request the SDK's API model does not accept (ValidationException), so the
    // Serverless calls went through as DMS would take them.
    expect(world.dms.calls.some((call) => call.command === 'DescribeReplications')).toBe(true);
  });

  it('a second apply adopts what exists: nothing created or started twice', async () => {
    const again = await world.run('apply');
    expect(again.code).toBe(0);
    expect(world.dms.created.get('CreateReplicationConfig')).toBe(1);
    expect(world.dms.serverless.replications.get(TASK)?.startTypes).toEqual(['start-replication']);
  });

  it('status shows the replication as DMS Serverless reports it, with its CDC latency from CloudWatch', async () => {
    const status = JSON.parse((await world.run('status', ['--json'])).stdout) as {
      tasks: { task: string; status: string; cdcLatencySourceSeconds: number | null; cdcLatencyWhy: string | null }[];
    };
    const replication = status.tasks.find((task) => task.task === TASK);
    expect(replication?.status).toMatch(/^running \(serverless, capacity provisioned/);
    expect(replication).toMatchObject({
      cdcLatencySourceSeconds: 1,
      cdcLatencyTargetSeconds: 2,
      cdcLatencyWhy: null,
    });
  });

  it('cutover stops the replication and drops its slot; cleanup deletes config and endpoints', async () => {
    const slot = world.dms.serverless.replications.get(TASK)!.slotName!;
    const replicationArn = world.dms.serverless.replications.get(TASK)!.arn;
    await world.run('approve', ['cutover']);
    const cutover = await world.run('cutover');
    expect(cutover.stderr).toBe('');
    expect(cutover.code).toBe(0);
    // The lag gate used DMS's own latency, read with the dimensions ListMetrics named the replication by.
    expect(cutover.stdout).toMatch(
      new RegExp(
        `✓ cutover\\.${TASK}\\.lag-wait {2}lag 2 s from CloudWatch \\(CDCLatencySource 1 s, CDCLatencyTarget 2 s at \\S+\\) \\(limit 5 s\\)`,
      ),
    );
    const resourceId = replicationArn.slice(replicationArn.lastIndexOf(':') + 1);
    const queried = world.dms.cloudwatch.calls.map(
      (call) =>
        (call as { MetricDataQueries: { MetricStat: { Metric: { Dimensions: unknown } } }[] }).MetricDataQueries[0]!
          .MetricStat.Metric.Dimensions,
    );
    expect(queried).toContainEqual([{ Name: 'ReplicationConfigArnId', Value: resourceId }]);
    expect(world.dms.cloudwatch.listCalls.length).toBeGreaterThan(0);
    expect(world.dms.serverless.replications.get(TASK)?.status).toBe('stopped');
    expect(await slotNames(world.source)).not.toContain(slot);
    await world.run('approve', ['writes-open']);
    await world.run('approve', ['cleanup']);
    const cleanup = await world.run('cleanup');
    expect(cleanup.code).toBe(0);
    expect(world.dms.serverless.replications.size + world.dms.endpoints.size).toBe(0);
    const states = nodeStates(await world.journal());
    expect(states[`dms.replication.${TASK}.delete`]).toBe('succeeded');
  });
});
