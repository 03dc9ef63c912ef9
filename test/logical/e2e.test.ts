// engine: logical end to end on real clusters: apply publishes the source tables and subscribes the
// target (rows really replicate), rows written afterwards arrive through the slot, and cutover fences,
// drains, syncs sequences and drops the subscription, its slot and the publication.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWrite } from '../executor/support/world.js';
import {
  type LogicalWorld,
  MARGIN,
  NAME,
  names,
  PLAN,
  rows,
  SECRET_VALUES,
  sequenceValue,
  startLogicalWorld,
} from './support.js';

const validateReport = new Ajv({ strict: true, allErrors: true }).compile(
  JSON.parse(readFileSync(join(import.meta.dirname, '../../schema/verify-report.schema.json'), 'utf8')),
);

describe.each([16, 12] as const)('engine logical, PostgreSQL %i → 16', (major) => {
  let world: LogicalWorld;
  beforeAll(async () => {
    world = await startLogicalWorld(major);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('apply stops at the restart consent, then publishes, subscribes and copies every row', async () => {
    const first = await world.run('apply');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`pgferry approve`);
    expect(first.stdout).toContain('restart-consent');
    expect(await names(world.source, 'SELECT pubname FROM pg_publication')).toEqual([]);

    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    const dry = await world.run('apply', ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/create\s+logical\.rehearsal-app\.publication .*: 2 tables/);
    expect(await names(world.source, 'SELECT pubname FROM pg_publication')).toEqual([]);
    const second = await world.run('apply');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`✓ logical.rehearsal-app.sync-wait`);
    expect(second.stdout).toContain(`${PLAN}: done`);

    expect(await names(world.source, 'SELECT pubname FROM pg_publication')).toEqual([NAME]);
    expect(await names(world.source, 'SELECT slot_name FROM pg_replication_slots')).toEqual([NAME]);
    expect(await names(world.target, 'SELECT subname FROM pg_subscription')).toEqual([NAME]);
    for (const table of ['public.customers', 'public.orders']) {
      expect(await rows(world.target, table), table).toBe(await rows(world.source, table));
    }
    expect(await rows(world.target, 'public.orders')).toBe(200);
  });

  it('a second apply adopts everything and changes nothing', async () => {
    const agentRequests = world.agent.requests.length;
    const again = await world.run('apply');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(world.agent.requests.slice(agentRequests)).toEqual([]);
    expect(await names(world.target, 'SELECT subname FROM pg_subscription')).toEqual([NAME]);
  });

  it('status shows the subscription: enabled, every table ready, its slot and lag (JSON and text)', async () => {
    const json = await world.run('status', ['--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.problems).toEqual([]);
    expect(report.tasks).toEqual([]);
    expect(report.subscriptions).toHaveLength(1);
    const [sub] = report.subscriptions;
    expect(sub).toMatchObject({
      subscription: NAME,
      database: 'app',
      exists: true,
      enabled: true,
      slot: NAME,
      tables: { i: 0, d: 0, f: 0, s: 0, r: 2 },
    });
    // The apply worker may be reconnecting at this instant: active or not, the agent says which.
    expect(typeof sub.slotActive).toBe('boolean');
    expect(sub.confirmedLagBytes).toBeGreaterThanOrEqual(0);
    const text = await world.run('status', ['--text']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(
        `subscription ${NAME} \\(app\\): enabled; tables i 0, d 0, f 0, s 0, r 2; slot ${NAME} (active|inactive), lag \\d+ B\\n`,
      ),
    );
  });

  it('verify --rolling during replication: a change not yet applied does not count once the slot confirmed it', async () => {
    await world.source.query("UPDATE public.customers SET name = name || '*' WHERE id <= 3", [], 'app');
    const result = await world.run('verify', ['--rolling', '--no-schema', '--format', 'json']);
    expect(result.stderr).toMatch(/verified public\.orders: 200 rows/);
    expect(result.code, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(report).toMatchObject({ ok: true, rolling: true, mismatches: 0, errors: 0 });
    expect(report.databases[0].tables.map((t: { table: string }) => t.table)).toEqual([
      'public.customers',
      'public.orders',
    ]);
  });

  it('cutover: rows written meanwhile arrive; sequences pass the source; subscription, slot and publication go', async () => {
    await world.source.query(
      "INSERT INTO public.customers (name) SELECT 'late' || g FROM generate_series(1, 5) g",
      [],
      'app',
    );
    await world.source.query(
      'INSERT INTO public.orders (customer_id, total) SELECT 21 + g % 5, g FROM generate_series(1, 50) g',
      [],
      'app',
    );
    await world.source.query('UPDATE public.orders SET total = total + 1 WHERE id <= 10', [], 'app');
    await world.source.query('DELETE FROM public.orders WHERE id = 11', [], 'app');
    await world.source.query("SELECT nextval('public.invoice_no')", [], 'app');

    const waiting = await world.run('cutover');
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toContain('pgferry approve');
    expect(waiting.stdout).toContain('cutover\n');
    expect((await world.run('approve', ['cutover'])).code).toBe(0);

    const result = await world.run('cutover');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ logical.rehearsal-app.subscription-drop');
    // cutover.verify: the data is compared after the drain, before writes open.
    expect(result.stdout).toMatch(/✓ cutover\.app\.verify {2}274 rows in 2 tables, 0 mismatch\(es\), 0 error\(s\)/);
    expect(result.stdout).toContain('writes-open');

    const checksum = 'SELECT count(*)::int AS n, sum(total)::text AS s, max(id)::int AS m FROM public.orders';
    expect((await world.target.query(checksum, [], 'app')).rows[0]).toEqual(
      (await world.source.query(checksum, [], 'app')).rows[0],
    );
    expect(await rows(world.target, 'public.orders')).toBe(249);
    expect(await rows(world.target, 'public.customers')).toBe(await rows(world.source, 'public.customers'));
    for (const seq of ['public.customers_id_seq', 'public.orders_id_seq', 'public.invoice_no']) {
      expect(await sequenceValue(world.target, seq), seq).toBe(
        (await sequenceValue(world.source, seq)) + BigInt(MARGIN),
      );
    }
    expect(await names(world.target, 'SELECT subname FROM pg_subscription')).toEqual([]);
    expect(await names(world.source, 'SELECT slot_name FROM pg_replication_slots')).toEqual([]);
    expect(await names(world.source, 'SELECT pubname FROM pg_publication')).toEqual([]);
    // The application role is fenced on the source; the target's session_replication_role is back.
    expect(await appWrite(world.source, 'app', 'app_writer')).toMatch(/read-only transaction/);
    expect(await names(world.target, 'SHOW session_replication_role', 'postgres')).toEqual(['origin']);
  });

  it('after writes-open, the run is complete and a second cutover has nothing to do', async () => {
    expect((await world.run('approve', ['writes-open'])).code).toBe(0);
    const done = await world.run('cutover');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`${PLAN}: done`);
    const again = await world.run('cutover');
    expect(again.stdout).toContain('nothing to do');
    // No DMS resources: cleanup has nothing left to delete.
    const cleanup = await world.run('cleanup');
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    const status = await world.run('status', ['--text']);
    expect(status.stdout).toContain(`subscription ${NAME} (app): not on the target\n`);
  });

  it('no secret value in anything pgferry printed or wrote', async () => {
    const journal = await world.journalText();
    const text = [...world.transcript, journal].join('\n');
    for (const value of SECRET_VALUES) expect(text).not.toContain(value);
    // The grep means something only if the run got far and wrote a journal of the nodes it ran.
    expect(journal).toContain('"state": "succeeded"');
  });
});
