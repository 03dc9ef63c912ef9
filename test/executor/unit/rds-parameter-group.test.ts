// fk_strategy parameter_group end to end through the executor: the compiled nodes (set the group, prepare
// the target, revert the group, foreign keys back) against the stateful RDS fake, which puts the group's
// values on a real PostgreSQL target (ALTER SYSTEM + reload) once it reports them in sync, so what
// "applied" means is what a new session on the target shows. Failures at each step, then resume.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { fact } from '../../../compiler/graph/facts.js';
import { nodeId } from '../../../compiler/model/node-ids.js';
import type { Plan } from '../../../compiler/model/plan.js';
import { emitArtifacts } from '../../../compiler/output.js';
import type { GraphNode } from '../../../contracts/graph.js';
import { abortPlan, applyGraph } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import { statusReport } from '../../../executor/status.js';
import { planWith } from '../../support/base-plan.js';
import { ssmFake } from '../../support/dms-fake.js';
import { type PgCluster, startCluster } from '../../support/pg-cluster.js';
import { RdsFake } from '../../support/rds-fake.js';
import { RdsFault, rdsAccessDenied, rdsThrottled } from '../../support/rds-state.js';
import { assemble } from '../support/graph.js';

const GROUP = 'orders-pg16';
let target: PgCluster;
let rds: RdsFake;
let ssm: ReturnType<typeof ssmFake>;
let dir: string;

beforeAll(async () => {
  target = await startCluster({ major: 16 });
  await target.query('CREATE DATABASE orders');
  // prepare.sql (schema pre_created) wants the restored schema's tables.
  await target.query('CREATE TABLE public.customers (id int PRIMARY KEY)', [], 'orders');
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

async function show(database = 'orders'): Promise<string> {
  return (await target.query('SHOW session_replication_role', [], database)).rows[0].session_replication_role;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-rds-'));
  rds = new RdsFake();
  // The group's values reach the database the way RDS puts them there: the configuration, reloaded.
  rds.onApplied = async (_group, values) => {
    const role = values.get('session_replication_role');
    await target.query(
      role === undefined
        ? 'ALTER SYSTEM RESET session_replication_role'
        : `ALTER SYSTEM SET session_replication_role = '${role}'`,
    );
    await target.query('SELECT pg_reload_conf()');
  };
  ssm = ssmFake({ '/pgferry/orders/target/postgres': 'pw' });
});
afterEach(async () => {
  rds.restore();
  ssm.restore();
  await target.query('ALTER SYSTEM RESET session_replication_role');
  await target.query('ALTER DATABASE orders RESET session_replication_role');
  await target.query('SELECT pg_reload_conf()');
  await rm(dir, { recursive: true, force: true });
});

function planFor(kind: 'rds' | 'aurora' = 'rds'): Plan {
  return planWith({
    target: {
      kind,
      host: kind === 'aurora' ? 'orders.cluster-c1abcdefghij.eu-west-1.rds.amazonaws.com' : undefined,
      version: { text: '16.4', major: '16', num: 160004 },
      fk_strategy: 'parameter_group',
      parameter_group: GROUP,
    },
  });
}

/** The compiled nodes of the strategy, chained: group set → prepare → group reverted → foreign keys back. */
function compiled(plan: Plan) {
  const graph = buildGraph(plan);
  const byId = (id: string) => graph.nodes.find((item) => item.id === id)!;
  const chain: GraphNode[] = [
    byId(nodeId.parameterGroupApply),
    byId(nodeId.targetPrepare('orders')),
    { ...byId(nodeId.parameterGroupRevert), requires: [fact.targetPrepared('orders')] },
    { ...byId(nodeId.cutoverFkRestore('orders')), requires: [fact.parameterGroupReverted] },
  ];
  return {
    graph: assemble('orders', chain),
    artifacts: new Map(emitArtifacts(plan, graph).map((artifact) => [artifact.path, artifact.content])),
    plan: { name: 'orders' },
  };
}

async function session(plan: Plan, maxPolls = 40): Promise<Session> {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: compiled(plan),
    region: 'eu-west-1',
    targetUrl: `postgres://postgres@127.0.0.1:${target.port}/`,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    pollMs: 5,
    maxPolls,
  });
}

const state = (s: Session, id: string) => s.journal.nodes[id]?.state;
const outputs = (s: Session, id: string) => s.journal.nodes[id]?.outputs ?? {};

describe('fk_strategy parameter_group on RDS', () => {
  it('sets replica before the load, checks it from new sessions, and puts the engine default back at cutover', async () => {
    rds.addInstance('orders', GROUP);
    const s = await session(planFor());
    const prepared = await applyGraph(s, { phases: ['prepare'] });
    expect(prepared.failed).toEqual([]);
    expect(await show()).toBe('replica');
    expect(rds.valueOf(GROUP, 'session_replication_role')).toBe('replica');
    expect(outputs(s, nodeId.parameterGroupApply)).toMatchObject({
      previousValue: '',
      applyStatus: 'orders in-sync',
      checkedDatabases: 'orders',
    });
    expect(s.journal.nodes[nodeId.parameterGroupApply]?.note).toContain('was origin (engine default)');
    const report = await statusReport(s, false);
    expect(report.nodes.find((item) => item.id === nodeId.parameterGroupApply)?.note).toContain(
      'session_replication_role = replica (was origin (engine default), restored at cutover or abort)',
    );
    const modify = rds.calls.find((call) => call.command === 'ModifyDBParameterGroup');
    expect(modify?.input).toEqual({
      DBParameterGroupName: GROUP,
      Parameters: [{ ParameterName: 'session_replication_role', ParameterValue: 'replica', ApplyMethod: 'immediate' }],
    });
    // The instance was seen applying before in sync, and the value was read past the first page.
    expect(rds.count('DescribeDBInstances')).toBeGreaterThanOrEqual(3);
    expect(rds.count('DescribeDBParameters')).toBe(2);
    expect(state(s, nodeId.targetPrepare('orders'))).toBe('succeeded');

    const cut = await applyGraph(s, { phases: ['prepare', 'load', 'cutover'] });
    expect(cut.failed).toEqual([]);
    expect(rds.calls.find((call) => call.command === 'ResetDBParameterGroup')?.input).toEqual({
      DBParameterGroupName: GROUP,
      Parameters: [{ ParameterName: 'session_replication_role', ApplyMethod: 'immediate' }],
    });
    expect(await show()).toBe('origin');
    expect(s.journal.nodes[nodeId.parameterGroupRevert]?.note).toContain('back to origin (engine default)');
    expect(state(s, nodeId.cutoverFkRestore('orders'))).toBe('succeeded');
    expect(rds.rejected).toEqual([]);
  });

  it('restores a value the group set itself with Modify, not Reset', async () => {
    rds.addInstance('orders', GROUP);
    rds.groups.get(GROUP)!.parameters.set('session_replication_role', {
      value: 'origin',
      source: 'user',
      applyType: 'dynamic',
    });
    const s = await session(planFor());
    expect((await applyGraph(s, { phases: ['prepare', 'load', 'cutover'] })).failed).toEqual([]);
    expect(outputs(s, nodeId.parameterGroupApply).previousValue).toBe('origin');
    expect(rds.count('ResetDBParameterGroup')).toBe(0);
    expect(rds.valueOf(GROUP, 'session_replication_role')).toBe('origin');
    expect(await show()).toBe('origin');
  });

  it('uses the cluster parameter group on Aurora and waits for every member', async () => {
    rds.addCluster('orders', GROUP, ['orders-1', 'orders-2']);
    const s = await session(planFor('aurora'));
    expect((await applyGraph(s, { phases: ['prepare'] })).failed).toEqual([]);
    expect(outputs(s, nodeId.parameterGroupApply).applyStatus).toBe('orders-1 in-sync, orders-2 in-sync');
    expect(rds.count('ModifyDBClusterParameterGroup')).toBe(1);
    expect(rds.count('DescribeDBClusterParameters')).toBe(2);
    expect(await show()).toBe('replica');
    expect((await applyGraph(s, { phases: ['prepare', 'load', 'cutover'] })).failed).toEqual([]);
    expect(rds.count('ResetDBClusterParameterGroup')).toBe(1);
    expect(await show()).toBe('origin');
  });

  it('refuses a group that is not the one attached to the instance, before changing anything', async () => {
    rds.addInstance('orders', 'orders-other');
    rds.addGroup(GROUP);
    const s = await session(planFor());
    const summary = await applyGraph(s, { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain(
      'DB parameter group orders-pg16 is not the one attached to DB instance orders: it uses orders-other',
    );
    expect(rds.count('ModifyDBParameterGroup')).toBe(0);
    expect(state(s, nodeId.targetPrepare('orders'))).toBe('pending');
  });

  it('names what to fix when the instance or the group does not exist, or access is denied', async () => {
    const s = await session(planFor());
    expect((await applyGraph(s, { phases: ['prepare'] })).failed[0]?.error).toContain(
      'DB instance orders (eu-west-1) does not exist',
    );
    rds.addInstance('orders', GROUP);
    rds.failNext('DescribeDBParameters', new RdsFault('DBParameterGroupNotFoundFault', 'not found', 404));
    expect((await applyGraph(s, { phases: ['prepare'] })).failed[0]?.error).toContain(
      'DB parameter group orders-pg16 does not exist in eu-west-1',
    );
    rds.failNext('ModifyDBParameterGroup', rdsAccessDenied('ModifyDBParameterGroup'));
    const denied = await applyGraph(s, { phases: ['prepare'] });
    expect(denied.failed[0]?.error).toContain('access denied');
    expect(denied.failed[0]?.error).toContain('rds:ModifyDBParameterGroup');
    // The value before the change was recorded before the Modify was refused.
    expect(outputs(s, nodeId.parameterGroupApply).previousValue).toBe('');
  });

  it('retries throttling, and resumes after a refused Modify with the value recorded before it', async () => {
    rds.addInstance('orders', GROUP);
    rds.failNext('DescribeDBInstances', rdsThrottled(), 2);
    rds.failNext('ModifyDBParameterGroup', new RdsFault('InvalidDBParameterGroupStateFault', 'being modified'));
    const s = await session(planFor());
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed[0]?.error).toContain('RDS refuses to change DB parameter group orders-pg16 now');
    expect(state(s, nodeId.targetPrepare('orders'))).toBe('pending');
    const again = await applyGraph(s, { phases: ['prepare'] });
    expect(again.failed).toEqual([]);
    expect(rds.count('ModifyDBParameterGroup')).toBe(2);
    expect(await show()).toBe('replica');
  });

  it('resumes a run cut short while the group applied, restoring the value from before (not its own replica)', async () => {
    rds.addInstance('orders', GROUP);
    rds.applySteps = 50;
    const s = await session(planFor(), 3);
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed[0]?.error).toContain('still applying after 3 polls');
    expect(rds.valueOf(GROUP, 'session_replication_role')).toBe('replica');
    rds.applySteps = 1;
    const resumed = await session(planFor());
    expect((await applyGraph(resumed, { phases: ['prepare'] })).failed).toEqual([]);
    expect(outputs(resumed, nodeId.parameterGroupApply).previousValue).toBe('');
    expect((await applyGraph(resumed, { phases: ['prepare', 'load', 'cutover'] })).failed).toEqual([]);
    expect(await show()).toBe('origin');
  });

  it('fails when a new session does not see the value (a database setting wins), and resumes once fixed', async () => {
    rds.addInstance('orders', GROUP);
    await target.query("ALTER DATABASE orders SET session_replication_role = 'origin'");
    const s = await session(planFor(), 3);
    const first = await applyGraph(s, { phases: ['prepare'] });
    expect(first.failed[0]?.error).toContain('orders shows session_replication_role = origin');
    expect(first.failed[0]?.error).toContain('ALTER DATABASE/ROLE … RESET session_replication_role');
    await target.query('ALTER DATABASE orders RESET session_replication_role');
    expect((await applyGraph(s, { phases: ['prepare'] })).failed).toEqual([]);
    expect(rds.count('ModifyDBParameterGroup')).toBe(2);
  });

  it('goes on through a pending reboot of another (static) change: the new sessions decide', async () => {
    rds.addInstance('orders', GROUP);
    rds.instances.get('orders')!.members[0]!.rebootPending = true;
    const s = await session(planFor());
    expect((await applyGraph(s, { phases: ['prepare'] })).failed).toEqual([]);
    expect(outputs(s, nodeId.parameterGroupApply).applyStatus).toBe('orders pending-reboot');
  });

  it('refuses a group that already sets replica: restoring that would leave foreign keys off', async () => {
    rds.addInstance('orders', GROUP);
    rds.groups.get(GROUP)!.parameters.set('session_replication_role', {
      value: 'replica',
      source: 'user',
      applyType: 'dynamic',
    });
    const s = await session(planFor());
    const summary = await applyGraph(s, { phases: ['prepare'] });
    expect(summary.failed[0]?.error).toContain('already sets session_replication_role = replica before pgferry');
    expect(rds.count('ModifyDBParameterGroup')).toBe(0);
  });

  it('abort puts the value back (the apply node compensates), and a second abort finds it done', async () => {
    rds.addInstance('orders', GROUP);
    const s = await session(planFor());
    await applyGraph(s, { phases: ['prepare'] });
    expect(await show()).toBe('replica');
    const steps = await abortPlan(s);
    const revert = steps.find((step) => step.kind === 'RdsParameterGroupRevert');
    expect(revert).toMatchObject({ node: nodeId.parameterGroupApply, result: 'done' });
    expect(await show()).toBe('origin');
    expect(rds.valueOf(GROUP, 'session_replication_role')).toBe('');
    const again = await abortPlan(s);
    expect(again.find((step) => step.kind === 'RdsParameterGroupRevert')?.detail).toContain('(it already was)');
    expect(rds.count('ResetDBParameterGroup')).toBe(1);
  });

  it('abort of a run that failed before recording anything has nothing to undo', async () => {
    const s = await session(planFor());
    await applyGraph(s, { phases: ['prepare'] });
    const steps = await abortPlan(s);
    expect(steps.find((step) => step.kind === 'RdsParameterGroupRevert')?.result).toBe('skipped');
    expect(rds.count('ResetDBParameterGroup') + rds.count('ModifyDBParameterGroup')).toBe(0);
  });
});
