// Crash recovery on a real agent process and real PostgreSQL 16: the agent is parked at each phase of
// apply, rollback and restart (test hook) and SIGKILLed there, then started again. After recovery the files
// are byte for byte what they were before the operation, the server runs what the files say, no lock is
// left, the operation has a final state, `applied` is what it was, and a fresh apply works. A bounded loop
// then kills applies at fixed pseudo-random moments. One cluster serves every case: each case compares with
// its own "before", so cases need not reset anything between them.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBundle } from '../../contracts/bundle.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { type AgentProcess, buildAgentCli, startAgentProcess } from './agent-process.js';
import { makeBundle, rehash, sleep } from './support.js';

let cluster: PgCluster;
let cli: Awaited<ReturnType<typeof buildAgentCli>>;
let work: string;
let stateDir: string;
let agent: AgentProcess | null = null;
let bundleA: SourceBundle;
let bundleB: SourceBundle;
let restartBundle: (senders: number) => SourceBundle;

const RELOADABLE = ['wal_sender_timeout', 'work_mem'];

async function files(): Promise<{ hba: Buffer; auto: Buffer }> {
  return {
    hba: await readFile(cluster.hbaFile),
    auto: await readFile(join(cluster.dataDir, 'postgresql.auto.conf')),
  };
}

/** For each reloadable setting: what a fresh session runs, and what the files say (their default if unset). */
async function runningVersusFiles(): Promise<{ running: Record<string, string>; files: Record<string, string> }> {
  const client = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const running: Record<string, string> = {};
    const wanted: Record<string, string> = {};
    for (const name of RELOADABLE) {
      running[name] = (await client.query('SELECT pg_catalog.current_setting($1) AS v', [name])).rows[0].v;
      const file = await client.query(
        'SELECT setting FROM pg_catalog.pg_file_settings WHERE name = $1 AND error IS NULL ORDER BY seqno DESC LIMIT 1',
        [name],
      );
      const boot = await client.query('SELECT boot_val FROM pg_catalog.pg_settings WHERE name = $1', [name]);
      // set_config shows the file's value in the form SHOW uses (units), inside a transaction thrown away.
      await client.query('BEGIN');
      wanted[name] = (
        await client.query('SELECT pg_catalog.set_config($1, $2, true) AS v', [
          name,
          file.rows[0]?.setting ?? boot.rows[0].boot_val,
        ])
      ).rows[0].v;
      await client.query('ROLLBACK');
    }
    return { running, files: wanted };
  } finally {
    await client.end();
  }
}

async function startAgent(pauseAt: string | null): Promise<AgentProcess> {
  // A case that failed half-way may have left its agent parked, holding the lock: never start over it.
  await agent?.kill('SIGKILL');
  agent = await startAgentProcess(cli.entry, cluster, stateDir, pauseAt);
  return agent;
}

async function stopAgent(): Promise<void> {
  await agent?.kill('SIGTERM');
  agent = null;
}

async function applyVia(a: AgentProcess, bundle: SourceBundle) {
  const plan = await a.request('POST', '/v1/plans', bundle);
  expect(plan.status, JSON.stringify(plan.json)).toBe(200);
  return a.request('POST', `/v1/plans/${plan.json.planId}/apply`, { planHash: plan.json.planHash });
}

/** Fires a request and does not wait for its answer (the agent will be killed before it answers). */
function fire(a: AgentProcess, run: () => Promise<unknown>): void {
  void a;
  run().catch(() => undefined);
}

interface CaseCheck {
  readonly before: { hba: Buffer; auto: Buffer };
  readonly appliedBefore: unknown;
  readonly journalBefore: unknown;
}

/** Restart after the kill, and check every promise recovery makes. */
async function recoverAndCheck(check: CaseCheck, point: string, nextPause: string | null): Promise<AgentProcess> {
  const a = await startAgent(nextPause);
  const after = await files();
  expect(after.hba.equals(check.before.hba), `${point}: pg_hba.conf byte for byte`).toBe(true);
  expect(after.auto.toString('utf8'), `${point}: postgresql.auto.conf byte for byte`).toBe(
    check.before.auto.toString('utf8'),
  );
  const { running, files: fromFiles } = await runningVersusFiles();
  expect(running, `${point}: the server runs what the files say`).toEqual(fromFiles);
  expect(existsSync(join(stateDir, 'lock')), `${point}: no lock left`).toBe(false);
  const status = await a.request('GET', '/v1/status');
  expect(status.status).toBe(200);
  expect(status.json.applied, `${point}: applied tells the truth`).toEqual(check.appliedBefore);
  const last = status.json.lastOperation;
  if (point.endsWith(':locked')) {
    // Killed before journalling: the journal still names the previous, finished operation.
    expect(last?.id ?? null).toBe((check.journalBefore as { id?: string } | null)?.id ?? null);
  } else {
    expect(last.phase, `${point}: final`).toBe('aborted');
    expect(['interrupted', 'rolled_back']).toContain(last.result);
    const op = await a.request('GET', `/v1/operations/${last.id}`);
    expect(op.json.status).not.toBe('running');
    if (['altered', 'reloaded', 'verified'].some((p) => point.endsWith(`:${p}`)) && !point.startsWith('restart')) {
      expect(last.result, point).toBe('rolled_back');
    }
  }
  return a;
}

async function snapshotCase(a: AgentProcess): Promise<CaseCheck> {
  const status = (await a.request('GET', '/v1/status')).json;
  return { before: await files(), appliedBefore: status.applied, journalBefore: status.lastOperation };
}

beforeAll(async () => {
  [cluster, cli] = await Promise.all([startCluster({ major: 16 }), buildAgentCli()]);
  work = await mkdtemp(join(tmpdir(), 'pgferry-crash-'));
  stateDir = join(work, 'state');
  const v = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
  bundleA = makeBundle(16, v, { settings: { wal_sender_timeout: '45s', work_mem: '8MB' } });
  bundleB = rehash(bundleA, { bundleId: 'orders_b', settings: { wal_sender_timeout: '50s', work_mem: '6MB' } });
  restartBundle = (senders) =>
    rehash(bundleA, { bundleId: `senders_${senders}`, settings: { max_wal_senders: senders, work_mem: '8MB' } });
}, 180_000);

afterAll(async () => {
  await stopAgent();
  await cluster?.stop();
  await cli?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

// Each case starts a real agent process: on a busy 2-core machine a phase loop takes minutes, not seconds.
const SLOW = 300_000;

const APPLY = ['locked', 'begin', 'backed_up', 'written', 'validated', 'altered', 'reloaded', 'verified'];
const ROLLBACK = ['locked', 'begin', 'backed_up', 'written', 'validated', 'reloaded'];
const RESTART = ['locked', 'begin', 'restarting', 'restarted'];

describe('a SIGKILL at each phase, then a restart of the agent', () => {
  it('apply: every phase recovers to the files and server from before, and a fresh apply works', {
    timeout: SLOW,
  }, async () => {
    let a = await startAgent(`apply:${APPLY[0]}`);
    for (const [i, phase] of APPLY.entries()) {
      const point = `apply:${phase}`;
      // Alternate bundles so each case changes something whatever the last one left applied.
      const bundle = i % 2 === 0 ? bundleA : bundleB;
      const check = await snapshotCase(a);
      fire(a, () => applyVia(a, bundle));
      await a.waitFor(`paused at ${point}`);
      expect(await a.kill('SIGKILL')).toBe(null);
      a = await recoverAndCheck(check, point, i + 1 < APPLY.length ? `apply:${APPLY[i + 1]}` : null);
      if (i === APPLY.length - 1) {
        const fresh = await applyVia(a, bundle);
        expect(fresh.status, JSON.stringify(fresh.json)).toBe(200);
        expect(fresh.json.result).toBe('applied');
        expect((await a.request('GET', '/v1/status')).json.applied.bundleId).toBe(bundle.bundleId);
      }
    }
    await stopAgent();
  });

  it('rollback: every phase recovers to the files and server from before the rollback', { timeout: SLOW }, async () => {
    let a = await startAgent(`rollback:${ROLLBACK[0]}`);
    // Something to roll back: whatever is applied now, then B on top of it.
    const applied = await applyVia(a, bundleB);
    expect([200]).toContain(applied.status);
    for (const [i, phase] of ROLLBACK.entries()) {
      const point = `rollback:${phase}`;
      const check = await snapshotCase(a);
      fire(a, () => a.request('POST', '/v1/rollback', {}));
      await a.waitFor(`paused at ${point}`);
      await a.kill('SIGKILL');
      a = await recoverAndCheck(check, point, i + 1 < ROLLBACK.length ? `rollback:${ROLLBACK[i + 1]}` : null);
    }
    // A rollback after all that still undoes B, and says so.
    const undone = await a.request('POST', '/v1/rollback', {});
    expect(undone.status, JSON.stringify(undone.json)).toBe(200);
    expect(undone.json.undid).toMatchObject({ kind: 'apply' });
    await stopAgent();
  });

  it('restart: every phase ends final with the server up and the files untouched', { timeout: SLOW }, async () => {
    let a = await startAgent(`restart:${RESTART[0]}`);
    for (const [i, phase] of RESTART.entries()) {
      const point = `restart:${phase}`;
      const running = Number((await cluster.query('SHOW max_wal_senders')).rows[0].max_wal_senders);
      const pending = await applyVia(a, restartBundle(running + 1));
      expect(pending.json.restartRequired, JSON.stringify(pending.json)).toBe(true);
      const check = await snapshotCase(a);
      fire(a, () => a.request('POST', '/v1/restart', { confirm: true }));
      await a.waitFor(`paused at ${point}`);
      await a.kill('SIGKILL');
      a = await recoverAndCheck(check, point, i + 1 < RESTART.length ? `restart:${RESTART[i + 1]}` : null);
      expect((await cluster.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    }
    const fresh = await applyVia(a, bundleA);
    expect(fresh.status, JSON.stringify(fresh.json)).toBe(200);
    await stopAgent();
  });
});

describe('kills at arbitrary moments', () => {
  it('always leaves the files old or new, the server agreeing, no lock, and a final operation', {
    timeout: SLOW,
  }, async () => {
    let a = await startAgent(null);
    // Known before/after states: B applied (before), A on top of it (after).
    await applyVia(a, bundleB);
    const before = await files();
    const done = await applyVia(a, bundleA);
    expect(done.status).toBe(200);
    const after = await files();
    expect((await a.request('POST', '/v1/rollback', {})).status).toBe(200);
    // Fixed delays: the same moments on every run, spread over the apply's phases.
    for (const delay of [3, 40, 90, 160]) {
      fire(a, () => applyVia(a, bundleA));
      await sleep(delay);
      await a.kill('SIGKILL');
      a = await startAgent(null);
      const now = await files();
      const old = now.hba.equals(before.hba) && now.auto.equals(before.auto);
      const fresh = now.hba.equals(after.hba) && now.auto.equals(after.auto);
      expect(old || fresh, `after a kill at ${delay} ms the files are old or new`).toBe(true);
      const { running, files: fromFiles } = await runningVersusFiles();
      expect(running, `after a kill at ${delay} ms`).toEqual(fromFiles);
      expect(existsSync(join(stateDir, 'lock'))).toBe(false);
      const status = (await a.request('GET', '/v1/status')).json;
      expect(status.lastOperation?.phase === 'done' || status.lastOperation?.phase === 'aborted').toBe(true);
      expect(status.applied?.bundleId).toBe(fresh ? bundleA.bundleId : bundleB.bundleId);
      if (fresh) expect((await a.request('POST', '/v1/rollback', {})).status).toBe(200);
    }
    await stopAgent();
  });
});
