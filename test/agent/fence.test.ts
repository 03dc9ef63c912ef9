// Write fences on a real PostgreSQL 16 through the real agent: one pg_hba entry per (plan, database),
// additive (fencing crm never lifts billing), removed only by unfencing that database, verified by a
// real login attempt, and a block written before entries existed is kept on upgrade.

import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, resetCluster, startAgent, type TestAgent } from './support.js';

let cluster: PgCluster;
let agent: TestAgent;
let pristineHba: string;
const DATABASES = ['billing', 'crm', 'hr'] as const;
const roleOf = (db: string) => `${db}_app`;

beforeAll(async () => {
  cluster = await startCluster({
    major: 16,
    hba: [
      'host all postgres 127.0.0.1/32 trust',
      ...DATABASES.map((db) => `host all ${roleOf(db)} 127.0.0.1/32 scram-sha-256`),
    ],
  });
  await cluster.query("SET password_encryption = 'scram-sha-256'");
  for (const db of DATABASES) {
    await cluster.query(`CREATE DATABASE ${db}`);
    await cluster.query(`CREATE ROLE ${roleOf(db)} LOGIN PASSWORD 'pw'`);
  }
  pristineHba = await readFile(cluster.hbaFile, 'utf8');
  agent = await startAgent(cluster);
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

async function login(db: string, role = roleOf(db)): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.connectionString(db, role, 'pw') });
  try {
    await client.connect();
    await client.end();
    return 'ok';
  } catch (error) {
    return /rejects connection/.test((error as Error).message) ? 'refused' : (error as Error).message;
  }
}

const call = (url: '/v1/fence' | '/v1/unfence', payload: object) =>
  agent.app.inject({ method: 'POST', url, headers: admin, payload: { method: 'hba_reject', ...payload } });

describe('per-database fences', () => {
  it('fencing crm keeps billing fenced; unfencing crm lifts crm only', async () => {
    const billing = await call('/v1/fence', { plan: 'p', roles: ['billing_app'], databases: ['billing'] });
    expect(billing.statusCode, billing.body).toBe(200);
    expect(billing.json()).toMatchObject({
      fenced: true,
      changed: true,
      logins: [{ role: 'billing_app', database: 'billing', refused: true }],
    });
    const crm = await call('/v1/fence', { plan: 'p', roles: ['crm_app'], databases: ['crm'] });
    expect(crm.statusCode, crm.body).toBe(200);
    expect(crm.json().entries).toEqual([
      { plan: 'p', database: 'billing', roles: ['billing_app'] },
      { plan: 'p', database: 'crm', roles: ['crm_app'] },
    ]);
    expect([await login('billing'), await login('crm'), await login('hr')]).toEqual(['refused', 'refused', 'ok']);

    // The same fence again changes nothing and keeps when it began.
    const again = await call('/v1/fence', { plan: 'p', roles: ['crm_app'], databases: ['crm'] });
    expect(again.json()).toMatchObject({ changed: false, fencedAt: crm.json().fencedAt });

    const lifted = await call('/v1/unfence', { plan: 'p', roles: ['crm_app'], databases: ['crm'] });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json().logins).toEqual([{ role: 'crm_app', database: 'crm', refused: false }]);
    expect([await login('billing'), await login('crm')]).toEqual(['refused', 'ok']);
    await call('/v1/unfence', { plan: 'p', roles: ['billing_app'], databases: ['billing'] });
    expect(await login('billing')).toBe('ok');
    expect(await readFile(cluster.hbaFile, 'utf8')).toBe(pristineHba);
  });

  it('another plan fencing the same database keeps its own entry', async () => {
    await call('/v1/fence', { plan: 'a', roles: ['hr_app'], databases: ['hr'] });
    await call('/v1/fence', { plan: 'b', roles: ['hr_app'], databases: ['hr'] });
    await call('/v1/unfence', { plan: 'a', roles: ['hr_app'], databases: ['hr'] });
    expect(await login('hr')).toBe('refused');
    const last = await call('/v1/unfence', { plan: 'b', roles: ['hr_app'], databases: ['hr'] });
    expect(last.json().entries).toEqual([]);
    expect(await login('hr')).toBe('ok');
  });

  it('fences three databases requested at once: each either fences or answers LOCKED, none lifts another', async () => {
    const answers = await Promise.all(
      DATABASES.map((db) => call('/v1/fence', { plan: 'p', roles: [roleOf(db)], databases: [db] })),
    );
    for (const answer of answers) expect([200, 409]).toContain(answer.statusCode);
    for (const [i, db] of DATABASES.entries()) {
      if (answers[i]!.statusCode === 409) {
        expect(answers[i]!.json().error.code).toBe('LOCKED');
        expect((await call('/v1/fence', { plan: 'p', roles: [roleOf(db)], databases: [db] })).statusCode).toBe(200);
      }
    }
    for (const db of DATABASES) expect(await login(db), db).toBe('refused');
    for (const db of DATABASES) await call('/v1/unfence', { plan: 'p', roles: [roleOf(db)], databases: [db] });
    for (const db of DATABASES) expect(await login(db), db).toBe('ok');
  });

  it('terminates the fenced role’s sessions in the fenced database only', async () => {
    const inBilling = new pg.Client({ connectionString: cluster.connectionString('billing', 'billing_app', 'pw') });
    const inHr = new pg.Client({ connectionString: cluster.connectionString('hr', 'billing_app', 'pw') });
    await cluster.query('GRANT CONNECT ON DATABASE hr TO billing_app');
    await inBilling.connect();
    await inHr.connect();
    inBilling.on('error', () => undefined);
    const fenced = await call('/v1/fence', { plan: 'p', roles: ['billing_app'], databases: ['billing'] });
    expect(fenced.json().terminatedSessions).toBe(1);
    await expect(inBilling.query('SELECT 1')).rejects.toThrow();
    expect((await inHr.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await inHr.end();
    await call('/v1/unfence', { plan: 'p', roles: ['billing_app'], databases: ['billing'] });
  });

  it('keeps a fence block written before entries existed when another database is fenced', async () => {
    const legacy =
      '# BEGIN pgferry fence (managed by pgferry-agent; edits inside are replaced)\n' +
      '# write fence for billing_app\nlocal\tbilling\tbilling_app\treject\n' +
      'host\tbilling\tbilling_app\t0.0.0.0/0\treject\nhost\tbilling\tbilling_app\t::/0\treject\n' +
      '# END pgferry fence\n';
    await writeFile(cluster.hbaFile, legacy + pristineHba);
    await cluster.reload();
    const crm = await call('/v1/fence', { plan: 'p', roles: ['crm_app'], databases: ['crm'] });
    expect(crm.json().entries).toEqual([
      { plan: '', database: 'billing', roles: ['billing_app'] },
      { plan: 'p', database: 'crm', roles: ['crm_app'] },
    ]);
    expect([await login('billing'), await login('crm')]).toEqual(['refused', 'refused']);
    await resetCluster(cluster, pristineHba);
  });
});
