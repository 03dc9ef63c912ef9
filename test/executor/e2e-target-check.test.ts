// The cutover proves the target caught up, not only the slot: a change committed on the source before
// the fence that DMS never applied (the simulated DMS reads it, confirms the slot past the marker, and
// drops the row) stops the cutover before sequences, cutover SQL and the writes-open gate; the source
// stays fenced. Once the row arrives, the same command finishes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWrite, nodeStates, startWorld, type World } from './support/world.js';

describe('cutover: the target must hold everything up to the fence', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a change before the fence the target lacks stops the cutover before writes open', async () => {
    expect((await world.run('apply')).code).toBe(0);
    await world.run('approve', ['restart-consent']);
    expect((await world.run('apply')).code).toBe(0);
    await world.run('approve', ['cutover']);
    world.agent.simulateConsumer = true;
    // Committed before the fence; DMS reads it (the slot moves on) but never applies it.
    const inserted = await world.source.query(
      "INSERT INTO public.customers (name) VALUES ('before-the-fence') RETURNING id",
      [],
      'orders',
    );
    world.lostRows.add(`public.customers:${inserted.rows[0].id}`);
    const result = await world.run('cutover', ['--max-polls', '60']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cutover.orders-cdc.marker-wait: the target lacks changes from before the fence (task orders-cdc; it stopped moving 20 polls ago): public.customers: source 4 rows, target 3. Writes stay fenced.',
    );
    const states = nodeStates(await world.journal());
    expect(states['cutover.orders-cdc.marker-wait']).toBe('failed');
    expect(states['cutover.orders.sequences']).toBe('pending');
    expect(states['gate.writes-open']).toBe('pending');
    expect(await appWrite(world.source)).toMatch(/read-only transaction/);
    const target = await world.target.query('SELECT count(*)::int AS n FROM public.customers', [], 'orders');
    expect(target.rows[0].n).toBe(3);
  });

  it('once the target has the row, the same cutover goes on and finishes', async () => {
    world.lostRows.clear();
    const result = await world.run('cutover');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('target has the source');
    const states = nodeStates(await world.journal());
    expect(states['cutover.orders-cdc.marker-wait']).toBe('succeeded');
    expect(states['cutover.orders.sequences']).toBe('succeeded');
  });
});
