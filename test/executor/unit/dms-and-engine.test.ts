// The engine (bounded parallelism, failures stop only their dependents) and the DMS handler against
// the stateful fake: throttling backoff, adopting by identifier and tag, start types, failed
// connection tests, full-load-only tasks. No PostgreSQL needed here.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorKind, GraphNode } from '../../../contracts/graph.js';
import { handlers } from '../../../executor/handlers/index.js';
import { applyGraph } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import { fullLoadEta, statusReport } from '../../../executor/status.js';
import type { Handler, HandlerRegistry } from '../../../executor/types.js';
import { DmsFake, ssmFake, throttling } from '../../support/dms-fake.js';
import { fullLoadWaitNode, taskCreateNode, taskStartNode } from '../support/dms-task-nodes.js';
import { assemble, node } from '../support/graph.js';

let dir: string;
let dms: DmsFake;
let ssm: ReturnType<typeof ssmFake>;
let sleeps: number[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-dms-'));
  dms = new DmsFake();
  ssm = ssmFake({ '/p/src': 'src-password-1' });
  sleeps = [];
});
afterEach(async () => {
  dms.restore();
  ssm.restore();
  await rm(dir, { recursive: true, force: true });
});

async function session(nodes: GraphNode[], plan = 'orders') {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: { graph: assemble(plan, nodes), artifacts: new Map(), plan: { name: plan } },
    region: 'eu-west-1',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pollMs: 0,
    maxPolls: 20,
  });
}

const instance = node({
  id: 'dms.instance.ri.create',
  kind: 'DmsReplicationInstanceCreate',
  phase: 'prepare',
  input: { artifact: null, request: { ReplicationInstanceIdentifier: 'ri', ReplicationInstanceClass: 'dms.r5.large' } },
  provides: ['ri'],
});
const endpoint = (id: string, type: 'source' | 'target') =>
  node({
    id: `dms.endpoint.${id}.create`,
    kind: 'DmsEndpointCreate',
    phase: 'prepare',
    requires: ['ri'],
    input: {
      request: {
        EndpointIdentifier: id,
        EndpointType: type,
        EngineName: 'postgres',
        PostgreSQLSettings: { Password: '@secret(ssm:/p/src)' },
      },
    },
    provides: [`ep.${id}`],
  });
const test = (id: string) =>
  node({
    id: `dms.endpoint.${id}.test`,
    kind: 'DmsConnectionTest',
    phase: 'prepare',
    requires: [`ep.${id}`],
    input: {
      request: {
        ReplicationInstanceArn: '@ref(dms.instance.ri.create#arn)',
        EndpointArn: `@ref(dms.endpoint.${id}.create#arn)`,
      },
    },
    provides: [`tested.${id}`],
  });
const task = (migrationType: string) => taskCreateNode(['tested.src', 'tested.tgt'], migrationType);
const start = taskStartNode;
const wait = fullLoadWaitNode;
const fullGraph = (migrationType = 'full-load') => [
  instance,
  endpoint('src', 'source'),
  endpoint('tgt', 'target'),
  test('src'),
  test('tgt'),
  task(migrationType),
  start,
  wait,
];

describe('DMS handler', () => {
  it('creates, tests, starts and waits for a full-load-only task', async () => {
    const s = await session(fullGraph());
    const summary = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(summary.failed).toEqual([]);
    expect(summary.complete).toBe(true);
    expect(dms.tasks.get('t')).toMatchObject({
      status: 'stopped',
      stopReason: 'FULL_LOAD_ONLY_FINISHED',
      startTypes: ['start-replication'],
    });
    expect(s.journal.nodes['dms.task.t.full-load-wait']?.outputs.fullLoadProgressPercent).toBe(100);
    // Every resource carries the plan tag, the endpoint got the resolved password.
    const created = dms.calls.find((call) => call.command === 'CreateEndpoint');
    expect(created?.input.Tags).toContainEqual({ Key: 'pgferry:plan', Value: 'orders' });
    expect((created!.input.PostgreSQLSettings as { Password: string }).Password).toBe('src-password-1');
    expect(JSON.stringify(s.journal)).not.toContain('src-password-1');
  });

  it('retries throttling with exponential backoff, then succeeds', async () => {
    dms.failNext('CreateReplicationInstance', throttling(), 3);
    const s = await session([instance]);
    const summary = await applyGraph(s, { phases: ['prepare'] });
    expect(summary.failed).toEqual([]);
    expect(sleeps.filter((ms) => ms > 0)).toEqual([200, 400, 800]);
    expect(dms.created.get('CreateReplicationInstance')).toBe(1);
  });

  it('adopts an existing instance of the same plan and refuses one of another plan', async () => {
    const mine = await session([instance]);
    await applyGraph(mine, { phases: ['prepare'] });
    const again = await session([instance], 'orders');
    // A fresh journal (say, lost state): the instance is found by identifier and adopted.
    again.journal.nodes['dms.instance.ri.create']!.state = 'pending';
    await rm(join(dir, 'orders'), { recursive: true, force: true });
    const summary = await applyGraph(again, { phases: ['prepare'] });
    expect(summary.failed).toEqual([]);
    expect(again.journal.nodes['dms.instance.ri.create']?.outputs.adopted).toBe(true);
    expect(dms.created.get('CreateReplicationInstance')).toBe(1);

    const other = await session([instance], 'billing');
    const refused = await applyGraph(other, { phases: ['prepare'] });
    expect(refused.failed).toEqual([
      {
        id: 'dms.instance.ri.create',
        error: "replication instance ri exists but belongs to plan 'orders' (tag pgferry:plan), not 'billing'",
      },
    ]);
  });

  it('reports a failed connection test with the DMS message', async () => {
    dms.failingConnections.set('src', 'FATAL: no pg_hba.conf entry for host "10.0.1.17", user "dms_user"');
    const s = await session(fullGraph());
    const summary = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(summary.failed).toEqual([
      {
        id: 'dms.endpoint.src.test',
        error: expect.stringContaining('failed: FATAL: no pg_hba.conf entry for host "10.0.1.17", user "dms_user"'),
      },
    ]);
    expect(summary.blocked).toContain('dms.task.t.create');
    expect(s.journal.nodes['dms.endpoint.tgt.test']?.state).toBe('succeeded');
  });

  it('resumes a stopped CDC task with resume-processing, never start-replication twice', async () => {
    const s = await session(fullGraph('full-load-and-cdc').filter((item) => item.id !== wait.id));
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const fakeTask = dms.tasks.get('t')!;
    fakeTask.status = 'stopped';
    const ctx = s.context(start);
    const result = await handlers.dms.run(start, ctx);
    expect(result.status).toBe('succeeded');
    expect(fakeTask.startTypes).toEqual(['start-replication', 'resume-processing']);
    // Running already: adopted, no third start.
    await handlers.dms.run(start, ctx);
    expect(fakeTask.startTypes).toHaveLength(2);
  });

  it('a start node meeting a failed task restarts it with resume-processing, saying what had failed', async () => {
    const s = await session(fullGraph('full-load-and-cdc').filter((item) => item.id !== wait.id));
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const fakeTask = dms.tasks.get('t')!;
    Object.assign(fakeTask, { status: 'failed', stopReason: 'FATAL_ERROR', failure: 'ERROR: out of memory' });
    const result = await handlers.dms.run(start, s.context(start));
    expect(result).toMatchObject({
      status: 'succeeded',
      outputs: { startType: 'resume-processing', status: 'running' },
      note: 'replication task t had failed (status failed (FATAL_ERROR): ERROR: out of memory); restarted with resume-processing',
    });
    expect(fakeTask.startTypes).toEqual(['start-replication', 'resume-processing']);
  });

  it('a failed task DMS cannot resume: fails with each way on unless the plan allows a reload, then waits for the gate', async () => {
    const reloadable = { ...start, input: { ...start.input, migrationType: 'full-load-and-cdc', allowReload: true } };
    const s = await session([
      ...fullGraph('full-load-and-cdc').filter((item) => item.id !== wait.id && item.id !== start.id),
      reloadable,
    ]);
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const fakeTask = dms.tasks.get('t')!;
    const failure = 'ERROR: replication slot "t_slot" does not exist';
    Object.assign(fakeTask, { status: 'failed', stopReason: 'FATAL_ERROR', failure });
    dms.tables = ['public.customers', 'public.orders'];
    // The plan does not allow a reload: the failure, and the exact commands.
    await expect(handlers.dms.run(start, s.context(start))).rejects.toThrow(
      [
        `replication task t status failed (FATAL_ERROR): ${failure}`,
        "DMS cannot resume it: DMS's failure says it cannot go on from where it stopped",
        `load every table again (the plan does not let apply do it: dms.tasks[].allow_reload):  aws dms start-replication-task --replication-task-arn ${fakeTask.arn} --start-replication-task-type reload-target`,
        'or undo the migration:  pgferry abort orders',
      ].join('\n  '),
    );
    // The plan allows it: the reload waits for its gate, then runs once per approval.
    expect(await handlers.dms.run(reloadable, s.context(reloadable))).toEqual({
      status: 'waiting-gate',
      gate: 'reload-target',
    });
    expect(fakeTask.startTypes).toEqual(['start-replication']);
    s.journal.gates['reload-target'] = { approvedAt: '2026-01-01T00:00:00.000Z', approvedBy: 'test' };
    const reloaded = await handlers.dms.run(reloadable, s.context(reloadable));
    expect(reloaded).toMatchObject({ status: 'succeeded', outputs: { startType: 'reload-target' } });
    expect(fakeTask.startTypes).toEqual(['start-replication', 'reload-target']);
  });

  it('stop and delete are idempotent', async () => {
    const stop = node({ id: 'dms.task.t.stop', kind: 'DmsTaskStop', phase: 'cutover', input: { task: 't' } });
    const del = node({ id: 'dms.task.t.delete', kind: 'DmsTaskDelete', phase: 'cleanup', input: { task: 't' } });
    const s = await session([...fullGraph('full-load-and-cdc').filter((item) => item.id !== wait.id), stop, del]);
    await applyGraph(s, { phases: ['prepare', 'load'] });
    for (let i = 0; i < 2; i += 1) {
      expect(await handlers.dms.run(stop, s.context(stop))).toMatchObject({ status: 'succeeded' });
      expect(await handlers.dms.run(del, s.context(del))).toMatchObject({ status: 'succeeded' });
    }
    expect(dms.count('StopReplicationTask')).toBe(1);
    expect(dms.count('DeleteReplicationTask')).toBe(1);
    expect(dms.tasks.size).toBe(0);
  });
});

describe('journal hygiene', () => {
  it('the next run removes the temp file a writer killed mid-write left next to the journal', async () => {
    const s = await session([instance]);
    await applyGraph(s, { phases: ['prepare'] });
    // One left by an older pgferry (its own name) and one by the shared writer (contracts/atomic-file).
    await writeFile(join(dir, 'orders', '.journal.999999.1767225600000.tmp'), '{"torn":');
    await writeFile(join(dir, 'orders', '.journal.json.pgferry-999999-0a1b2c3d.tmp'), '{"torn":');
    // Another file's temp in the same directory (a verify checkpoint being written) is not the journal's.
    await writeFile(join(dir, 'orders', '.verify.json.pgferry-999999-0a1b2c3d.tmp'), '{');
    await applyGraph(await session([instance]), { phases: ['prepare'] });
    expect(await readdir(join(dir, 'orders'))).toEqual(['.verify.json.pgferry-999999-0a1b2c3d.tmp', 'journal.json']);
  });
});

describe('engine', () => {
  function tracking(limit: { now: number; max: number }, fail: Set<string>, total = 0): HandlerRegistry {
    let started = 0;
    const waiters: (() => void)[] = [];
    const release = () => {
      if (limit.now >= 3 || started >= total) for (const wake of waiters.splice(0)) wake();
    };
    const handler: Handler = {
      async run(item) {
        limit.now += 1;
        started += 1;
        limit.max = Math.max(limit.max, limit.now);
        // Hold each node until three run at once (or no more will start): a barrier, not a timer.
        const held = new Promise<void>((resolve) => waiters.push(resolve));
        release();
        await held;
        limit.now -= 1;
        if (fail.has(item.id)) throw new Error(`boom in ${item.id}`);
        return { status: 'succeeded', outputs: {} };
      },
    };
    return Object.fromEntries(
      (['agent', 'target-sql', 'dms', 'ssm', 'gate', 'wait'] satisfies ExecutorKind[]).map((kind) => [kind, handler]),
    ) as unknown as HandlerRegistry;
  }

  it('runs at most `parallelism` nodes at once', async () => {
    const nodes = Array.from({ length: 8 }, (_, i) =>
      node({ id: `n${i}`, kind: 'SsmParameterResolve', phase: 'prepare', input: { parameter: `/p/${i}` } }),
    );
    const limit = { now: 0, max: 0 };
    const s = await session(nodes);
    const summary = await applyGraph(s, {
      phases: ['prepare'],
      parallelism: 3,
      handlers: tracking(limit, new Set(), 8),
    });
    expect(summary.ran).toHaveLength(8);
    expect(limit.max).toBe(3);
  });

  it('a failure stops its dependents only', async () => {
    const a = node({ id: 'a', kind: 'SsmParameterResolve', phase: 'prepare', provides: ['a'] });
    const b = node({ id: 'b', kind: 'SsmParameterResolve', phase: 'prepare', requires: ['a'] });
    const c = node({ id: 'c', kind: 'SsmParameterResolve', phase: 'prepare' });
    const s = await session([a, b, c]);
    const summary = await applyGraph(s, {
      phases: ['prepare'],
      handlers: tracking({ now: 0, max: 0 }, new Set(['a'])),
    });
    expect(summary.failed).toEqual([{ id: 'a', error: 'boom in a' }]);
    expect(summary.blocked).toEqual(['b']);
    expect(s.journal.nodes.c?.state).toBe('succeeded');
    expect(s.journal.nodes.b?.state).toBe('pending');
  });
});

describe('status', () => {
  it('lists every table of a task with more than 100 (DescribeTableStatistics pages of 100)', async () => {
    dms.tables = Array.from({ length: 113 }, (_, i) => `public.t${String(i).padStart(3, '0')}`);
    const s = await session(fullGraph());
    await applyGraph(s, { phases: ['prepare', 'load'] });
    const report = await statusReport(s, true);
    expect(report.problems).toEqual([]);
    expect(report.tasks[0]?.tables.map((row) => row.table)).toEqual(dms.tables);
    expect(
      dms.calls.filter((call) => call.command === 'DescribeTableStatistics').map((call) => call.input.Marker),
    ).toEqual([undefined, 'page-100']);
  });

  it('estimates the rest of a full load linearly', () => {
    expect(fullLoadEta(50, 60_000)).toBe(60);
    expect(fullLoadEta(100, 60_000)).toBeNull();
    expect(fullLoadEta(0, 60_000)).toBeNull();
  });
});
