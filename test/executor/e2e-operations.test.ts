// The operational path around the happy one, on real clusters with the fake agent and fake DMS: a task
// that fails during the full load and during CDC is restarted by the next apply (resume-processing),
// with DMS's failure and the ways on printed; a task deleted out of band is drift for status and apply,
// which create it again and stop before a start that would load every table a second time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStates, startWorld, type World } from './support/world.js';

describe('failed and vanished DMS tasks', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a task that fails during the full load: apply shows why and each way on, the next apply resumes it', async () => {
    expect((await world.run('apply')).code).toBe(0);
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    world.dms.tables = ['public.customers', 'public.orders'];
    const failure = 'ERROR: could not extend file "base/16384/16390": No space left on device';
    // The fake fails the task on the first describe after it runs: the full-load wait sees it.
    world.dms.failTask('orders-cdc', failure);
    const failed = await world.run('apply');
    expect(failed.code).toBe(1);
    const arn = world.dms.tasks.get('orders-cdc')!.arn;
    expect(failed.stderr).toContain(`replication task orders-cdc status failed (FATAL_ERROR): ${failure}`);
    expect(failed.stderr).toMatch(
      /fix the cause, then resume it from where it stopped: {2}pgferry apply \S*cdc\.yaml {2}\(StartReplicationTask resume-processing\)/,
    );
    expect(failed.stderr).toContain(
      `or by hand:  aws dms start-replication-task --replication-task-arn ${arn} --start-replication-task-type resume-processing`,
    );
    expect(failed.stderr).toContain(`--start-replication-task-type reload-target`);
    expect(failed.stderr).toMatch(/or undo the migration: {2}pgferry abort \S*cdc\.yaml/);

    const status = await world.run('status', ['--json']);
    const report = JSON.parse(status.stdout) as { problems: string[] };
    expect(report.problems).toContain(
      `drift: replication task orders-cdc: status failed (FATAL_ERROR): ${failure} → restart: apply restarts it (resume-processing, or reload-target where DMS cannot resume and the plan allows it)`,
    );

    const resumed = await world.run('apply');
    expect(resumed.stderr).not.toContain('failed:');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('drift: replication task orders-cdc: status failed');
    expect(resumed.stdout).toContain('runs again after the refresh: dms.task.orders-cdc.start');
    expect(resumed.stdout).toContain('restarted with resume-processing');
    expect(world.dms.tasks.get('orders-cdc')?.startTypes).toEqual(['start-replication', 'resume-processing']);
    const states = nodeStates(await world.journal());
    expect(states['dms.task.orders-cdc.full-load-wait']).toBe('succeeded');
    expect(states['target.orders.post-load']).toBe('succeeded');
  });

  it('a task that fails during CDC: status names it, apply resumes it', async () => {
    world.dms.failTask('orders-cdc', 'ERROR: canceling statement due to conflict with recovery');
    const status = JSON.parse((await world.run('status', ['--json'])).stdout) as { problems: string[] };
    expect(status.problems.join('\n')).toContain('drift: replication task orders-cdc: status failed (FATAL_ERROR)');
    const apply = await world.run('apply');
    expect(apply.code).toBe(0);
    expect(apply.stdout).not.toContain('nothing to do');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
    expect(world.dms.tasks.get('orders-cdc')?.startTypes).toEqual([
      'start-replication',
      'resume-processing',
      'resume-processing',
    ]);
  });

  it('a task deleted out of band: status and apply see it gone; apply creates it and stops before reloading', async () => {
    world.dms.tasks.delete('orders-cdc');
    const status = JSON.parse((await world.run('status', ['--json'])).stdout) as { problems: string[] };
    expect(status.problems).toContain(
      'drift: replication task orders-cdc: gone: the journal has it created, AWS does not have it (deleted outside pgferry?) → recreate: apply creates it again (and what uses it runs again)',
    );
    const apply = await world.run('apply');
    expect(apply.stdout).not.toContain('nothing to do');
    expect(apply.stdout).toContain(
      'runs again after the refresh: dms.task.orders-cdc.create, dms.task.orders-cdc.start',
    );
    expect(world.dms.created.get('CreateReplicationTask')).toBe(2);
    // Its first start would load every table into a target that has them: the plan does not allow it.
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      'replication task orders-cdc was created again after its earlier task (arn:aws:dms:',
    );
    expect(apply.stderr).toContain('the plan does not let apply reload (dms.tasks[].allow_reload: true does');
    expect(world.dms.tasks.get('orders-cdc')?.startTypes).toEqual([]);
  });
});
