// Premigration assessments through the executor against the stateful DMS fake: the compiled node (from a
// plan with dms.assessment) runs on a created task, waits through starting → provisioning → running,
// gates on the individual results, and a resumed run adopts the run it started instead of a second one.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dmsSdk from '@aws-sdk/client-database-migration-service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { nodeId } from '../../../compiler/model/node-ids.js';
import type { GraphNode } from '../../../contracts/graph.js';
import { applyGraph } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import { statusReport } from '../../../executor/status.js';
import { checkAgainstModel } from '../../support/aws-model.js';
import { planWith } from '../../support/base-plan.js';
import { DmsFake, throttling } from '../../support/dms-fake.js';
import { DmsFault } from '../../support/dms-state.js';
import { assemble, node } from '../support/graph.js';

const ASSESSMENT = {
  bucket: 'orders-dms-assessments',
  folder: 'pgferry',
  role_arn: 'arn:aws:iam::123456789012:role/dms-assessments',
  kms_key_arn: null,
  include: [],
  exclude: ['unsupported-data-types-in-source'],
};
const plan = planWith({ dms: { assessment: ASSESSMENT } });
const TASK = plan.dms.tasks[0]!.id;

let dir: string;
let dms: DmsFake;
let taskArn: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-assess-'));
  dms = new DmsFake();
  const instance = await dms.handle('CreateReplicationInstance', { ReplicationInstanceIdentifier: 'ri' });
  const endpoint = async (id: string, type: string) =>
    (
      (await dms.handle('CreateEndpoint', { EndpointIdentifier: id, EndpointType: type, EngineName: 'postgres' }))
        .Endpoint as { EndpointArn: string }
    ).EndpointArn;
  const task = await dms.handle('CreateReplicationTask', {
    ReplicationTaskIdentifier: TASK,
    SourceEndpointArn: await endpoint('src', 'source'),
    TargetEndpointArn: await endpoint('tgt', 'target'),
    ReplicationInstanceArn: (instance.ReplicationInstance as { ReplicationInstanceArn: string }).ReplicationInstanceArn,
    MigrationType: 'full-load',
    TableMappings: '{"rules":[]}',
  });
  taskArn = (task.ReplicationTask as { ReplicationTaskArn: string }).ReplicationTaskArn;
  dms.tasks.get(TASK)!.status = 'ready';
});
afterEach(async () => {
  dms.restore();
  await rm(dir, { recursive: true, force: true });
});

/** The compiled assessment node, on the fake's task, and a node the task start stands for after it. */
function graph(): GraphNode[] {
  const compiled = buildGraph(plan).nodes.find((item) => item.id === nodeId.dmsTaskAssess(TASK))!;
  const request = { ...(compiled.input.request as object), ReplicationTaskArn: taskArn };
  const assess = { ...compiled, requires: [], input: { ...compiled.input, request } };
  const start = node({
    id: 'after.assessment',
    kind: 'ManualGate',
    phase: 'prepare',
    requires: compiled.provides as string[],
    input: { gate: 'after', prompt: 'the task would start here' },
  });
  return [assess, start];
}

async function session(maxPolls = 20): Promise<Session> {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: { graph: assemble('orders', graph()), artifacts: new Map(), plan: { name: 'orders' } },
    region: 'eu-west-1',
    sleep: async () => undefined,
    pollMs: 0,
    maxPolls,
  });
}

const assessId = nodeId.dmsTaskAssess(TASK);
const record = (s: Session) => s.journal.nodes[assessId]!;

describe('premigration assessment', () => {
  it('the compiled request is what the SDK model accepts, with the plan settings', () => {
    const compiled = buildGraph(plan).nodes.find((item) => item.id === assessId)!;
    const model = (dmsSdk as unknown as Record<string, unknown>).StartReplicationTaskAssessmentRunMessage$;
    expect(checkAgainstModel(compiled.input.request, model)).toEqual([]);
    expect(compiled.input.request).toMatchObject({
      ReplicationTaskArn: `@ref(dms.task.${TASK}.create#arn)`,
      ResultLocationBucket: 'orders-dms-assessments',
      ResultLocationFolder: 'pgferry',
      ResultEncryptionMode: 'sse-s3',
      Exclude: ['unsupported-data-types-in-source'],
    });
    const start = buildGraph(plan).nodes.find((item) => item.id === nodeId.dmsTaskStart(TASK))!;
    expect(start.requires).toContain(`dms.task.${TASK}.assessed`);
  });

  it('runs, waits through its states, and lets the task start when every assessment passed', async () => {
    const s = await session();
    const summary = await applyGraph(s, { phases: ['prepare'] });
    expect(summary.failed).toEqual([]);
    expect(summary.waitingGates).toEqual(['after']);
    expect(record(s).outputs).toMatchObject({ status: 'passed', failed: '', warnings: '' });
    expect(record(s).note).toMatch(/^assessment pgferry-orders-full-load-[0-9a-f]{8} passed: 3 passed$/);
    expect(dms.count('DescribeReplicationTaskAssessmentRuns')).toBeGreaterThanOrEqual(4);
    const run = [...dms.assessments.runs.values()][0]!;
    expect(run.assessments).not.toContain('unsupported-data-types-in-source');
  });

  it('lists warnings and still goes on', async () => {
    dms.assessments.results.set('postgres-check-maxslot-wal-keep-size', 'warning');
    const s = await session();
    expect((await applyGraph(s, { phases: ['prepare'] })).failed).toEqual([]);
    expect(record(s).outputs).toMatchObject({ status: 'warning', warnings: 'postgres-check-maxslot-wal-keep-size' });
    expect(record(s).note).toContain(
      'warnings: postgres-check-maxslot-wal-keep-size (results: s3://orders-dms-assessments/pgferry/)',
    );
    // status shows the verdict and the warnings from the journal.
    const report = await statusReport(s, false);
    expect(report.nodes.find((item) => item.id === assessId)?.note).toContain(
      'warnings: postgres-check-maxslot-wal-keep-size',
    );
  });

  it('a failed assessment stops the task from starting; resume adopts the same run, never a second', async () => {
    dms.assessments.results.set('postgres-check-wallevel', 'failed');
    const s = await session();
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed[0]?.error).toContain('premigration assessment');
    expect(first.failed[0]?.error).toContain('failed: postgres-check-wallevel; the task does not start');
    expect(first.failed[0]?.error).toContain('aws dms delete-replication-task-assessment-run');
    expect(s.journal.nodes['after.assessment']?.state).toBe('pending');
    expect(record(s).outputs.runArn).toMatch(/assessment-run/);
    const again = await applyGraph(await session(), { phases: ['prepare'] });
    expect(again.failed[0]?.error).toContain('failed: postgres-check-wallevel');
    expect(dms.count('StartReplicationTaskAssessmentRun')).toBe(1);
  });

  it('a run cut short while running is adopted and waited for', async () => {
    const s = await session(1);
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed[0]?.error).toContain('still');
    expect(record(s).outputs.runArn).toBeDefined();
    const resumed = await session();
    expect((await applyGraph(resumed, { phases: ['prepare'] })).failed).toEqual([]);
    expect(record(resumed).outputs).toMatchObject({ status: 'passed', adopted: true });
    expect(dms.count('StartReplicationTaskAssessmentRun')).toBe(1);
  });

  it('a run in error fails with DMS’s message', async () => {
    dms.assessments.errorNext = 'error-provisioning';
    const summary = await applyGraph(await session(), { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain('ended error-provisioning (Assessment run ended error-provisioning)');
  });

  it('retries throttling; names a missing bucket, access denied, and a task that runs', async () => {
    dms.failNext('StartReplicationTaskAssessmentRun', throttling(), 2);
    expect((await applyGraph(await session(), { phases: ['prepare'] })).failed).toEqual([]);

    dms.assessments.runs.clear();
    await rm(join(dir, 'orders'), { recursive: true, force: true });
    dms.assessments.buckets.add('another-bucket');
    let summary = await applyGraph(await session(), { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain('bucket orders-dms-assessments not found');
    dms.assessments.buckets.clear();

    await rm(join(dir, 'orders'), { recursive: true, force: true });
    dms.failNext('StartReplicationTaskAssessmentRun', new DmsFault('AccessDeniedFault', 'not authorized'));
    summary = await applyGraph(await session(), { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain(
      'role arn:aws:iam::123456789012:role/dms-assessments needs s3:PutObject',
    );

    await rm(join(dir, 'orders'), { recursive: true, force: true });
    dms.tasks.get(TASK)!.status = 'running';
    summary = await applyGraph(await session(), { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain("DMS refuses it in the task's state");
  });
});
