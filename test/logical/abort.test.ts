// Abort of an engine-logical run after the initial copy: the compensations drop the subscription (and
// with it the slot on the source) and the publication, and revert the target's settings.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogicalWorld, NAME, names, rows, startLogicalWorld } from './support.js';

describe('engine logical: abort after apply', () => {
  let world: LogicalWorld;
  beforeAll(async () => {
    world = await startLogicalWorld(16);
    await world.run('apply');
    await world.run('approve', ['restart-consent']);
    const applied = await world.run('apply');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await rows(world.target, 'public.orders')).toBe(200);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('drops the subscription, its slot and the publication', async () => {
    expect(await names(world.source, 'SELECT slot_name FROM pg_replication_slots')).toEqual([NAME]);
    const result = await world.run('abort');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await names(world.target, 'SELECT subname FROM pg_subscription')).toEqual([]);
    expect(await names(world.source, 'SELECT slot_name FROM pg_replication_slots')).toEqual([]);
    expect(await names(world.source, 'SELECT pubname FROM pg_publication')).toEqual([]);
    expect(await names(world.target, 'SHOW session_replication_role', 'postgres')).toEqual(['origin']);
  });

  it('a second abort finds nothing left to undo', async () => {
    const again = await world.run('abort');
    expect(again.code).toBe(0);
    expect(await names(world.target, 'SELECT subname FROM pg_subscription')).toEqual([]);
  });
});
