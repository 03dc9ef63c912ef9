// The seed scenario, plans/orders.yaml as shipped: one full-load task with a downtime fence, on real
// clusters (addresses overridden) with the fake agent and fake DMS.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWrite, nodeStates, SECRETS, sequenceValue, slotNames, startWorld, type World } from './support/world.js';

const ORDERS = fileURLToPath(new URL('../../plans/orders.yaml', import.meta.url));

describe('plans/orders.yaml: full load with a downtime fence', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ plan: { file: ORDERS, name: 'orders' } });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('walks the gates: restart consent (nothing pending), downtime, writes-open', async () => {
    const first = await world.run('apply');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/waiting for approval: pgferry approve .*orders\.yaml restart-consent/);
    await world.run('approve', ['restart-consent']);
    const second = await world.run('apply');
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/waiting for approval: pgferry approve .*orders\.yaml downtime/);
    expect(world.agent.requests).not.toContain('POST /v1/restart');
    expect(await appWrite(world.source)).toBe('ok');

    await world.run('approve', ['downtime']);
    const load = await world.run('apply');
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(world.dms.tasks.get('orders-full-load')).toMatchObject({
      status: 'stopped',
      stopReason: 'FULL_LOAD_ONLY_FINISHED',
      startTypes: ['start-replication'],
    });
    // Writes stay fenced from before the load until the target takes over.
    expect(await appWrite(world.source)).toMatch(/read-only transaction/);
    expect(await slotNames(world.source)).toEqual([]);
  });

  it('cutover syncs the sequences; cleanup removes the DMS resources', async () => {
    const cutover = await world.run('cutover');
    expect(cutover.stderr).toBe('');
    expect(cutover.code).toBe(0);
    expect(await sequenceValue(world.target, 'public.invoice_no')).toBe('1042');
    expect(await sequenceValue(world.target, 'public.orders_id_seq')).toBe('1005');
    await world.run('approve', ['writes-open']);
    await world.run('approve', ['cleanup']);
    const cleanup = await world.run('cleanup');
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    expect(world.dms.instances.size).toBe(0);
    expect(Object.values(nodeStates(await world.journal())).every((state) => state === 'succeeded')).toBe(true);
    const everything = [...world.transcript, JSON.stringify(await world.journal())].join('\n');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
  });
});
