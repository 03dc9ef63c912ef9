// The plan changes between runs: a change to nodes that already ran stops the run and names them;
// a change to nodes that have not run is picked up. Also: a run killed mid-node resumes by adopting.

import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_FILE, startWorld, type World } from './support/world.js';

describe('plan changes and interrupted runs', () => {
  let world: World;
  let dir: string;
  let plan: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-plan-'));
    plan = join(dir, 'cdc.yaml');
    await copyFile(PLAN_FILE, plan);
    world = await startWorld({ plan: { file: plan, name: 'shopx' } });
  });
  afterAll(async () => {
    await world?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a change to nodes that already ran, naming them', async () => {
    expect((await world.run('apply')).code).toBe(0);
    const original = await readFile(plan, 'utf8');
    // A source setting changes the bundle, so the config nodes that ran no longer match.
    await writeFile(
      plan,
      original.replace(
        '  write_roles: [orders_app]',
        '  write_roles: [orders_app]\n  settings:\n    max_wal_senders: 6',
      ),
    );
    const refused = await world.run('apply');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'the compiled plan changed since the journal was written, in nodes that already ran:',
    );
    expect(refused.stderr).toContain('  source.config.apply\n');
    expect(refused.stderr).toContain('--allow-plan-change');

    // Told to, apply takes the change: the config nodes run again with the new bundle.
    const applies = () =>
      world.agent.requests.filter((request) => /^POST \/v1\/plans\/[^/]+\/apply$/.test(request)).length;
    const appliedBefore = applies();
    expect(appliedBefore).toBeGreaterThan(0);
    const allowed = await world.run('apply', ['--allow-plan-change']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(
      /plan changed in nodes that ran; run again \(--allow-plan-change\): .*source\.config\.apply/,
    );
    expect(allowed.stdout).not.toMatch(/had not run: .*source\.config\.apply/);
    expect(applies()).toBe(appliedBefore + 1);
    const journal = await world.journal();
    const config = (journal.nodes as Record<string, { state: string }>)['source.config.apply'];
    expect(config?.state).toBe('succeeded');

    // Back to the original plan the same way, so the tests below start from it.
    await writeFile(plan, original);
    expect((await world.run('apply', ['--allow-plan-change'])).code).toBe(0);
    expect(applies()).toBe(appliedBefore + 2);
  });

  it('takes a change to nodes that have not run', async () => {
    const original = await readFile(plan, 'utf8');
    await writeFile(plan, original.replace('margin: 1000', 'margin: 5000'));
    const result = await world.run('apply');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('plan changed in nodes that had not run: ');
    expect(result.stdout).toContain('cutover.orders.sequences');
  });

  it('a node left running by a killed run is retried and adopts what exists', async () => {
    await world.run('approve', ['restart-consent']);
    expect((await world.run('apply')).code).toBe(0);
    const journal = await world.journal();
    const nodes = journal.nodes as Record<string, { state: string }>;
    nodes['dms.instance.shopx-ri.create']!.state = 'running';
    nodes['dms.task.orders-cdc.start']!.state = 'running';
    await writeFile(world.journalFile, JSON.stringify(journal));
    const result = await world.run('apply');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ dms.instance.shopx-ri.create  (adopted existing)');
    expect(result.stdout).toContain('✓ dms.task.orders-cdc.start  (adopted existing)');
    expect(world.dms.created.get('CreateReplicationInstance')).toBe(1);
    expect(world.dms.count('StartReplicationTask')).toBe(1);
  });
});
