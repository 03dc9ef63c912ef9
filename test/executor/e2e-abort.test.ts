// Abort after the write fence: compensations unfence the source, stop the task and revert the target,
// the finaliser drops the slot; a second abort changes nothing; cleanup still removes DMS resources.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmsFake } from '../support/dms-fake.js';
import { appWrite, SECRETS, slotNames, startWorld, type World } from './support/world.js';

describe('abort after the fence', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a cutover that fails after fencing leaves the source fenced', async () => {
    // --json: the run's outcome as one document (stopped at a gate is exit 0).
    const first = await world.run('apply', ['--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ failed: [], waitingGates: ['restart-consent'] });
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    expect((await world.run('apply')).code).toBe(0);
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    world.agent.simulateConsumer = true;
    world.agent.failNext('POST /v1/markers', 500, 'MARKER_FAILED');
    const result = await world.run('cutover', ['--json']);
    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.stdout) as { failed: { id: string; error: string }[] };
    expect(outcome.failed.map((failure) => failure.id)).toEqual(['cutover.orders-cdc.marker']);
    expect(outcome.failed[0]!.error).toContain('agent POST /v1/markers: 500 MARKER_FAILED');
    expect(await appWrite(world.source)).toMatch(/read-only transaction/);
    expect(await slotNames(world.source)).toEqual([DmsFake.slotNameFor('orders-cdc')]);
  });

  it('abort runs the compensations and drops the slot', async () => {
    world.agent.simulateConsumer = false;
    const result = await world.run('abort');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ cutover.orders.fence SourceWriteUnfence');
    expect(result.stdout).toContain('✓ dms.task.orders-cdc.start DmsTaskStop');
    expect(result.stdout).toContain('✓ target.orders.prepare TargetFkRestore');
    expect(result.stdout).toContain('✓ source.slot.orders-cdc.drop SourceSlotDrop');
    expect(await appWrite(world.source)).toBe('ok');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('stopped');
    expect(await slotNames(world.source)).toEqual([]);
  });

  it('abort again is harmless; apply refuses an aborted plan', async () => {
    const again = await world.run('abort');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('aborted');
    expect(await appWrite(world.source)).toBe('ok');
    const apply = await world.run('apply');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('was aborted');
  });

  it('cleanup after an abort deletes the DMS resources', async () => {
    expect((await world.run('approve', ['cleanup'])).code).toBe(0);
    const result = await world.run('cleanup', ['--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ failed: [], complete: true, next: null });
    expect(world.dms.tasks.size).toBe(0);
    expect(world.dms.endpoints.size).toBe(0);
    expect(world.dms.instances.size).toBe(0);
    // In the graph's order: the task before the endpoints it uses, the endpoints before the instance.
    // Each delete was asked once: none was refused (InvalidResourceStateFault) and asked again.
    const deletes = world.dms.calls.filter((call) => call.command.startsWith('Delete')).map((call) => call.command);
    expect(deletes).toEqual(['DeleteReplicationTask', 'DeleteEndpoint', 'DeleteEndpoint', 'DeleteReplicationInstance']);
  });

  it('no secret value in anything pgferry printed or wrote', async () => {
    const journal = JSON.stringify(await world.journal());
    for (const secret of Object.values(SECRETS))
      expect([...world.transcript, journal].join('\n')).not.toContain(secret);
    // The grep means something only if the run really read the secrets it must keep out of sight.
    expect(world.ssm.reads).toEqual(
      expect.arrayContaining(['/pgferry/shopx/agent/token', '/pgferry/shopx/source/dms_user']),
    );
  });
});

describe('abort before any task started', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('finishes, twice: steps whose inputs never existed are skipped, and what is left on the source is listed', async () => {
    const applied = await world.run('apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('restart-consent');
    for (let i = 0; i < 2; i += 1) {
      const result = await world.run('abort');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/– \S+ SourceSlotDrop: nothing to undo: placeholder @ref\(.*has no output/);
      expect(result.stdout).toContain("left on the source:\n  pg_hba block 'shopx'");
      expect(result.stdout).toContain('--restore-source');
      expect(result.stdout).toContain('aborted');
    }
  });
});
