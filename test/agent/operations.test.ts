// Slots, fence, marker, catalog, preflight and metrics on real PostgreSQL 16, plus the guards of the
// slot drop (reference/agent.md §3 cases 40–42, 47).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, auth, startAgent, type TestAgent, TOKENS } from './support.js';

let cluster: PgCluster;
let agent: TestAgent;

beforeAll(async () => {
  cluster = await startCluster({
    major: 16,
    settings: { wal_level: 'logical' },
    hba: ['host all postgres 127.0.0.1/32 trust', 'host all orders_app 127.0.0.1/32 scram-sha-256'],
  });
  await cluster.query('CREATE DATABASE appdb');
  await cluster.query(
    `CREATE TABLE orders (id int PRIMARY KEY, total numeric, placed timestamptz);
     CREATE TABLE audit_log (at timestamptz, what text);
     CREATE TABLE shapes (id serial PRIMARY KEY, area box);`,
    [],
    'appdb',
  );
  await cluster.query("SET password_encryption = 'scram-sha-256'; CREATE ROLE orders_app LOGIN PASSWORD 'app-pw'");
  agent = await startAgent(cluster);
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

const drop = (name: string, payload: object) =>
  agent.app.inject({ method: 'DELETE', url: `/v1/slots/${name}`, headers: admin, payload });

describe('slot drop guards', () => {
  it.each([
    ['upper case', 'DMS_Slot'],
    ['too long', 'd'.repeat(64)],
    ['path characters', '..%2Fx'],
    ['a quote', "dms_x'%3B--"],
  ])('refuses a bad name (%s) with 400', async (_why, name) => {
    const res = await drop(name, { confirmSlotName: decodeURIComponent(name) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_SLOT_NAME');
  });

  it('needs the name typed back (428) and answers 404 for an unknown slot', async () => {
    expect((await drop('dms_nope', {})).statusCode).toBe(428);
    expect((await drop('dms_nope', { confirmSlotName: 'dms_other' })).json().error.code).toBe('CONFIRMATION_REQUIRED');
    const unknown = await drop('dms_nope', { confirmSlotName: 'dms_nope' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'SLOT_NOT_FOUND']);
  });

  it('refuses slots outside the allow-list and physical slots unless forced', async () => {
    await cluster.query("SELECT pg_create_logical_replication_slot('other_tool', 'test_decoding')", [], 'appdb');
    await cluster.query("SELECT pg_create_physical_replication_slot('dms_standby')");
    const outside = await drop('other_tool', { confirmSlotName: 'other_tool' });
    expect([outside.statusCode, outside.json().error.code]).toEqual([403, 'SLOT_NOT_ALLOWED']);
    const physical = await drop('dms_standby', { confirmSlotName: 'dms_standby' });
    expect([physical.statusCode, physical.json().error.code]).toEqual([403, 'SLOT_NOT_ALLOWED']);
    expect((await drop('other_tool', { confirmSlotName: 'other_tool', force: true })).statusCode).toBe(200);
    expect((await drop('dms_standby', { confirmSlotName: 'dms_standby', force: true })).statusCode).toBe(200);
    const left = await cluster.query(
      "SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name IN ('other_tool', 'dms_standby')",
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('drops a slot the executor claimed for its plan without force; an unclaimed one stays refused', async () => {
    const opaque = 'c0ffee12ab34c_12345678_deadbeef_6v54_32ut_1srq_1a2b34c5d67ef';
    await cluster.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [opaque], 'appdb');
    await cluster.query("SELECT pg_create_logical_replication_slot('someone_else', 'test_decoding')", [], 'appdb');
    const claim = (name: string, payload: object) =>
      agent.app.inject({ method: 'POST', url: `/v1/slots/${name}/claim`, headers: admin, payload });
    const wrongDb = await claim(opaque, { database: 'postgres', owner: 'plan shop task shop-orders' });
    expect([wrongDb.statusCode, wrongDb.json().error.code]).toEqual([403, 'SLOT_NOT_ALLOWED']);
    const missing = await claim('nope_slot', { database: 'appdb', owner: 'plan shop task shop-orders' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'SLOT_NOT_FOUND']);
    const claimed = await claim(opaque, { database: 'appdb', owner: 'plan shop task shop-orders' });
    expect(claimed.json()).toMatchObject({ claimed: true, changed: true, database: 'appdb' });
    expect((await claim(opaque, { database: 'appdb', owner: 'plan shop task shop-orders' })).json().changed).toBe(
      false,
    );
    const refused = await drop('someone_else', { confirmSlotName: 'someone_else' });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'SLOT_NOT_ALLOWED']);
    expect(refused.json().error.message).toContain('no plan claimed it');
    expect((await drop(opaque, { confirmSlotName: opaque })).json()).toMatchObject({ dropped: true });
    // The claim goes with the slot: a new slot of the same name is not the plan's.
    await cluster.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [opaque], 'appdb');
    expect((await drop(opaque, { confirmSlotName: opaque })).statusCode).toBe(403);
    for (const name of [opaque, 'someone_else']) await cluster.query('SELECT pg_drop_replication_slot($1)', [name]);
  });

  it('claims made at the same moment are all kept (two tasks on two databases attribute at once)', async () => {
    const names = ['a1b2c3d4e5f6a_1', 'a1b2c3d4e5f6a_2', 'a1b2c3d4e5f6a_3', 'a1b2c3d4e5f6a_4'];
    for (const name of names)
      await cluster.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [name], 'appdb');
    const answers = await Promise.all(
      names.map((name) =>
        agent.app.inject({
          method: 'POST',
          url: `/v1/slots/${name}/claim`,
          headers: admin,
          payload: { database: 'appdb', owner: `plan shop task ${name}` },
        }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200]);
    // Every one is the plan's: each drops without force (dropped at once, too: forgetting is serialized).
    const drops = await Promise.all(names.map((name) => drop(name, { confirmSlotName: name })));
    expect(drops.map((answer) => answer.json().dropped)).toEqual([true, true, true, true]);
  });

  it('needs the slot:drop scope', async () => {
    const res = await agent.app.inject({
      method: 'DELETE',
      url: '/v1/slots/dms_x',
      headers: auth(TOKENS.reader),
      payload: { confirmSlotName: 'dms_x' },
    });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'SCOPE_MISSING']);
  });

  it('creates an allow-listed slot, reports it, and drops it with the LSNs in the answer', async () => {
    const created = await agent.app.inject({
      method: 'POST',
      url: '/v1/slots',
      headers: admin,
      payload: { name: 'dms_created', database: 'appdb' },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({
      created: true,
      plugin: 'test_decoding',
      lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    const again = await agent.app.inject({
      method: 'POST',
      url: '/v1/slots',
      headers: admin,
      payload: { name: 'dms_created', database: 'appdb' },
    });
    expect(again.json().error.code).toBe('SLOT_EXISTS');
    const one = await agent.app.inject({ method: 'GET', url: '/v1/slots/dms_created', headers: admin });
    expect(one.json()).toMatchObject({
      slotName: 'dms_created',
      active: false,
      walsender: null,
      inactiveSince: null,
      observedInactiveSince: expect.any(String),
    });
    const page = (await agent.app.inject({ method: 'GET', url: '/v1/slots?limit=1&offset=0', headers: admin })).json();
    expect(page).toMatchObject({ total: 1, offset: 0, nextOffset: null, slots: [{ slotName: 'dms_created' }] });
    const bad = await agent.app.inject({ method: 'GET', url: '/v1/slots?limit=0', headers: admin });
    expect(bad.statusCode).toBe(400);
    const dropped = await drop('dms_created', { confirmSlotName: 'dms_created' });
    expect(dropped.json()).toMatchObject({
      dropped: true,
      restartLsn: expect.any(String),
      confirmedFlushLsn: expect.any(String),
    });
  });
});

describe('metrics', () => {
  it('escapes label values per the exposition format', async () => {
    const weird = 'we"ird\\db\nname';
    await cluster.query(`CREATE DATABASE "${weird.replaceAll('"', '""')}"`);
    await cluster.query("SELECT pg_create_logical_replication_slot('dms_weird', 'test_decoding')", [], weird);
    try {
      const res = await agent.app.inject({ method: 'GET', url: '/metrics', headers: admin });
      expect(res.body).toContain(
        'pg_replication_slots_active{slot_name="dms_weird",database="we\\"ird\\\\db\\nname"} 0',
      );
      for (const line of res.body.trimEnd().split('\n'))
        expect(line).toMatch(/^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{.*\})? (-?[0-9.e+]+|NaN))$/);
    } finally {
      await cluster.query("SELECT pg_drop_replication_slot('dms_weird')");
    }
  });

  it('needs a token with the metrics scope', async () => {
    expect((await agent.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await agent.app.inject({ method: 'GET', url: '/metrics', headers: auth(TOKENS.planner) })).statusCode).toBe(
      403,
    );
    expect((await agent.app.inject({ method: 'GET', url: '/metrics', headers: auth(TOKENS.reader) })).statusCode).toBe(
      200,
    );
  });
});

describe('fence, marker, catalog, preflight', () => {
  const login = async () => {
    const client = new pg.Client({ connectionString: cluster.connectionString('appdb', 'orders_app', 'app-pw') });
    try {
      await client.connect();
      await client.end();
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('fences a write role through pg_hba and lifts the fence again', async () => {
    expect(await login()).toBe('ok');
    const fenced = await agent.app.inject({
      method: 'POST',
      url: '/v1/fence',
      headers: admin,
      payload: { method: 'hba_reject', roles: ['orders_app'] },
    });
    expect(fenced.statusCode, fenced.body).toBe(200);
    expect(await login()).toMatch(/rejects connection/);
    const lifted = await agent.app.inject({
      method: 'POST',
      url: '/v1/unfence',
      headers: admin,
      payload: { method: 'hba_reject', roles: ['orders_app'] },
    });
    expect(lifted.statusCode).toBe(200);
    expect(await login()).toBe('ok');
  });

  it('refuses to fence its own role', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/v1/fence',
      headers: admin,
      payload: { method: 'hba_reject', roles: ['postgres'] },
    });
    expect(res.json().error.code).toBe('LOCKOUT_RISK');
  });

  it('fences with default_transaction_read_only', async () => {
    await agent.app.inject({
      method: 'POST',
      url: '/v1/fence',
      headers: admin,
      payload: { method: 'read_only', roles: ['orders_app'] },
    });
    const client = new pg.Client({ connectionString: cluster.connectionString('appdb', 'orders_app', 'app-pw') });
    await client.connect();
    expect((await client.query('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only).toBe('on');
    await client.end();
    await agent.app.inject({
      method: 'POST',
      url: '/v1/unfence',
      headers: admin,
      payload: { method: 'read_only', roles: ['orders_app'] },
    });
  });

  it('writes a marker row and returns its LSN', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/v1/markers',
      headers: admin,
      payload: { database: 'appdb', label: 'cutover-1' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      table: 'pgferry.marker',
      label: 'cutover-1',
      lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    const row = await cluster.query("SELECT label FROM pgferry.marker WHERE label = 'cutover-1'", [], 'appdb');
    expect(row.rowCount).toBe(1);
  });

  it('markers written at the same moment on a database without the marker table all succeed', async () => {
    // Two CDC tasks on one database mark the cutover at once; the first marker creates the table.
    const answers = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        agent.app.inject({
          method: 'POST',
          url: '/v1/markers',
          headers: admin,
          payload: { database: 'appdb', schema: 'pgferry_race', label: `task-${n}` },
        }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200]);
    const rows = await cluster.query('SELECT count(*)::int AS n FROM pgferry_race.marker', [], 'appdb');
    expect(rows.rows[0].n).toBe(4);
  });

  it('serves a catalog snapshot in the contracts/catalog.ts shape', async () => {
    const res = await agent.app.inject({
      method: 'GET',
      url: '/v1/catalog?databases=appdb&schemas=public',
      headers: admin,
    });
    expect(res.statusCode, res.body).toBe(200);
    const snapshot = res.json();
    expect(snapshot).toMatchObject({ formatVersion: 2, serverVersionNum: expect.any(Number) });
    const db = snapshot.databases[0];
    expect(db.schemas).toEqual(['public']);
    const orders = db.tables.find((t: { name: string }) => t.name === 'orders');
    expect(orders).toMatchObject({ kind: 'table', primaryKey: ['id'], replicaIdentity: 'default' });
    expect(orders.columns.map((c: { name: string; concern: string | null }) => [c.name, c.concern])).toEqual([
      ['id', null],
      ['total', 'unbounded-numeric'],
      ['placed', 'tz/interval'],
    ]);
    expect(db.tables.find((t: { name: string }) => t.name === 'audit_log').primaryKey).toEqual([]);
    expect(db.sequences).toEqual([
      { schema: 'public', name: 'shapes_id_seq', lastValue: null, ownedBy: 'public.shapes.id' },
    ]);
  });

  it('answers 400 for a database that does not exist', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/v1/catalog?databases=nope', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BAD_REQUEST', message: 'database "nope" does not exist' });
  });

  it('runs the preflight checks', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/v1/preflight',
      headers: admin,
      payload: { databases: ['appdb'], migrationUser: 'orders_app' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const checks = Object.fromEntries(res.json().checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(checks).toMatchObject({
      wal_level_logical: 'pass',
      migration_user: 'fail',
      'primary_keys:appdb': 'warn',
      'unsupported_types:appdb': 'warn',
      max_slot_wal_keep_size: 'warn',
      agent_privileges: 'pass',
      patroni_present: 'pass',
      'leftover_dms_triggers:appdb': 'pass',
      idle_in_transaction_session_timeout: 'pass',
    });
    expect(res.json().ok).toBe(false);
  });
});

describe('idempotency', () => {
  it('replays the first answer for a retried Idempotency-Key instead of acting twice', async () => {
    const headers = { ...admin, 'idempotency-key': 'marker-1' };
    const first = await agent.app.inject({
      method: 'POST',
      url: '/v1/markers',
      headers,
      payload: { database: 'appdb', label: 'idem' },
    });
    const second = await agent.app.inject({
      method: 'POST',
      url: '/v1/markers',
      headers,
      payload: { database: 'appdb', label: 'idem' },
    });
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replay']).toBe('true');
    const rows = await cluster.query("SELECT count(*)::int AS n FROM pgferry.marker WHERE label = 'idem'", [], 'appdb');
    expect(rows.rows[0].n).toBe(1);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-token mutation budget, and audits it', async () => {
    const limited = await startAgent(cluster, { extraYaml: 'limits: { mutationsPerMinute: 2 }' });
    try {
      const mark = () =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/markers',
          headers: admin,
          payload: { database: 'appdb', label: 'rate' },
        });
      expect((await mark()).statusCode).toBe(200);
      expect((await mark()).statusCode).toBe(200);
      const third = await mark();
      expect([third.statusCode, third.json().error.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect((await limited.app.inject({ method: 'GET', url: '/v1/slots', headers: admin })).statusCode).toBe(200);
      const audit = (await limited.app.inject({ method: 'GET', url: '/v1/audit', headers: admin })).json();
      expect(audit.records.some((r: { errorCode?: string }) => r.errorCode === 'RATE_LIMITED')).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
