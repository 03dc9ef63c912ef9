// `apply --catalog REVIEWED.json` (issue 9 item 3): the source preflight reads a fresh snapshot through
// the REAL agent (in-process, real PostgreSQL 16) and compares it with the one the plan was reviewed
// against. A primary key dropped on a table the CDC task streams stops the run at the preflight; once
// it is back, a table added since review is reported and the run goes on. A snapshot of another
// cluster stops it too.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as catalog } from '../../cli/commands/catalog.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { runCommand } from '../diff/support/cli.js';
import { nodeStates, startWorld, type World } from './support/world.js';

describe('apply --catalog: what changed on the source since review', () => {
  let world: World;
  let dir: string;
  let reviewed: string;
  beforeAll(async () => {
    world = await startWorld({ agent: 'real' });
    dir = await mkdtemp(join(tmpdir(), 'pgferry-preflight-catalog-'));
    reviewed = join(dir, 'reviewed.json');
    const taken = await runCommand(
      catalog,
      ['--source', world.source.connectionString('postgres'), '--database', 'orders', '--no-lob', '-o', reviewed],
      process.cwd(),
      {},
    );
    expect(taken.code, taken.stderr).toBe(0);
  });
  afterAll(async () => {
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops at the preflight when a table the CDC task streams lost its primary key', async () => {
    await world.source.query('ALTER TABLE public.orders DROP CONSTRAINT orders_pkey', [], 'orders');
    await world.source.query('CREATE TABLE public.added (id int PRIMARY KEY)', [], 'orders');
    // The dry run already says so.
    const dry = await world.run('apply', ['--dry-run', '--catalog', reviewed]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/^error {5}source\.preflight {2}the source changed since the plan was reviewed/m);
    const result = await world.run('apply', ['--catalog', reviewed]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the source changed since the plan was reviewed against ${reviewed}`);
    expect(result.stderr).toMatch(/PGF5010 table "public\.orders" has no primary key/);
    // What informs is said beside what blocks.
    expect(result.stderr).toContain('orders: public.orders: primary key (id) dropped');
    expect(result.stderr).toContain('orders: table public.added added');
    const states = nodeStates(await world.journal());
    expect(states['source.preflight']).toBe('failed');
    // Nothing after the preflight ran: the source configuration is untouched.
    expect(states['source.config.apply'] ?? 'pending').toBe('pending');
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('replica');
  });

  it('goes on once the key is back, reporting the table added since review', async () => {
    await world.source.query('ALTER TABLE public.orders ADD PRIMARY KEY (id)', [], 'orders');
    const dry = await world.run('apply', ['--dry-run', '--catalog', reviewed]);
    expect(dry.stdout).toMatch(/source\.preflight {2}.*none blocking: orders: table public\.added added/);
    const result = await world.run('apply', ['--catalog', reviewed]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /✓ source\.preflight .*1 change\(s\) on the source since .*reviewed\.json, none blocking: orders: table public\.added added/,
    );
    expect(nodeStates(await world.journal())['source.preflight']).toBe('succeeded');
  });

  it('refuses a reviewed snapshot of another cluster, and a file that is no snapshot (exit 2)', async () => {
    const snapshot = JSON.parse(await readFile(reviewed, 'utf8')) as CatalogSnapshot;
    const other = join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ ...snapshot, cluster: { ...snapshot.cluster, systemIdentifier: '1' } }));
    // A fresh state directory, so the preflight runs again.
    const state = join(dir, 'state-other');
    const result = await world.run('apply', ['--catalog', other, '--state-dir', state]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /the snapshots come from different clusters \(system identifier 1 reviewed, \d+ now\)/,
    );

    const bogus = join(dir, 'bogus.json');
    await writeFile(bogus, '{"formatVersion": 1, "databases": []}');
    const refused = await world.run('apply', ['--catalog', bogus, '--state-dir', state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('older than this pgferry reads');
  });
});
