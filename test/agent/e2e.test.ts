// End to end on real PostgreSQL 12 and 16: a fresh cluster, a bundle planned and applied over HTTP with
// a token, a consented restart, then the migration user streams a change over TCP from 127.0.0.1
// through the new pg_hba rule; the slot shows in /v1/slots and /metrics, and is dropped through the API.

import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, makeBundle, pgRecvlogical, startAgent, type TestAgent, until } from './support.js';

const run = promisify(execFile);
const recvlogical = pgRecvlogical();
const env = { ...process.env, PGPASSWORD: 'dms-secret-pw' };

describe.each([12, 16] as const)('agent end to end on PostgreSQL %i', (major) => {
  let cluster: PgCluster;
  let agent: TestAgent;

  beforeAll(async () => {
    // Only the superuser may use TCP before the apply: the migration user's rule must come from the bundle.
    cluster = await startCluster({ major, hba: ['host all postgres 127.0.0.1/32 trust'] });
    await cluster.query('CREATE DATABASE appdb');
    await cluster.query('CREATE TABLE orders (id int PRIMARY KEY, note text)', [], 'appdb');
    agent = await startAgent(cluster);
  });

  afterAll(async () => {
    await agent?.close();
    await cluster?.stop();
  });

  /** pg_recvlogical arguments: the migration user, over TCP from 127.0.0.1, on one slot. */
  const asMigrationUser = (slot: string) => [
    '-h',
    '127.0.0.1',
    '-p',
    String(cluster.port),
    '-U',
    'dms_user',
    '-d',
    'appdb',
    '--slot',
    slot,
  ];

  it('plans, applies, restarts with consent, and lets the migration user stream a change', async () => {
    const { app } = agent;
    const versionNum = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
    const bundle = makeBundle(major, versionNum);

    const role = await app.inject({
      method: 'POST',
      url: '/v1/roles',
      headers: admin,
      payload: {
        name: 'dms_user',
        login: true,
        replication: true,
        password: { env: 'DMS_PASSWORD' },
        grantConnect: ['appdb'],
      },
    });
    expect(role.statusCode).toBe(200);
    expect(role.body).not.toContain('dms-secret-pw');
    // The same role again changes nothing; another password does.
    const roleRequest = {
      name: 'dms_user',
      login: true,
      replication: true,
      password: { env: 'DMS_PASSWORD' },
      grantConnect: ['appdb'],
    };
    const same = await app.inject({ method: 'POST', url: '/v1/roles', headers: admin, payload: roleRequest });
    expect(same.json()).toMatchObject({ result: 'unchanged', changed: false });
    const other = await app.inject({
      method: 'POST',
      url: '/v1/roles',
      headers: admin,
      payload: { ...roleRequest, password: { env: 'T_READER' } },
    });
    expect(other.json()).toMatchObject({ result: 'updated', changed: true });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/roles', headers: admin, payload: roleRequest })).json(),
    ).toMatchObject({ result: 'updated', changed: true });
    await cluster.query('GRANT SELECT ON orders TO dms_user', [], 'appdb');

    const planned = await app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: bundle });
    expect(planned.statusCode).toBe(200);
    const plan = planned.json();
    expect(plan.noop).toBe(false);
    expect(plan.requires).toEqual({ reload: true, restart: true });
    expect(plan.changes.settings.map((c: { name: string }) => c.name)).toContain('wal_level');
    expect(plan.changes.hba.diff).toContain('+host\tappdb\tdms_user\t127.0.0.1/32\tscram-sha-256');

    const applied = await app.inject({
      method: 'POST',
      url: `/v1/plans/${plan.planId}/apply`,
      headers: admin,
      payload: { planHash: plan.planHash },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const result = applied.json();
    expect(result).toMatchObject({
      result: 'applied',
      changed: true,
      reloaded: true,
      restartRequired: true,
      restarted: false,
    });
    expect(result.pendingRestart).toContain('wal_level');
    expect((await cluster.query('SHOW wal_level')).rows[0].wal_level).toBe('replica');

    // The same bundle again is a no-op: no write, no reload.
    const again = (await app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: bundle })).json();
    expect(again.noop).toBe(true);
    expect(again.requires.restart).toBe(true);

    const noConsent = await app.inject({
      method: 'POST',
      url: '/v1/restart',
      headers: admin,
      payload: { confirm: false },
    });
    expect(noConsent.statusCode).toBe(428);

    const restarted = await app.inject({
      method: 'POST',
      url: '/v1/restart',
      headers: admin,
      payload: { confirm: true, reason: 'wal_level' },
    });
    expect(restarted.statusCode, restarted.body).toBe(200);
    expect(restarted.json()).toMatchObject({ result: 'restarted', pendingRestart: [] });
    expect((await cluster.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');

    // The migration user, over TCP from 127.0.0.1, through the rule the agent wrote.
    const conn = asMigrationUser('dms_orders');
    if (recvlogical) {
      await run(recvlogical, [...conn, '--create-slot', '-P', 'test_decoding'], { env });
    } else {
      const pg = (await import('pg')).default;
      const client = new pg.Client({
        host: '127.0.0.1',
        port: cluster.port,
        user: 'dms_user',
        password: 'dms-secret-pw',
        database: 'appdb',
        replication: 'database',
      } as never);
      await client.connect();
      await client.query('CREATE_REPLICATION_SLOT dms_orders LOGICAL test_decoding');
      await client.end();
    }
    await cluster.query("INSERT INTO orders VALUES (1, 'first change')", [], 'appdb');
    if (recvlogical) {
      const lsn = (await cluster.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
      const out = await run(recvlogical, [...conn, '--start', '--endpos', lsn, '--no-loop', '-f', '-'], {
        env,
        timeout: 30_000,
      });
      expect(out.stdout).toContain("table public.orders: INSERT: id[integer]:1 note[text]:'first change'");
    } else {
      const changes = await cluster.query(
        "SELECT data FROM pg_logical_slot_peek_changes('dms_orders', NULL, NULL)",
        [],
        'appdb',
      );
      expect(changes.rows.map((r) => r.data).join('\n')).toContain('first change');
    }

    const slots = (await app.inject({ method: 'GET', url: '/v1/slots', headers: admin })).json();
    const slot = slots.slots.find((s: { slotName: string }) => s.slotName === 'dms_orders');
    const truth = (
      await cluster.query(
        "SELECT restart_lsn::text, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'dms_orders'",
      )
    ).rows[0];
    expect(slot).toMatchObject({
      slotType: 'logical',
      plugin: 'test_decoding',
      database: 'appdb',
      active: false,
      restartLsn: truth.restart_lsn,
      confirmedFlushLsn: truth.confirmed_flush_lsn,
    });
    expect(slot.retainedWalBytes).toBeGreaterThanOrEqual(0);
    expect(slot.confirmedLagBytes).toBeGreaterThanOrEqual(0);
    // Both lag numbers are the server's own LSN arithmetic from the snapshot's current LSN.
    expect(slots.currentLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const lag = (
      await cluster.query(
        'SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint::text AS retained, pg_wal_lsn_diff($1::pg_lsn, $3::pg_lsn)::bigint::text AS confirmed',
        [slots.currentLsn, truth.restart_lsn, truth.confirmed_flush_lsn],
      )
    ).rows[0];
    expect([slot.retainedWalBytes, slot.confirmedLagBytes]).toEqual([Number(lag.retained), Number(lag.confirmed)]);
    expect(slot.walStatus).toBe(major >= 13 ? 'reserved' : null);

    const before = await app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(before.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(before.body).toMatch(/pg_replication_slots_pg_wal_lsn_diff\{slot_name="dms_orders",database="appdb"\} \d+/);
    expect(before.body).toContain(
      'pg_replication_slot_slot_is_active{slot_name="dms_orders",plugin="test_decoding",slot_type="logical",database="appdb"} 0',
    );

    const dropped = await app.inject({
      method: 'DELETE',
      url: '/v1/slots/dms_orders',
      headers: admin,
      payload: { confirmSlotName: 'dms_orders' },
    });
    expect(dropped.statusCode, dropped.body).toBe(200);
    const after = await app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(after.body).not.toContain('dms_orders');
    expect(after.body).toContain('pgferry_pg_up 1');
  });

  it.runIf(recvlogical !== null)('refuses to drop a slot while a client streams from it', async () => {
    const { app } = agent;
    const conn = asMigrationUser('dms_busy');
    await run(recvlogical!, [...conn, '--create-slot', '-P', 'test_decoding'], { env });
    const streamer = spawn(recvlogical!, [...conn, '--start', '-f', '/dev/null'], { env, stdio: 'ignore' });
    try {
      await until(
        async () =>
          (await cluster.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'dms_busy'")).rows[0]?.active,
        'slot active',
      );
      const refused = await app.inject({
        method: 'DELETE',
        url: '/v1/slots/dms_busy',
        headers: admin,
        payload: { confirmSlotName: 'dms_busy' },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('SLOT_ACTIVE');
      const unforced = await app.inject({
        method: 'DELETE',
        url: '/v1/slots/dms_busy',
        headers: admin,
        payload: { confirmSlotName: 'dms_busy', terminateActive: true },
      });
      expect(unforced.json().error.code).toBe('CONFIRMATION_REQUIRED');
      const restart = await app.inject({
        method: 'POST',
        url: '/v1/restart',
        headers: admin,
        payload: { confirm: true, onlyIfPendingRestart: false },
      });
      expect(restart.statusCode).toBe(428);
      expect(restart.json().error.code).toBe('ACK_REQUIRED');
    } finally {
      streamer.kill('SIGTERM');
    }
    await until(
      async () =>
        !(await cluster.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'dms_busy'")).rows[0]?.active,
      'slot inactive',
    );
    const dropped = await app.inject({
      method: 'DELETE',
      url: '/v1/slots/dms_busy',
      headers: admin,
      payload: { confirmSlotName: 'dms_busy' },
    });
    expect(dropped.statusCode).toBe(200);
  });

  it.runIf(recvlogical !== null)('terminates the consumer and drops an active slot when forced', async () => {
    const { app } = agent;
    const conn = asMigrationUser('dms_forced');
    await run(recvlogical!, [...conn, '--create-slot', '-P', 'test_decoding'], { env });
    // --no-loop: once terminated, the consumer exits instead of reconnecting and re-taking the slot.
    const streamer = spawn(recvlogical!, [...conn, '--start', '--no-loop', '-f', '/dev/null'], {
      env,
      stdio: 'ignore',
    });
    try {
      await until(
        async () =>
          (await cluster.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'dms_forced'")).rows[0]
            ?.active,
        'slot active',
      );
      const dropped = await app.inject({
        method: 'DELETE',
        url: '/v1/slots/dms_forced',
        headers: admin,
        payload: { confirmSlotName: 'dms_forced', force: true, terminateActive: true },
      });
      expect(dropped.statusCode, dropped.body).toBe(200);
      expect(
        (await cluster.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'dms_forced'"))
          .rows[0].n,
      ).toBe(0);
    } finally {
      streamer.kill('SIGTERM');
    }
  });
});
