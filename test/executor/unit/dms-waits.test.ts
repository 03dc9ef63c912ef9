// The DMS task-state and full-load waits speak and end (executor/waits.ts): the latest observation at a
// steady interval, the plan's per-kind timeout (cutover.timeouts), a failure that says what was last seen
// and what to check, and `status` showing a wait in progress with its latest observation.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../contracts/graph.js';
import { applyGraph } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import { statusReport } from '../../../executor/status.js';
import { cloudWatchAccessDenied } from '../../support/cloudwatch-state.js';
import { DmsFake, ssmFake } from '../../support/dms-fake.js';
import { fullLoadWaitNode, taskCreateNode, taskStartNode } from '../support/dms-task-nodes.js';
import { assemble, node } from '../support/graph.js';

let dir: string;
let dms: DmsFake;
let ssm: ReturnType<typeof ssmFake>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-dms-waits-'));
  dms = new DmsFake();
  ssm = ssmFake({});
});
afterEach(async () => {
  dms.restore();
  ssm.restore();
  await rm(dir, { recursive: true, force: true });
});

const instance = node({
  id: 'dms.instance.ri.create',
  kind: 'DmsReplicationInstanceCreate',
  phase: 'prepare',
  input: { request: { ReplicationInstanceIdentifier: 'ri', ReplicationInstanceClass: 'dms.r5.large' } },
  provides: ['ri'],
});
const endpoint = (id: string, type: 'source' | 'target') =>
  node({
    id: `dms.endpoint.${id}.create`,
    kind: 'DmsEndpointCreate',
    phase: 'prepare',
    requires: ['ri'],
    input: { request: { EndpointIdentifier: id, EndpointType: type, EngineName: 'postgres' } },
    provides: [`ep.${id}`],
  });
const task = taskCreateNode(['ep.src', 'ep.tgt']);
const start = taskStartNode;
const wait = fullLoadWaitNode;
const graph: GraphNode[] = [instance, endpoint('src', 'source'), endpoint('tgt', 'target'), task, start, wait];

/** A session polling every 15 s (slept instantly), with the plan's timeouts; `onSleep` runs at each poll. */
async function session(
  timeouts: Record<string, number>,
  log: string[],
  onSleep: () => Promise<void>,
  nodes: GraphNode[] = graph,
) {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: {
      graph: assemble('orders', nodes),
      artifacts: new Map(),
      plan: { name: 'orders', cutover: { timeouts } },
    },
    region: 'eu-west-1',
    sleep: onSleep,
    pollMs: 15_000,
    maxPolls: 2880,
    log: (line) => log.push(line),
  });
}

describe('DMS waits that speak and end', () => {
  it('a full load slower than full_load_minutes: speaks every 30 s, status shows the wait, fails with what it saw', async () => {
    dms.fullLoadStep = 1;
    const log: string[] = [];
    const notes: string[] = [];
    let s: Session | undefined;
    s = await session({ full_load_minutes: 1 }, log, async () => {
      const record = s?.journal.nodes[wait.id];
      if (record?.state !== 'running' || s === undefined) return;
      const report = await statusReport(s, false);
      notes.push(String(report.nodes.find((item) => item.id === wait.id)?.note));
    });
    const summary = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(summary.failed.map((failure) => failure.id)).toEqual([wait.id]);
    const error = summary.failed[0]!.error;
    expect(error).toMatch(
      /^full load of replication task t: not reached after 1 min \(its full_load timeout\); last seen: status running, full load \d+% \(tables loaded 0, loading 2, queued 0, errored 0\); pgferry status shows each table/,
    );
    expect(error).toContain('run the command again to keep waiting, or pgferry abort');
    // It spoke at the steady interval (every 2 polls of 15 s) with the latest observation.
    expect(log.filter((line) => line.includes('waiting for full load of replication task t'))).toEqual([
      expect.stringMatching(
        /^dms\.task\.t\.full-load-wait: waiting for full load of replication task t: status running, full load \d+% .* \(30 s of 1 min\)$/,
      ),
    ]);
    // While it waited, status showed the wait and its latest observation, with when it was seen.
    expect(notes[0]).toMatch(
      /^waiting for full load of replication task t: status running, full load \d+% .*\(0 s of 1 min\) \[as of \d{4}-/,
    );
    expect(notes.at(-1)).toContain('(30 s of 1 min)');
    // The record of the wait in progress goes with the run: a failed node shows its error, not the wait.
    expect(s.journal.nodes[wait.id]?.progress).toBeUndefined();
  });

  it('a task start waits under task_minutes and says the status it kept seeing', async () => {
    const log: string[] = [];
    // DMS never gets the task past starting.
    dms.stuckTasks.set('t', 'starting');
    const s = await session({ task_minutes: 1 }, log, async () => undefined);
    const summary = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(summary.failed.map((failure) => failure.id)).toEqual([start.id]);
    expect(summary.failed[0]!.error).toContain(
      'replication task t: not reached after 1 min (its task timeout); last seen: status starting',
    );
    expect(summary.failed[0]!.error).toContain('pgferry status shows the task, its tables and its last failure');
  });

  it('a quick load passes without a word and leaves no progress behind', async () => {
    const log: string[] = [];
    const s = await session({}, log, async () => undefined);
    const summary = await applyGraph(s, { phases: ['prepare', 'load'] });
    expect(summary.failed).toEqual([]);
    expect(log.filter((line) => line.includes('waiting for'))).toEqual([]);
    expect(Object.values(s.journal.nodes).some((record) => record.progress !== undefined)).toBe(false);
  });
});

describe('the lag gate without an agent: DMS latency from CloudWatch only', () => {
  const cdcTask = {
    ...task,
    input: { request: { ...(task.input.request as object), MigrationType: 'full-load-and-cdc' } },
  };
  const cdcStart = { ...start, input: { task: 't', migrationType: 'full-load-and-cdc', database: 'orders' } };
  const cdcWait = { ...wait, input: { task: 't', migrationType: 'full-load-and-cdc' } };
  const lagWait = node({
    id: 'cutover.t.lag-wait',
    kind: 'CdcLagWait',
    phase: 'cutover',
    requires: ['loaded'],
    input: { engine: 'dms', task: 't', maxLagSeconds: 5 },
  });
  const cdcGraph = [
    instance,
    endpoint('src', 'source'),
    endpoint('tgt', 'target'),
    cdcTask,
    cdcStart,
    cdcWait,
    lagWait,
  ];
  const latency = (source: number, target: number, agoMs: number) => {
    const id = dms.tasks.get('t')!.arn.split(':').at(-1)!;
    const at = new Date(Date.now() - agoMs);
    dms.cloudwatch.put('CDCLatencySource', 'ri', id, { at, value: source });
    dms.cloudwatch.put('CDCLatencyTarget', 'ri', id, { at, value: target });
  };

  it('waits until DMS reports a latency under the limit', async () => {
    const log: string[] = [];
    let sleptInLag = 0;
    const s = await session(
      {},
      log,
      async () => {
        if (s.journal.nodes[lagWait.id]?.state !== 'running') return;
        sleptInLag += 1;
        // DMS catches up: the next minute's datapoint is under the limit.
        if (sleptInLag === 2) latency(1, 2, 1_000);
      },
      cdcGraph,
    );
    expect((await applyGraph(s, { phases: ['prepare', 'load'] })).failed).toEqual([]);
    latency(30, 41, 61_000);
    s.journal.gates.cutover = { approvedAt: 'now', approvedBy: 'test' };
    const summary = await applyGraph(s, { phases: ['cutover'] });
    expect(summary.failed).toEqual([]);
    expect(sleptInLag).toBe(2);
    const record = s.journal.nodes[lagWait.id]!;
    expect(record.outputs).toMatchObject({ lagFrom: 'cloudwatch', lagSeconds: 2, cloudwatch: null });
    expect(record.note).toMatch(
      /^lag 2 s from CloudWatch \(CDCLatencySource 1 s, CDCLatencyTarget 2 s at \S+\) \(limit 5 s\); no agent to read the slot's bytes$/,
    );
    expect(dms.cloudwatch.calls.length).toBe(3);
  });

  it('CloudWatch refuses: the task running is all it can check, and the note says the lag was not measured', async () => {
    dms.cloudwatch.failNext(cloudWatchAccessDenied(), 10);
    const s = await session({}, [], async () => undefined, cdcGraph);
    expect((await applyGraph(s, { phases: ['prepare', 'load'] })).failed).toEqual([]);
    const summary = await applyGraph(s, { phases: ['cutover'] });
    expect(summary.failed).toEqual([]);
    expect(s.journal.nodes[lagWait.id]?.note).toMatch(
      /^task running; lag not measured: no agent to read the slot, and CloudWatch not used: CloudWatch refused the read \(AccessDenied: /,
    );
  });
});
