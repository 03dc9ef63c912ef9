// Executor operations against the HTTP-level DMS stand-in (real SDK clients through --dms-endpoint and
// --ssm-endpoint, every request checked against the API model, wall-clock states, DMS's own slot on the
// real source): a task failed during the full load and during CDC, then resumed by apply; more than 100
// tables in status; a CDC change before the fence the target lacks stops the cutover before writes
// open; a task deleted out of band detected by status and apply; abort, then cleanup in the graph's
// order with no delete refused (InvalidResourceStateFault).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWrite, nodeStates, startWorld, type World } from './support/world.js';

const TASK = 'orders-cdc';

describe('executor operations on the HTTP DMS stand-in', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ dms: 'http' });
  });
  afterAll(async () => {
    await world?.close();
  });

  const status = async () =>
    JSON.parse((await world.run('status', ['--json'])).stdout) as {
      problems: string[];
      tasks: { task: string; status: string; tables: { table: string }[] }[];
    };

  it('a task failed during the full load: apply says why and how on; the next apply resumes it', async () => {
    expect((await world.run('apply')).code).toBe(0);
    await world.run('approve', ['restart-consent']);
    const failure = 'ERROR: could not extend file "base/16384/16390": No space left on device';
    world.dms.failTask(TASK, failure);
    const failed = await world.run('apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`replication task ${TASK} status failed (FATAL_ERROR): ${failure}`);
    expect(failed.stderr).toContain('(StartReplicationTask resume-processing)');
    expect(failed.stderr).toMatch(/--start-replication-task-type resume-processing/);
    expect(failed.stderr).toMatch(/--start-replication-task-type reload-target/);
    expect((await status()).problems.join('\n')).toContain(
      `drift: replication task ${TASK}: status failed (FATAL_ERROR): ${failure} → restart`,
    );
    const resumed = await world.run('apply');
    expect(resumed.stderr).not.toMatch(/node\(s\) failed/);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('restarted with resume-processing');
    expect(world.dms.tasks.get(TASK)?.startTypes).toEqual(['start-replication', 'resume-processing']);
    expect(nodeStates(await world.journal())['target.orders.post-load']).toBe('succeeded');
  });

  it('a task failed during CDC: status names it, apply resumes it', async () => {
    world.dms.fail(world.dms.tasks.get(TASK)!, 'ERROR: canceling statement due to conflict with recovery');
    expect((await status()).problems.join('\n')).toContain(`drift: replication task ${TASK}: status failed`);
    const apply = await world.run('apply');
    expect(apply.code).toBe(0);
    expect(apply.stdout).not.toContain('nothing to do');
    expect(world.dms.tasks.get(TASK)?.startTypes).toEqual([
      'start-replication',
      'resume-processing',
      'resume-processing',
    ]);
  });

  it('status lists all of a task with more than 100 tables', async () => {
    const tables = Array.from({ length: 113 }, (_, i) => `public.t${String(i).padStart(3, '0')}`);
    world.dms.tables = tables;
    const report = await status();
    expect(report.tasks.find((task) => task.task === TASK)?.tables.map((row) => row.table)).toEqual(tables);
    world.dms.tables = ['public.customers', 'public.orders'];
  });

  it('a CDC change before the fence that the target lacks stops the cutover before writes open', async () => {
    await world.run('approve', ['cutover']);
    // Lost before it exists: the stand-in's delivery (every 20 ms) must never see it unmarked.
    const next = await world.source.query("SELECT nextval('public.customers_id_seq') AS id", [], 'orders');
    world.lostRows.add(`public.customers:${next.rows[0].id}`);
    await world.source.query(
      "INSERT INTO public.customers (id, name) VALUES ($1, 'never-applied')",
      [next.rows[0].id],
      'orders',
    );
    const cutover = await world.run('cutover');
    // DMS published its CDC latency to CloudWatch (the stand-in's, through --cloudwatch-endpoint): the
    // lag gate used it.
    expect(cutover.stdout).toMatch(
      /✓ cutover\.orders-cdc\.lag-wait {2}lag 2 s from CloudWatch \(CDCLatencySource 1 s, CDCLatencyTarget 2 s at \S+\) \(limit 5 s\), \d+ bytes/,
    );
    expect(cutover.code).toBe(1);
    expect(cutover.stderr).toContain('the target lacks changes from before the fence');
    expect(cutover.stderr).toContain('public.customers: source 4 rows, target 3');
    const states = nodeStates(await world.journal());
    expect(states['cutover.orders-cdc.marker-wait']).toBe('failed');
    expect(states['cutover.orders.sequences']).toBe('pending');
    expect(states['gate.writes-open']).toBe('pending');
    expect(await appWrite(world.source)).toMatch(/read-only transaction/);
  });

  it('a task deleted out of band: status and apply see it gone; apply creates it and stops before reloading', async () => {
    world.dms.tasks.delete(TASK);
    expect((await status()).problems).toContain(
      `drift: replication task ${TASK}: gone: the journal has it created, AWS does not have it (deleted outside pgferry?) → recreate: apply creates it again (and what uses it runs again)`,
    );
    const apply = await world.run('apply');
    expect(apply.stdout).not.toContain('nothing to do');
    expect(apply.stdout).toContain(`drift: replication task ${TASK}: gone`);
    expect(world.dms.created.get('CreateReplicationTask')).toBe(2);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('the plan does not let apply reload');
    expect(world.dms.tasks.get(TASK)?.startTypes).toEqual([]);
  });

  it('abort, then cleanup deletes in the graph order, no delete refused', async () => {
    expect((await world.run('abort')).code).toBe(0);
    await world.run('approve', ['cleanup']);
    const before = world.dms.calls.length;
    const cleanup = await world.run('cleanup');
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    const deletes = world.dms.calls
      .slice(before)
      .filter((call) => call.command.startsWith('Delete'))
      .map((call) => call.command);
    // Each asked once: a refused one (InvalidResourceStateFault) would have been asked again or failed.
    expect(deletes).toEqual(['DeleteReplicationTask', 'DeleteEndpoint', 'DeleteEndpoint', 'DeleteReplicationInstance']);
    expect(world.dms.tasks.size + world.dms.endpoints.size + world.dms.instances.size).toBe(0);
  });
});
