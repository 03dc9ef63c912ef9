// Cutover safety on real clusters with the REAL agent (in-process, over HTTP) and engine logical:
// two and three databases selected with `%.%`, fenced in parallel at cutover. Every write role of
// every database is refused from the fence on; pgferry's own marker never replicates (the cutover
// would hang otherwise). Abort, then a new run (same state directory, then a new one) fences and
// writes a marker again: the agent's audit log shows fresh records, not replayed answers.

import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, startAgent, type TestAgent, TOKENS } from '../agent/support.js';
import { type RunResult, runCommand } from '../executor/support/run-command.js';
import { SCHEMA } from '../executor/support/world.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';

const PLAN = 'safety';
const ENV = {
  PGFERRY_APPROVER: 'test',
  PGFERRY_AGENT_TOKEN: TOKENS.admin,
  PGFERRY_SOURCE_PASSWORD: 'pw-source',
  PGFERRY_TARGET_PASSWORD: 'pw-target',
};

function planYaml(databases: readonly string[], source: PgCluster, target: PgCluster, agentUrl: string): string {
  return `version: 1
name: ${PLAN}
engine: logical
source:
  host: 127.0.0.1
  port: ${source.port}
  version: "${source.major}.0"
  databases: [${databases.join(', ')}]
  migration_user:
    name: migrator
    password: { env: PGFERRY_SOURCE_PASSWORD }
    superuser: true
  auth_method: scram-sha-256
  write_roles: [${databases.map((db) => `${db}_app`).join(', ')}]
  protected_logins:
    - { type: local, database: all, user: postgres }
  agent:
    url: ${agentUrl}
    token: { env: PGFERRY_AGENT_TOKEN }
target:
  kind: self-managed
  host: 127.0.0.1
  port: ${target.port}
  version: "${target.major}.0"
  admin_user:
    name: postgres
    password: { env: PGFERRY_TARGET_PASSWORD }
  ssl_mode: none
  fk_strategy: alter_system
dms:
  region: eu-west-1
  replication_instance:
    identifier: safety-ri
    class: dms.c5.large
    engine_version: "3.5.4"
    source_cidrs: [127.0.0.1/32]
  tasks:
${databases
  .map(
    (db) => `    - id: ${db}-cdc
      database: ${db}
      migration_type: full-load-and-cdc
      tables:
        include: ["%.%"]`,
  )
  .join('\n')}
`;
}

interface SafetyWorld {
  readonly source: PgCluster;
  readonly target: PgCluster;
  readonly agent: TestAgent;
  stateDir: string;
  run(command: string, args?: readonly string[]): Promise<RunResult>;
  close(): Promise<void>;
}

async function startSafetyWorld(databases: readonly string[]): Promise<SafetyWorld> {
  const [source, target] = await Promise.all([
    startCluster({ major: 16, settings: { wal_level: 'logical' } }),
    startCluster({ major: 16 }),
  ]);
  await source.query(
    `SET password_encryption = 'scram-sha-256'; CREATE ROLE migrator LOGIN SUPERUSER PASSWORD '${ENV.PGFERRY_SOURCE_PASSWORD}'`,
  );
  for (const db of databases) {
    await source.query(`CREATE ROLE ${db}_app LOGIN`);
    await source.query(`CREATE DATABASE ${db}`);
    await source.query(SCHEMA, [], db);
    await source.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${db}_app`, [], db);
    await source.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${db}_app`, [], db);
    await source.query("INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 5) g", [], db);
    await target.query(`CREATE DATABASE ${db}`);
    await target.query(SCHEMA, [], db);
  }
  const agent = await startAgent(source);
  await agent.app.listen({ port: 0, host: '127.0.0.1' });
  const address = agent.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const dir = await mkdtemp(join(tmpdir(), 'pgferry-safety-'));
  const planFile = join(dir, `${PLAN}.yaml`);
  await writeFile(planFile, planYaml(databases, source, target, `http://127.0.0.1:${port}`));
  const world: SafetyWorld = {
    source,
    target,
    agent,
    stateDir: join(dir, 'state'),
    run(command, args = []) {
      const flags = ['--state-dir', world.stateDir, '--poll-ms', '100'];
      return runCommand(command, planFile, args, flags, { cwd: dir, env: ENV, transcript: [] });
    },
    async close() {
      await agent.close();
      await Promise.all([source.stop(), target.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A fresh TCP login as the database's write role: refused by pg_hba, or 'ok'. */
async function login(source: PgCluster, db: string): Promise<string> {
  const client = new pg.Client({ connectionString: source.connectionString(db, `${db}_app`) });
  try {
    await client.connect();
    await client.end();
    return 'ok';
  } catch (error) {
    return /rejects connection/.test((error as Error).message) ? 'refused' : (error as Error).message;
  }
}

async function audit(agent: TestAgent, kind: string): Promise<Record<string, unknown>[]> {
  const res = await agent.app.inject({ method: 'GET', url: '/v1/audit?limit=1000', headers: admin });
  return (res.json().records as Record<string, unknown>[]).filter((record) => record.kind === kind);
}

/** apply → consent → apply → approve cutover → cutover, which stops at the writes-open gate. */
async function runToWritesOpen(world: SafetyWorld, consentShows: RegExp): Promise<RunResult> {
  const first = await world.run('apply');
  expect(first.stdout, first.stderr).toContain('restart-consent');
  const consent = await world.run('approve', ['restart-consent']);
  expect(consent.code, consent.stderr).toBe(0);
  expect(consent.stdout).toContain('continue with: pgferry apply');
  // Consent is given knowing what the restart changes; a capacity that goes down is called out.
  expect(consent.stdout).toMatch(consentShows);
  const applied = await world.run('apply');
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  expect(applied.stdout).toMatch(
    /safety: done with prepare and load; next: pgferry approve \S+ cutover, then pgferry cutover /,
  );
  const approved = await world.run('approve', ['cutover']);
  expect(approved.stdout).toContain('continue with: pgferry cutover');
  const cutover = await world.run('cutover');
  expect(cutover.stderr).toBe('');
  expect(cutover.code).toBe(0);
  expect(cutover.stdout).toMatch(/waiting for approval: pgferry approve \S+ writes-open, then pgferry cutover /);
  return cutover;
}

describe.each([
  [2, ['billing', 'crm']],
  [3, ['billing', 'crm', 'hr']],
] as const)('%i databases with the real agent, fenced in parallel', (count, databases) => {
  let world: SafetyWorld;
  beforeAll(async () => {
    world = await startSafetyWorld(databases);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('every write role of every database is refused from the fence until writes-open; the marker never replicates', async () => {
    for (const db of databases) expect(await login(world.source, db), db).toBe('ok');
    // Two tasks fit the cluster's 10 slots and senders (the bundle's budget is a floor, never lowered);
    // three need 11: the consent says what the restart raises.
    await runToWritesOpen(
      world,
      count === 2
        ? /the restart changes no setting/
        : /the restart changes:\n {2}max_replication_slots 10 → 11\n {2}max_wal_senders 10 → 11\n/,
    );
    for (const db of databases) expect(await login(world.source, db), db).toBe('refused');
    const fences = await audit(world.agent, 'fence');
    expect(fences.filter((record) => record.result === 'ok').map((record) => record.databases)).toEqual(
      expect.arrayContaining(databases.map((db) => [db])),
    );
    // The target never saw pgferry's own schema; the subscriptions are gone after the drain.
    for (const db of databases) {
      const schemas = await world.target.query("SELECT 1 FROM pg_namespace WHERE nspname = 'pgferry'", [], db);
      expect(schemas.rowCount, db).toBe(0);
    }
    expect((await world.run('approve', ['writes-open'])).code).toBe(0);
    expect((await world.run('cutover')).code).toBe(0);
    for (const db of databases) expect(await login(world.source, db), db).toBe('refused');
  });

  if (count === 2) {
    it('abort unfences every database; a new run (same, then a new state directory) fences and marks again', async () => {
      const aborted = await world.run('abort');
      expect(aborted.code, aborted.stdout + aborted.stderr).toBe(0);
      for (const db of databases) expect(await login(world.source, db), db).toBe('ok');
      const seen = { fences: (await audit(world.agent, 'fence')).length, markers: await audit(world.agent, 'marker') };

      for (const fresh of [false, true]) {
        if (fresh) world.stateDir = `${world.stateDir}-new`;
        else await unlink(join(world.stateDir, PLAN, 'journal.json'));
        // The operator empties the target again before copying anew.
        for (const db of databases) await world.target.query('TRUNCATE public.orders, public.customers', [], db);
        await runToWritesOpen(world, /the restart changes no setting/);
        for (const db of databases) expect(await login(world.source, db), db).toBe('refused');
        const fences = await audit(world.agent, 'fence');
        expect(fences.length - seen.fences).toBe(databases.length);
        const markers = await audit(world.agent, 'marker');
        const newMarkers = markers.slice(seen.markers.length);
        expect(newMarkers).toHaveLength(databases.length);
        const oldLsns = new Set(seen.markers.map((record) => record.lsn));
        for (const record of newMarkers) expect(oldLsns.has(record.lsn)).toBe(false);
        seen.fences = fences.length;
        seen.markers = markers;
        expect((await world.run('abort')).code).toBe(0);
      }
    });
  }
});
