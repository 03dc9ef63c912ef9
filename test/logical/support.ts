// The logical engine's test world: two REAL clusters (the source with wal_level=logical), the executor
// tests' fake agent on the source, and a rehearsal plan (engine: logical) written with the clusters'
// ports, run through the pgferry commands in-process. No DMS, no SSM: secrets come from the environment.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeAgent, startFakeAgent } from '../executor/support/fake-agent.js';
import { type RunResult, runCommand } from '../executor/support/run-command.js';
import { SCHEMA } from '../executor/support/world.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';

export const PLAN = 'rehearsal';
export const TASK = 'rehearsal-app';
/** What the engine names the publication, the subscription and the slot (engines/logical.ts). */
export const NAME = 'pgferry_rehearsal_app';
export const MARGIN = 100;

const ENV = {
  PGFERRY_APPROVER: 'test',
  PGFERRY_AGENT_TOKEN: 'tok-S3CRET-agent-1234',
  PGFERRY_SOURCE_PASSWORD: 'pw-S3CRET-source-5678',
  PGFERRY_TARGET_PASSWORD: 'pw-S3CRET-target-9012',
};

function planYaml(source: PgCluster, target: PgCluster, agentUrl: string): string {
  return `version: 1
name: ${PLAN}
description: Rehearse a full load and CDC between two local clusters with logical replication.
engine: logical
source:
  host: 127.0.0.1
  port: ${source.port}
  version: "${source.major}.0"
  databases: [app]
  migration_user:
    name: migrator
    password: { env: PGFERRY_SOURCE_PASSWORD }
    superuser: true
  auth_method: scram-sha-256
  write_roles: [app_writer]
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
    identifier: rehearsal-ri
    class: dms.c5.large
    allocated_storage: 20
    engine_version: "3.5.4"
    source_cidrs: [127.0.0.1/32]
  tasks:
    - id: ${TASK}
      database: app
      migration_type: full-load-and-cdc
      tables:
        include: ["public.%"]
cutover:
  fence:
    method: read_only
  sequences:
    margin: ${MARGIN}
  verify:
    mode: checksum
`;
}

export interface LogicalWorld {
  readonly source: PgCluster;
  readonly target: PgCluster;
  readonly agent: FakeAgent;
  /** Where the plan, its state and the commands' environment are, for a session opened beside the commands. */
  readonly planFile: string;
  readonly stateDir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Everything any command printed, for the secret grep. */
  readonly transcript: string[];
  run(command: string, args?: readonly string[]): Promise<RunResult>;
  /** The plan's journal as written, for the secret grep. */
  journalText(): Promise<string>;
  close(): Promise<void>;
}

export async function startLogicalWorld(sourceMajor: 12 | 16 = 16): Promise<LogicalWorld> {
  const [source, target] = await Promise.all([
    startCluster({ major: sourceMajor, settings: { wal_level: 'logical' } }),
    startCluster({ major: 16 }),
  ]);
  await source.query('CREATE ROLE migrator LOGIN SUPERUSER');
  await source.query('CREATE ROLE app_writer LOGIN');
  await source.query('CREATE DATABASE app');
  await source.query(SCHEMA, [], 'app');
  await source.query('GRANT ALL ON ALL TABLES IN SCHEMA public TO app_writer', [], 'app');
  await source.query('GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO app_writer', [], 'app');
  await source.query("INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 20) g", [], 'app');
  await source.query(
    'INSERT INTO public.orders (customer_id, total) SELECT 1 + g % 20, g FROM generate_series(1, 200) g',
    [],
    'app',
  );
  await source.query("SELECT setval('public.invoice_no', 41)", [], 'app');
  await target.query('CREATE DATABASE app');
  // The pre-data schema is restored on the target as well: logical replication copies rows, not DDL.
  await target.query(SCHEMA, [], 'app');

  const agent = await startFakeAgent(source, ENV.PGFERRY_AGENT_TOKEN);
  const dir = await mkdtemp(join(tmpdir(), 'pgferry-logical-'));
  const planFile = join(dir, 'rehearsal.yaml');
  await writeFile(planFile, planYaml(source, target, agent.url));
  const stateDir = join(dir, 'state');
  const transcript: string[] = [];
  return {
    source,
    target,
    agent,
    planFile,
    stateDir,
    env: ENV,
    transcript,
    run(command, args = []) {
      // A short poll: the table copies and the slot's confirmations take a moment on real clusters.
      const flags = ['--state-dir', stateDir, '--poll-ms', '100'];
      return runCommand(command, planFile, args, flags, { cwd: dir, env: ENV, transcript });
    },
    journalText() {
      return readFile(join(stateDir, PLAN, 'journal.json'), 'utf8');
    },
    async close() {
      await agent.close();
      await Promise.all([source.stop(), target.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const SECRET_VALUES: readonly string[] = Object.entries(ENV)
  .filter(([name]) => name !== 'PGFERRY_APPROVER')
  .map(([, value]) => value);

/** `count(*)` of a table on the `app` database. */
export async function rows(cluster: PgCluster, table: string): Promise<number> {
  return Number((await cluster.query(`SELECT count(*)::int AS n FROM ${table}`, [], 'app')).rows[0].n);
}

export async function sequenceValue(cluster: PgCluster, name: string): Promise<bigint> {
  return BigInt((await cluster.query(`SELECT last_value::text AS v FROM ${name}`, [], 'app')).rows[0].v);
}

export async function names(cluster: PgCluster, sql: string, db = 'app'): Promise<string[]> {
  return (await cluster.query(sql, [], db)).rows.map((row) => String(Object.values(row)[0]));
}
