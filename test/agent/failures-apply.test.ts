// Failure cases of apply, rollback, restart and recovery on real PostgreSQL 16 (reference/agent.md §3).
// Each test starts from the pristine config with a fresh agent and state dir; the cluster is shared.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempPathFor } from '../../agent/state/atomic-write.js';
import type { SourceBundle } from '../../contracts/bundle.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, makeBundle, rehash, resetCluster, snapshotFiles, startAgent, type TestAgent } from './support.js';

let cluster: PgCluster;
let agent: TestAgent;
let bundle: SourceBundle;
let pristineHba: string;

const confLoadTime = async () => (await cluster.query('SELECT pg_conf_load_time()::text AS t')).rows[0].t as string;

async function planOf(b: SourceBundle) {
  const res = await agent.app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: b });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { planId: string; planHash: string; noop: boolean };
}

const applyOf = (plan: { planId: string; planHash: string }) =>
  agent.app.inject({
    method: 'POST',
    url: `/v1/plans/${plan.planId}/apply`,
    headers: admin,
    payload: { planHash: plan.planHash },
  });

beforeAll(async () => {
  cluster = await startCluster({ major: 16 });
  pristineHba = await readFile(cluster.hbaFile, 'utf8');
  const v = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
  bundle = makeBundle(16, v, { settings: { wal_sender_timeout: 0, max_wal_senders: 12 } });
});

beforeEach(async () => {
  await resetCluster(cluster, pristineHba);
  agent = await startAgent(cluster);
});

afterEach(async () => {
  await agent?.close();
});

afterAll(async () => {
  await cluster?.stop();
});

describe('apply', () => {
  it('restores the files byte for byte and does not reload when PostgreSQL rejects the hba file', async () => {
    await writeFile(cluster.hbaFile, `${pristineHba}host\tall\tall\t10.0.0.0/33\tmd5\n`);
    const before = await snapshotFiles(cluster);
    const loaded = await confLoadTime();
    const res = await applyOf(await planOf(bundle));
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'HBA_VALIDATION_FAILED', changed: false });
    expect(res.json().error.details[0]).toMatchObject({
      line: expect.any(Number),
      error: expect.stringContaining('10.0.0.0/33'),
    });
    expect(await snapshotFiles(cluster)).toEqual(before);
    expect(await confLoadTime()).toBe(loaded);
  });

  it('refuses with 409 DRIFT when the hba file changed between plan and apply', async () => {
    const plan = await planOf(bundle);
    await writeFile(cluster.hbaFile, `${pristineHba}# edited by hand\n`);
    const before = await snapshotFiles(cluster);
    const res = await applyOf(plan);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'DRIFT', changed: false });
    expect(await snapshotFiles(cluster)).toEqual(before);
  });

  it('refuses with 409 DRIFT after a hand-made ALTER SYSTEM', async () => {
    const plan = await planOf(bundle);
    await cluster.query("ALTER SYSTEM SET work_mem = '7MB'");
    expect((await applyOf(plan)).json().error.code).toBe('DRIFT');
  });

  it('lets one of two simultaneous applies run and answers the other 409 LOCKED', async () => {
    const plan = await planOf(bundle);
    const [a, b] = await Promise.all([applyOf(plan), applyOf(plan)]);
    const codes = [a.statusCode, b.statusCode].sort();
    expect(codes).toEqual([200, 409]);
    const refused = a.statusCode === 409 ? a : b;
    expect(refused.json().error.code).toBe('LOCKED');
    expect(refused.json().error.message).toContain('wait for it (GET /v1/operations/');
  });

  it.each([
    ['empty', ''],
    ['torn', '{"pid":12'],
  ])('takes over an %s lock file left by a killed agent (never written that way by this one)', async (_kind, text) => {
    const lockFile = join(agent.stateDir, 'lock');
    await writeFile(lockFile, text);
    const res = await applyOf(await planOf(bundle));
    expect(res.statusCode, res.body).toBe(200);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a foreign planHash (409), an unknown plan (404) and an expired plan (410)', async () => {
    const plan = await planOf(bundle);
    const wrong = await agent.app.inject({
      method: 'POST',
      url: `/v1/plans/${plan.planId}/apply`,
      headers: admin,
      payload: { planHash: `sha256:${'0'.repeat(64)}` },
    });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([409, 'PLAN_HASH_MISMATCH']);
    const unknown = await agent.app.inject({
      method: 'POST',
      url: '/v1/plans/pl_nope/apply',
      headers: admin,
      payload: { planHash: plan.planHash },
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'PLAN_NOT_FOUND']);
    agent.ctx.plans.get(plan.planId)!.expiresAt = Date.now() - 1;
    const expired = await applyOf(plan);
    expect([expired.statusCode, expired.json().error.code]).toEqual([410, 'PLAN_EXPIRED']);
    expect(expired.json().error.message).toContain('make a new plan');
  });

  it('rolls back after the reload when a value does not take effect (VERIFY_FAILED, rolledBack)', async () => {
    // A role-level setting beats the file for the agent's sessions: the reload cannot make work_mem 8MB.
    await agent.close();
    await cluster.query("ALTER ROLE postgres SET work_mem = '1MB'");
    agent = await startAgent(cluster);
    try {
      const before = await snapshotFiles(cluster);
      const res = await applyOf(await planOf(rehash(bundle, { settings: { work_mem: '8MB' } })));
      expect(res.statusCode).toBe(500);
      expect(res.json().error).toMatchObject({ code: 'VERIFY_FAILED', changed: false, rolledBack: true });
      expect(res.json().error.message).toContain('work_mem is 1024 (from user), not 8192');
      expect(await snapshotFiles(cluster)).toEqual(before);
    } finally {
      await cluster.query('ALTER ROLE postgres RESET work_mem');
    }
  });

  it('applies a postmaster change without restarting and reports it pending', async () => {
    const startTime = (await cluster.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t;
    const res = await applyOf(await planOf(bundle));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      result: 'applied',
      restartRequired: true,
      restarted: false,
      pendingRestart: ['max_wal_senders'],
    });
    expect((await cluster.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t).toBe(startTime);
    expect((await cluster.query('SHOW wal_sender_timeout')).rows[0].wal_sender_timeout).toBe('0');
    const status = (await agent.app.inject({ method: 'GET', url: '/v1/status', headers: admin })).json();
    expect(status.pendingRestartReason.max_wal_senders).toMatchObject({ running: '10', file: '12' });
    const op = await agent.app.inject({
      method: 'GET',
      url: `/v1/operations/${res.json().operationId}`,
      headers: admin,
    });
    expect(op.json()).toMatchObject({ kind: 'apply', phase: 'done', status: 'succeeded' });
  });
});

describe('rollback', () => {
  it('restores the pre-apply bytes of pg_hba.conf and postgresql.auto.conf', async () => {
    const before = await snapshotFiles(cluster);
    expect((await applyOf(await planOf(bundle))).statusCode).toBe(200);
    expect(await snapshotFiles(cluster)).not.toEqual(before);
    const res = await agent.app.inject({ method: 'POST', url: '/v1/rollback', headers: admin, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'rolled_back', restored: true });
    expect(await snapshotFiles(cluster)).toEqual(before);
  });

  it('restores the last change of several in the same second, says which, and `applied` follows', async () => {
    const pristine = await snapshotFiles(cluster);
    const a = rehash(bundle, { bundleId: 'bundle_a', settings: { wal_sender_timeout: '41s' } });
    const b = rehash(bundle, { bundleId: 'bundle_b', settings: { wal_sender_timeout: '42s' } });
    const applyA = await applyOf(await planOf(a));
    expect(applyA.statusCode, applyA.body).toBe(200);
    const afterA = await snapshotFiles(cluster);
    // The sequence: a rollback's safety backup, then B, then a bare rollback must undo B.
    const first = await agent.app.inject({ method: 'POST', url: '/v1/rollback', headers: admin, payload: {} });
    expect(first.json()).toMatchObject({ result: 'rolled_back', undid: { operationId: applyA.json().operationId } });
    expect(await snapshotFiles(cluster)).toEqual(pristine);
    expect((await agent.app.inject({ method: 'GET', url: '/v1/status', headers: admin })).json().applied).toBe(null);
    expect((await applyOf(await planOf(a))).statusCode).toBe(200);
    const applyB = await applyOf(await planOf(b));
    expect(applyB.statusCode, applyB.body).toBe(200);
    const res = await agent.app.inject({ method: 'POST', url: '/v1/rollback', headers: admin, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      result: 'rolled_back',
      undid: { operationId: applyB.json().operationId, kind: 'apply', planHash: applyB.json().planHash },
      applied: { bundleId: 'bundle_a' },
    });
    expect(await snapshotFiles(cluster)).toEqual(afterA);
    expect((await cluster.query('SHOW wal_sender_timeout')).rows[0].wal_sender_timeout).toBe('41s');
    const status = (await agent.app.inject({ method: 'GET', url: '/v1/status', headers: admin })).json();
    expect(status.applied.bundleId).toBe('bundle_a');
    // Four backups, taken within a second or two: listed in the order they were taken.
    const backups = (await agent.app.inject({ method: 'GET', url: '/v1/backups', headers: admin })).json().backups;
    expect(backups.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses with 409 ROLLBACK_DRIFT when the files were edited after the apply, unless forced', async () => {
    expect((await applyOf(await planOf(bundle))).statusCode).toBe(200);
    const edited = `${await readFile(cluster.hbaFile, 'utf8')}# hand edit\n`;
    await writeFile(cluster.hbaFile, edited);
    const refused = await agent.app.inject({ method: 'POST', url: '/v1/rollback', headers: admin, payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('ROLLBACK_DRIFT');
    expect(await readFile(cluster.hbaFile, 'utf8')).toBe(edited);
    const forced = await agent.app.inject({
      method: 'POST',
      url: '/v1/rollback',
      headers: admin,
      payload: { force: true },
    });
    expect(forced.statusCode).toBe(200);
    expect(await readFile(cluster.hbaFile, 'utf8')).toBe(pristineHba);
  });
});

describe('restart', () => {
  it('answers noop when nothing is pending, and 412 for a stale postmaster start time', async () => {
    const noop = await agent.app.inject({
      method: 'POST',
      url: '/v1/restart',
      headers: admin,
      payload: { confirm: true },
    });
    expect(noop.json(), noop.body).toMatchObject({ result: 'noop', changed: false });
    const stale = await agent.app.inject({
      method: 'POST',
      url: '/v1/restart',
      headers: admin,
      payload: { confirm: true, onlyIfPendingRestart: false, expectedPostmasterStartTime: '2000-01-01 00:00:00+00' },
    });
    expect(stale.statusCode).toBe(412);
  });

  it('refuses when the agent has no restart permission', async () => {
    const noRestart = await startAgent(cluster, { restart: false });
    try {
      const res = await noRestart.app.inject({
        method: 'POST',
        url: '/v1/restart',
        headers: admin,
        payload: { confirm: true },
      });
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'RESTART_NOT_ALLOWED']);
      expect(res.json().error.message).toContain('has no restart section; restart PostgreSQL by hand');
    } finally {
      await noRestart.close();
    }
  });

  it('restores the backup offline and starts the server again when it does not come back', async () => {
    const before = await snapshotFiles(cluster);
    expect((await applyOf(await planOf(bundle))).statusCode).toBe(200);
    // A bad postmaster value slips in behind the agent's back.
    await cluster.query("ALTER SYSTEM SET shared_preload_libraries = 'no_such_library'");
    const res = await agent.app.inject({
      method: 'POST',
      url: '/v1/restart',
      headers: admin,
      payload: { confirm: true },
    });
    expect(res.statusCode, res.body).toBe(500);
    expect(res.json().error).toMatchObject({ code: 'RESTART_FAILED_ROLLED_BACK', rolledBack: true });
    expect(JSON.stringify(res.json().error.details)).toContain('no_such_library');
    expect((await cluster.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect(await snapshotFiles(cluster)).toEqual(before);
  });
});

describe('recovery', () => {
  it('undoes an operation interrupted between write and reload, and removes the temp file', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'pgferry-agent-recovery-'));
    await agent.close();
    agent = await startAgent(cluster, { stateDir });
    const manifest = await agent.ctx.state.backup('op_interrupted', null, 160000, [
      { role: 'hba', path: cluster.hbaFile },
      { role: 'autoConf', path: join(cluster.dataDir, 'postgresql.auto.conf') },
    ]);
    await agent.ctx.state.journal({
      operationId: 'op_interrupted',
      kind: 'apply',
      phase: 'written',
      planHash: null,
      backupId: manifest.backupId,
    });
    await agent.close();
    // The killed agent had renamed one file and left the temp of the next write behind.
    await writeFile(cluster.hbaFile, `${pristineHba}host\tall\tall\t10.1.0.0/16\treject\n`);
    const temp = tempPathFor(cluster.hbaFile);
    await writeFile(temp, 'half a fi');
    agent = await startAgent(cluster, { stateDir });
    expect(agent.recovery.restored).toBe(true);
    expect(agent.recovery.removedTemps).toHaveLength(1);
    expect(await readFile(cluster.hbaFile, 'utf8')).toBe(pristineHba);
    const status = (await agent.app.inject({ method: 'GET', url: '/v1/status', headers: admin })).json();
    expect(status.lastOperation).toMatchObject({ id: 'op_interrupted', phase: 'aborted', result: 'interrupted' });
    await rm(stateDir, { recursive: true, force: true });
  });
});

describe('recovery of an interrupted restart', () => {
  it('reports needs_attention when the server is down, and never starts it itself', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'pgferry-agent-recovery-'));
    await agent.close();
    agent = await startAgent(cluster, { stateDir });
    await agent.ctx.state.journal({
      operationId: 'op_restart',
      kind: 'restart',
      phase: 'restarting',
      planHash: null,
      backupId: null,
    });
    await agent.close();
    await cluster.kill();
    try {
      // Without a restart section there is no restart to wait for: the server is simply down.
      agent = await startAgent(cluster, { stateDir, restart: false });
      expect(agent.recovery.interrupted?.operationId).toBe('op_restart');
      expect(await agent.ctx.state.readJournal()).toMatchObject({ phase: 'aborted', result: 'needs_attention' });
      const ready = await agent.app.inject({ method: 'GET', url: '/v1/ready', headers: admin });
      expect(ready.statusCode).toBe(503);
    } finally {
      await cluster.start();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL down', () => {
  it('answers 503 for reads and plans, and metrics with pgferry_pg_up 0', async () => {
    await cluster.kill();
    try {
      const health = await agent.app.inject({ method: 'GET', url: '/v1/health' });
      expect(health.statusCode).toBe(200);
      const ready = await agent.app.inject({ method: 'GET', url: '/v1/ready', headers: admin });
      expect(ready.statusCode).toBe(503);
      for (const [method, url, payload] of [
        ['POST', '/v1/plans', bundle],
        ['GET', '/v1/slots', undefined],
        ['GET', '/v1/status', undefined],
      ] as const) {
        const res = await agent.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
        expect(res.statusCode, url).toBe(503);
        expect(res.json().error.code).toBe('DB_UNAVAILABLE');
      }
      const metrics = await agent.app.inject({ method: 'GET', url: '/metrics', headers: admin });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('pgferry_pg_up 0');
      expect(metrics.body).toContain('pgferry_up 1');
    } finally {
      await cluster.start();
    }
  });
});
