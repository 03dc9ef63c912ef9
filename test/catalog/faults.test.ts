// Bad input and faults for `pgferry catalog` / `init` and the --catalog flag of validate, compile and
// diff: each gets one clear message, and nothing half-written is left behind.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as catalog } from '../../cli/commands/catalog.js';
import { command as compile } from '../../cli/commands/compile.js';
import { command as diff } from '../../cli/commands/diff.js';
import { command as init } from '../../cli/commands/init.js';
import { command as validate } from '../../cli/commands/validate.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { run } from './support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shopCatalog = join(root, 'test/compiler/rules/fixtures/shop.catalog.json');

describe('catalog against a live server', () => {
  let cluster: PgCluster;
  let dir: string;
  const url = (user: string, db = 'postgres') => `postgres://${user}@127.0.0.1:${cluster.port}/${db}`;

  beforeAll(async () => {
    cluster = await startCluster({
      major: 16, // 16: pg_sequence_last_value still fails without a right on the sequence (18 answers null)
      hba: ['host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256'],
    });
    await cluster.query('CREATE DATABASE app');
    await cluster.query('CREATE TABLE t (id int PRIMARY KEY, body text)', [], 'app');
    await cluster.query("INSERT INTO t VALUES (1, 'hello')", [], 'app');
    // pg_monitor gives no right on sequences: their last value must not fail the snapshot (README walkthrough).
    await cluster.query("CREATE SEQUENCE invoice_no; SELECT nextval('invoice_no')", [], 'app');
    await cluster.query("CREATE ROLE plain LOGIN PASSWORD 'plain-pw'");
    await cluster.query("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    dir = await mkdtemp(join(tmpdir(), 'pgferry-catalog-faults-'));
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says the host is unreachable and writes nothing', async () => {
    const out = join(dir, 'unreachable.json');
    const ran = await run(catalog, ['--source', 'postgres://postgres@127.0.0.1:1/postgres', '-o', out]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)');
    expect(ran.stderr).toContain('nothing written');
    expect(existsSync(out)).toBe(false);
  });

  it('says the password is wrong, without echoing it', async () => {
    const ran = await run(catalog, ['--source', url('monitor'), '--password-ref', 'env:PW'], { PW: 'wrong-secret' });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('password authentication failed for user "monitor"');
    expect(ran.stderr).not.toContain('wrong-secret');
  });

  it('refuses a password in the URL', async () => {
    const ran = await run(catalog, ['--source', `postgres://monitor:monitor-pw@127.0.0.1:${cluster.port}/postgres`]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--source carries a password');
    expect(ran.stderr).not.toContain('monitor-pw');
  });

  it('names the grant a role without pg_monitor lacks', async () => {
    const ran = await run(catalog, ['--source', url('plain')], { PGPASSWORD: 'plain-pw' });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('GRANT pg_monitor TO "plain"');
  });

  it('reads everything but LOB sizes as a pg_monitor role, and names the grant for those', async () => {
    const out = join(dir, 'monitor.json');
    const ran = await run(catalog, ['--source', url('monitor'), '-o', out], { PGPASSWORD: 'monitor-pw' });
    expect(ran.code, ran.stderr).toBe(0);
    const snapshot = JSON.parse(await readFile(out, 'utf8'));
    expect(snapshot.lobSampling.tablesWithoutSelect).toBe(1);
    expect(snapshot.databases[0].tables[0].columns[1].lob).toBeNull();
    expect(ran.stderr).toContain('GRANT pg_read_all_data');
    // The sequence is listed; its last value is what the role may not read.
    expect(snapshot.databases[0].sequences).toEqual([
      { lastValue: null, name: 'invoice_no', ownedBy: null, schema: 'public' },
    ]);
    const full = await run(catalog, ['--source', url('postgres'), '--database', 'app']);
    expect(JSON.parse(full.stdout).databases[0].sequences[0].lastValue).toBe('1');
  });

  it('refuses a schema larger than --max-tables instead of reading part of it', async () => {
    const out = join(dir, 'huge.json');
    const ran = await run(catalog, ['--source', url('postgres'), '--max-tables', '0', '-o', out]);
    expect(ran.code).toBe(2);
    const capped = await run(catalog, ['--source', url('postgres'), '--max-tables', '1', '-o', out]);
    expect(capped.code).toBe(0);
    await cluster.query('CREATE TABLE u (id int)', [], 'app');
    const over = await run(catalog, ['--source', url('postgres'), '--max-tables', '1', '-o', join(dir, 'over.json')]);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('database "app" has 2 relations, more than the limit of 1');
    expect(existsSync(join(dir, 'over.json'))).toBe(false);
  });

  it('says which database does not exist', async () => {
    const ran = await run(catalog, ['--source', url('postgres'), '--database', 'nope']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('database "nope" does not exist');
  });

  it('--compare reports what changed since the reviewed snapshot, and refuses another cluster', async () => {
    const reviewed = join(dir, 'reviewed.json');
    const first = await run(catalog, ['--source', url('postgres'), '--database', 'app', '-o', reviewed]);
    expect(first.code, first.stderr).toBe(0);
    const same = await run(catalog, ['--source', url('postgres'), '--database', 'app', '--compare', reviewed]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('no change since');
    await cluster.query('CREATE TABLE added (id int)', [], 'app');
    await cluster.query('ALTER TABLE t DROP CONSTRAINT t_pkey', [], 'app');
    const changed = await run(catalog, ['--source', url('postgres'), '--database', 'app', '--compare', reviewed]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('app: table public.added added');
    expect(changed.stderr).toContain('app: public.t: primary key (id) dropped');
    const foreign = JSON.parse(await readFile(reviewed, 'utf8'));
    foreign.cluster.systemIdentifier = '1';
    await writeFile(reviewed, JSON.stringify(foreign));
    const other = await run(catalog, ['--source', url('postgres'), '--database', 'app', '--compare', reviewed]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('the snapshots come from different clusters');
    await cluster.query('DROP TABLE added', [], 'app');
    await cluster.query('ALTER TABLE t ADD PRIMARY KEY (id)', [], 'app');
  });

  it('init reads the source directly and refuses to replace a plan without --force', async () => {
    const plan = join(dir, 'plan.yaml');
    const first = await run(init, ['--source', url('postgres'), '-o', plan]);
    expect(first.code, first.stderr).toBe(0);
    const text = await readFile(plan, 'utf8');
    expect(text).toContain('host: "127.0.0.1"');
    await writeFile(plan, 'hand edits\n');
    const again = await run(init, ['--source', url('postgres'), '-o', plan]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; pass --force');
    expect(await readFile(plan, 'utf8')).toBe('hand edits\n');
    const forced = await run(init, ['--source', url('postgres'), '-o', plan, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(plan, 'utf8')).toContain('host: "127.0.0.1"');
  });
});

describe('--catalog on validate, compile and diff', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-catalog-flag-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a snapshot in an old format with what to do', async () => {
    const old = join(dir, 'old.json');
    await writeFile(old, JSON.stringify({ formatVersion: 1, databases: [] }));
    for (const command of [validate, compile]) {
      const ran = await run(
        command,
        [join(root, 'plans/orders.yaml'), '--catalog', old, '-o', join(dir, 'out')].slice(
          0,
          command === validate ? 3 : 5,
        ),
      );
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain(
        'format 1, older than this pgferry reads (2): take a new one with `pgferry catalog`',
      );
    }
  });

  it('compile runs the catalog rules and writes nothing when they find errors', async () => {
    const out = join(dir, 'build');
    const ran = await run(compile, [
      join(root, 'test/compiler/rules/fixtures/shop-cdc.yaml'),
      '--catalog',
      shopCatalog,
      '-o',
      out,
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('PGF5010');
    expect(existsSync(out)).toBe(false);
    const clean = await run(compile, [join(root, 'test/compiler/rules/fixtures/shop-cdc.yaml'), '-o', out]);
    expect(clean.code, clean.stderr).toBe(0);
  });

  it('diff checks both sides against the catalog', async () => {
    const plan = join(root, 'test/compiler/rules/fixtures/shop-cdc.yaml');
    const without = await run(diff, [plan, plan]);
    expect(without.code).toBe(0);
    const withCatalog = await run(diff, [plan, plan, '--catalog', shopCatalog]);
    expect(withCatalog.code).toBe(2);
    expect(withCatalog.stderr).toContain('PGF5010');
  });
});
