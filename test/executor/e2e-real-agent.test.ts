// The same plan against the REAL agent (agent/, in-process): config apply with the two-phase plan,
// consented restart, preflight, the pg_hba write fence, the marker row, and the guarded slot drop.
// DMS stays fake; a helper advances the slot the way DMS would consume it.

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmsFake } from '../support/dms-fake.js';
import { appWrite, nodeStates, sequenceValue, slotNames, startWorld, type World } from './support/world.js';

describe('with the real agent', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ agent: 'real' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("apply --dry-run shows the agent's plan for the source: the pg_hba diff, each setting from → to, the restart", async () => {
    const dry = await world.run('apply', ['--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const lines = dry.stdout.split('\n');
    const start = lines.findIndex((line) => line.includes(' source.config.apply '));
    const end = lines.findIndex((line, i) => i > start && !line.startsWith(' '));
    const block = `${lines
      .slice(start, end)
      .join('\n')
      .replaceAll(world.source.hbaFile, '<pg_hba.conf>')
      .replaceAll(String(world.source.port), '<port>')}\n`;
    const golden = fileURLToPath(new URL('./fixtures/dry-run-source-plan.txt', import.meta.url));
    if (process.env.PGFERRY_UPDATE_GOLDEN) await writeFile(golden, block);
    expect(block).toBe(await readFile(golden, 'utf8'));
    // Shown, not done: the source still runs its old settings and pg_hba.
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('replica');
    expect(await readFile(world.source.hbaFile, 'utf8')).not.toContain('BEGIN pgferry');
  });

  it('applies the bundle and restarts only after consent', async () => {
    const first = await world.run('apply');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(nodeStates(await world.journal())['gate.restart-consent']).toBe('waiting-gate');
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('replica');
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    const second = await world.run('apply');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');
    expect(await slotNames(world.source)).toEqual([DmsFake.slotNameFor('orders-cdc')]);
  });

  it('cutover: hba fence refuses the application role, sequences synced, slot dropped', async () => {
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    world.agent.simulateConsumer = true;
    const result = await world.run('cutover');
    world.agent.simulateConsumer = false;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await appWrite(world.source).catch((error: Error) => error.message)).toMatch(
      /pg_hba\.conf rejects connection|no pg_hba\.conf entry/,
    );
    expect(await sequenceValue(world.target, 'public.invoice_no')).toBe('1042');
    expect(await slotNames(world.source)).toEqual([]);
  });

  it('abort unfences through the agent (twice is harmless)', async () => {
    for (let i = 0; i < 2; i += 1) {
      const result = await world.run('abort');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('✓ cutover.orders.fence SourceWriteUnfence');
      expect(await appWrite(world.source)).toBe('ok');
    }
    expect(await slotNames(world.source)).toEqual([]);
  });

  it('abort lists what it left on the source; --restore-source rolls the config back and restarts', async () => {
    const listed = await world.run('abort');
    expect(listed.stdout).toMatch(
      /left on the source:\n {2}pg_hba block 'shopx', settings .*wal_level replica → logical/,
    );
    expect(listed.stdout).toMatch(/undo: pgferry abort .* --restore-source \(rolls back to agent backup \S+,/);
    expect(await readFile(world.source.hbaFile, 'utf8')).toContain('# BEGIN pgferry shopx');

    const restored = await world.run('abort', ['--restore-source']);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(
      /✓ source\.config\.apply SourceRestore: rolled back to agent backup \S+; restarted for .*wal_level/,
    );
    expect(restored.stdout).not.toContain('left on the source');
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('replica');
    expect(await readFile(world.source.hbaFile, 'utf8')).not.toContain('pgferry shopx');
    // Once restored, a further abort has nothing of the source's config left to roll back.
    const again = await world.run('abort', ['--restore-source']);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('SourceRestore');
  });
});
