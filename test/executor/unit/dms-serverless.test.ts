// DMS Serverless nodes against the stateful fake (test/support/dms-serverless-state.ts behind
// aws-sdk-client-mock): the compiled nodes of a Serverless plan (endpoints, replication config, start,
// full-load wait, stop, delete) run through, each one failing and resuming, adopting what exists,
// modifying in place, and every request accepted by the DMS API model the SDK ships.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-database-migration-service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import type { GraphNode } from '../../../contracts/graph.js';
import { handlers } from '../../../executor/handlers/index.js';
import { abortPlan, applyGraph } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import { statusReport } from '../../../executor/status.js';
import { checkAgainstModel } from '../../support/aws-model.js';
import { serverlessPlan } from '../../support/base-plan.js';
import { DmsFake, ssmFake, throttling } from '../../support/dms-fake.js';
import { accessDenied, invalidState } from '../../support/dms-state.js';
import { assemble } from '../support/graph.js';

const model = sdk as unknown as Record<string, unknown>;

let dir: string;
let dms: DmsFake;
let ssm: ReturnType<typeof ssmFake>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-serverless-'));
  dms = new DmsFake();
  ssm = ssmFake({ '/pgferry/orders/source/dms_user': 'src-pw', '/pgferry/orders/target/postgres': 'tgt-pw' });
});
afterEach(async () => {
  dms.restore();
  ssm.restore();
  await rm(dir, { recursive: true, force: true });
});

/** The compiled DMS nodes of the Serverless plan, requiring only what they provide each other. */
function dmsNodes(): GraphNode[] {
  const graph = buildGraph(serverlessPlan);
  const nodes = graph.nodes.filter((item) => item.kind.startsWith('Dms'));
  const provided = new Set(nodes.flatMap((item) => item.provides));
  return nodes.map((item) => ({
    ...item,
    gate: null,
    requires: item.requires.filter((fact) => provided.has(fact)),
  }));
}

const ID = {
  create: 'dms.replication.orders-cdc.create',
  start: 'dms.replication.orders-cdc.start',
  wait: 'dms.replication.orders-cdc.full-load-wait',
  stop: 'dms.replication.orders-cdc.stop',
  delete: 'dms.replication.orders-cdc.delete',
};

async function session(nodes = dmsNodes()) {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: { graph: assemble('orders', nodes), artifacts: new Map(), plan: { name: 'orders' } },
    region: 'eu-west-1',
    sleep: async () => {},
    pollMs: 0,
    maxPolls: 40,
  });
}

const byId = (id: string) => dmsNodes().find((item) => item.id === id)!;
const run = async (s: Session, id: string) => handlers[byId(id).executor].run(byId(id), s.context(byId(id)));
const replication = () => dms.serverless.replications.get('orders-cdc');

describe('DMS Serverless nodes', () => {
  it('the compiled graph runs: config, start through provisioning, full load, stop, delete; requests match the model', async () => {
    const s = await session();
    // Phase by phase, as apply, cutover and cleanup run them (the subgraph leaves out the waits between).
    for (const phase of ['prepare', 'load', 'cutover', 'cleanup'] as const) {
      const summary = await applyGraph(s, { phases: [phase] });
      expect(summary.failed, phase).toEqual([]);
    }
    expect(dms.created.get('CreateReplicationConfig')).toBe(1);
    expect(replication()).toBeUndefined();
    expect(dms.endpoints.size).toBe(0);
    const starts = dms.calls.filter((call) => call.command === 'StartReplication');
    expect(starts.map((call) => call.input.StartReplicationType)).toEqual(['start-replication']);
    // Every Serverless request as sent is one the DMS API model accepts.
    for (const command of [
      'CreateReplicationConfig',
      'StartReplication',
      'StopReplication',
      'DeleteReplicationConfig',
      'DescribeReplications',
    ]) {
      const calls = dms.calls.filter((call) => call.command === command);
      expect(calls.length, command).toBeGreaterThan(0);
      for (const call of calls) expect(checkAgainstModel(call.input, model[`${command}Message$`]), command).toEqual([]);
    }
    const created = dms.calls.find((call) => call.command === 'CreateReplicationConfig')!.input;
    expect(created.ComputeConfig).toMatchObject({ MaxCapacityUnits: 16, MinCapacityUnits: 2 });
    expect(created.Tags).toContainEqual({ Key: 'pgferry:plan', Value: 'orders' });
    expect(s.journal.nodes[ID.start]?.outputs).toMatchObject({ startType: 'start-replication', status: 'running' });
    expect(s.journal.nodes[ID.wait]?.outputs.fullLoadProgressPercent).toBe(100);
  });

  it('create: access denied fails with DMS words; the next run creates it once', async () => {
    dms.failNext('CreateReplicationConfig', accessDenied());
    const s = await session();
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed).toEqual([{ id: ID.create, error: expect.stringContaining('not authorized') }]);
    const second = await applyGraph(s, { phases: ['prepare'] });
    expect(second.failed).toEqual([]);
    expect(dms.created.get('CreateReplicationConfig')).toBe(1);
  });

  it("create after a kill: the config that exists is adopted, never created twice; another plan's is refused", async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare'] });
    s.journal.nodes[ID.create]!.state = 'pending';
    const again = await run(s, ID.create);
    expect(again).toMatchObject({ status: 'succeeded', outputs: { adopted: true } });
    expect(dms.created.get('CreateReplicationConfig')).toBe(1);
    dms.tags.set(replication()!.arn, [{ Key: 'pgferry:plan', Value: 'billing' }]);
    await expect(run(s, ID.create)).rejects.toThrow("belongs to plan 'billing'");
  });

  it('start: throttled describes are retried; a failing connection test fails the start with DMS words, the next run resumes', async () => {
    dms.failingConnections.set('orders-orders-src', 'FATAL: no pg_hba.conf entry');
    dms.failNext('DescribeReplications', throttling(), 2);
    const s = await session();
    const first = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(first.failed).toEqual([
      { id: ID.start, error: expect.stringContaining('Test connection failed for endpoint orders-orders-src') },
    ]);
    expect(first.failed[0]!.error).toContain('resume-processing');
    expect(replication()?.status).toBe('failed');
    dms.failingConnections.clear();
    const second = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(second.failed).toEqual([]);
    expect(replication()?.startTypes).toEqual(['start-replication', 'resume-processing']);
  });

  it('start after a kill: a replication still provisioning is adopted and waited for, not started again', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare'] });
    await dms.handle('StartReplication', {
      ReplicationConfigArn: replication()!.arn,
      StartReplicationType: 'start-replication',
    });
    expect(replication()?.status).toBe('initializing');
    const result = await run(s, ID.start);
    expect(result).toMatchObject({ status: 'succeeded', outputs: { status: 'running' } });
    expect(replication()?.startTypes).toEqual(['start-replication']);
  });

  it('full-load wait: a replication failing mid-load fails the wait with its failure messages', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare'] });
    await run(s, ID.start);
    dms.serverless.failReplication('orders-cdc', 'ERROR: out of memory');
    await expect(run(s, ID.wait)).rejects.toThrow(/failed: ERROR: out of memory[\s\S]*resume/);
  });

  it('stop: throttled then stopped; a second stop finds it not running', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    dms.failNext('StopReplication', throttling());
    expect(await run(s, ID.stop)).toMatchObject({ status: 'succeeded', outputs: { result: 'stopped' } });
    expect(replication()).toMatchObject({ status: 'stopped', stopReason: 'NORMAL' });
    expect(await run(s, ID.stop)).toMatchObject({
      outputs: { result: 'already' },
      note: 'replication was not running',
    });
  });

  it('delete: a running replication is stopped first; a config already gone is nothing to do', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(await run(s, ID.delete)).toMatchObject({ status: 'succeeded', outputs: { deleted: true } });
    expect(replication()).toBeUndefined();
    expect(await run(s, ID.delete)).toMatchObject({ status: 'succeeded', outputs: { deleted: false } });
  });

  it('delete refused while DMS still settles it (invalid state) is asked again once it settled', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    await run(s, ID.stop);
    dms.failNext('DeleteReplicationConfig', invalidState('Replication config orders-cdc is being modified'));
    await expect(run(s, ID.delete)).rejects.toThrow('DMS refuses to delete it');
    expect(await run(s, ID.delete)).toMatchObject({ outputs: { deleted: true } });
  });

  it('modify in place: a running replication is stopped, modified (ComputeConfig), resumed', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const node = byId(ID.create);
    const changed: GraphNode = {
      ...node,
      input: {
        ...node.input,
        request: {
          ...(node.input.request as object),
          ComputeConfig: { ...(node.input.request as { ComputeConfig: object }).ComputeConfig, MaxCapacityUnits: 64 },
        },
      },
    };
    s.journal.nodes[ID.create]!.modify = ['ComputeConfig'];
    const result = await handlers.dms.run(changed, s.context(changed));
    expect(result).toMatchObject({
      status: 'succeeded',
      outputs: { modifiedFields: 'ComputeConfig' },
      note: 'modified in place: stopped replication orders-cdc → modified (ComputeConfig) → resumed replication orders-cdc',
    });
    expect((replication()!.request.ComputeConfig as { MaxCapacityUnits: number }).MaxCapacityUnits).toBe(64);
    expect(replication()?.startTypes).toEqual(['start-replication', 'resume-processing']);
    const modify = dms.calls.find((call) => call.command === 'ModifyReplicationConfig')!;
    expect(checkAgainstModel(modify.input, model.ModifyReplicationConfigMessage$)).toEqual([]);
  });

  it('DMS refuses to modify a running replication (InvalidResourceStateFault), as the User Guide says', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    await expect(
      dms.handle('ModifyReplicationConfig', { ReplicationConfigArn: replication()!.arn, ReplicationType: 'cdc' }),
    ).rejects.toThrow('can be modified only when created, stopped or failed');
  });

  it('status shows the replication as DescribeReplications reports it', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const report = await statusReport(s, true);
    expect(report.tasks).toContainEqual(
      expect.objectContaining({ task: 'orders-cdc', status: 'running (serverless, capacity provisioned, 2 DCU)' }),
    );
  });

  it("abort stops a running CDC replication (the start node's compensation, StopReplication)", async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(replication()?.status).toBe('running');
    const steps = await abortPlan(s);
    expect(steps).toContainEqual(
      expect.objectContaining({ node: ID.start, kind: 'DmsReplicationStop', result: 'done' }),
    );
    expect(replication()).toMatchObject({ status: 'stopped', stopReason: 'NORMAL' });
    expect(dms.count('StopReplication')).toBe(1);
  });

  it('an endpoint change stops the Serverless replication using it, modifies the endpoint, resumes the replication', async () => {
    const s = await session();
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const id = 'dms.endpoint.orders-orders-src.create';
    const node = byId(id);
    const request = node.input.request as { PostgreSQLSettings: Record<string, unknown> };
    const changed: GraphNode = {
      ...node,
      input: {
        ...node.input,
        request: { ...request, PostgreSQLSettings: { ...request.PostgreSQLSettings, ExecuteTimeout: 600 } },
      },
    };
    // DMS refuses the change while the replication runs on the endpoint.
    const endpointArn = [...dms.endpoints.values()].find((item) => item.id === 'orders-orders-src')!.arn;
    await expect(dms.handle('ModifyEndpoint', { EndpointArn: endpointArn, Port: 5433 })).rejects.toThrow(
      'is used by running task orders-cdc',
    );
    s.journal.nodes[id]!.modify = ['PostgreSQLSettings'];
    const result = await handlers.dms.run(changed, s.context(changed));
    expect(result).toMatchObject({
      status: 'succeeded',
      note: 'modified in place: stopped replication orders-cdc → modified (PostgreSQLSettings) → resumed replication orders-cdc',
    });
    expect(replication()).toMatchObject({ status: 'running', startTypes: ['start-replication', 'resume-processing'] });
  });
});
