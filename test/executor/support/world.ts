// The executor's test world: a real source and a real target PostgreSQL 16, the fake agent on the
// source, the stateful DMS fake and an SSM fake, and a way to run pgferry commands in-process with
// everything captured (so tests can grep stdout, stderr and the journal for secrets).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startAgent, TOKENS } from '../../agent/support.js';
import { DmsFake, ssmFake } from '../../support/dms-fake.js';
import { type DmsStandIn, startDmsStandIn } from '../../support/dms-http.js';
import type { DmsState } from '../../support/dms-state.js';
import { type PgCluster, startCluster } from '../../support/pg-cluster.js';
import { type FakeAgent, startFakeAgent } from './fake-agent.js';
import { type RunResult, runCommand } from './run-command.js';

export const PLAN_FILE = fileURLToPath(new URL('../fixtures/cdc.yaml', import.meta.url));
export const PLAN = 'shopx';

export const SECRETS = {
  '/pgferry/shopx/agent/token': 'tok-S3CRET-agent-4242',
  '/pgferry/shopx/source/dms_user': 'pw-S3CRET-dms-7777',
  '/pgferry/shopx/target/postgres': 'pw-S3CRET-target-9999',
} as const;

export interface World {
  readonly source: PgCluster;
  readonly target: PgCluster;
  readonly agent: FakeAgent;
  /** DMS's state: the aws-sdk-client-mock fake's, or the HTTP stand-in's (`dms: 'http'`). */
  readonly dms: DmsState;
  /** The HTTP stand-in (`dms: 'http'`): its URL, the slots DMS made on the source (`sourceSide.made`). */
  readonly standIn: DmsStandIn | null;
  /** SSM parameter names read. */
  readonly ssm: { readonly reads: readonly string[] };
  readonly parameters: Record<string, string>;
  readonly stateDir: string;
  readonly journalFile: string;
  /**
   * Source rows the simulated DMS never delivers to the target, `table:id` (a change DMS failed to
   * apply); every other row of the shop tables is delivered while the consumer runs.
   */
  readonly lostRows: Set<string>;
  /** Everything any command printed, for the secret grep. */
  readonly transcript: string[];
  readonly planFile: string;
  /** The flags every command gets: state dir, addresses, poll interval, the stand-in's endpoints. */
  flags(options?: { targetUrl?: string }): string[];
  /** pgferry <command> PLAN_FILE <args> with the world's addresses. */
  run(command: string, args?: readonly string[], options?: { targetUrl?: string }): Promise<RunResult>;
  journal(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The shop schema both worlds (this one and test/logical/support.ts) create on source and target. */
export const SCHEMA = `
  CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES public.customers, total numeric(12,2));
  CREATE SEQUENCE public.invoice_no;
`;

async function seedSource(source: PgCluster): Promise<void> {
  await source.query('CREATE DATABASE orders');
  await source.query('CREATE ROLE orders_app LOGIN');
  await source.query(SCHEMA, [], 'orders');
  await source.query('GRANT ALL ON ALL TABLES IN SCHEMA public TO orders_app', [], 'orders');
  await source.query('GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO orders_app', [], 'orders');
  await source.query("INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 3) g", [], 'orders');
  await source.query(
    'INSERT INTO public.orders (customer_id, total) SELECT 1 + g % 3, g FROM generate_series(1, 5) g',
    [],
    'orders',
  );
  // An unowned sequence: no column's default uses it, the application calls nextval itself.
  await source.query("SELECT setval('public.invoice_no', 41); SELECT nextval('public.invoice_no')", [], 'orders');
}

async function seedTarget(target: PgCluster): Promise<void> {
  await target.query('CREATE DATABASE orders');
  await target.query(SCHEMA, [], 'orders');
}

const SHOP_TABLES = ['public.customers', 'public.orders'] as const;

/**
 * Stands in for DMS applying changes: every row of the shop tables on the source that the target lacks
 * is inserted there (by id), except the rows named in `lost`. Inserts only: enough for what the tests
 * write while the consumer runs, and a row the target lacks is what the cutover's target check must see.
 */
export async function deliverRows(source: PgCluster, target: PgCluster, lost: ReadonlySet<string>): Promise<void> {
  for (const table of SHOP_TABLES) {
    const answer = await source.query(`SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM ${table} t`, [], 'orders');
    const rows = (answer.rows[0].rows as { id: number }[]).filter((row) => !lost.has(`${table}:${row.id}`));
    await target.query(
      `INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1::json) ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
      'orders',
    );
  }
}

/**
 * Stands in for DMS consuming the slot: delivers the rows (`deliver`), then advances every inactive
 * logical slot to the current LSN. Used with the real agent, which (rightly) reports the slots as they are.
 */
function slotConsumer(source: PgCluster, deliver: () => Promise<void>): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    await deliver();
    const slots = await source.query(
      "SELECT slot_name, database FROM pg_replication_slots WHERE slot_type = 'logical' AND NOT active",
    );
    for (const row of slots.rows) {
      await source
        .query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [row.slot_name], row.database)
        .catch(() => undefined);
    }
  };
  return {
    start() {
      timer ??= setInterval(() => {
        running = running.then(tick).catch(() => undefined);
      }, 20);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/** The real agent (agent/, in-process on a free port) behind the same small interface as the fake. */
async function startRealAgent(source: PgCluster, deliver: () => Promise<void>): Promise<FakeAgent> {
  const agent = await startAgent(source, { extraYaml: 'slots: { dropPrefixes: [orderscdc_] }' });
  await agent.app.listen({ port: 0, host: '127.0.0.1' });
  const address = agent.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const consumer = slotConsumer(source, deliver);
  let consuming = false;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    get simulateConsumer() {
      return consuming;
    },
    set simulateConsumer(value: boolean) {
      consuming = value;
      if (value) consumer.start();
      else void consumer.stop();
    },
    failNext() {
      throw new Error('the real agent takes no injected failures');
    },
    async close() {
      await consumer.stop();
      await agent.close();
    },
  };
}

export interface WorldOptions {
  /** `real`: the agent from agent/ in-process; `fake` (default): the in-test stand-in. */
  readonly agent?: 'fake' | 'real';
  /** Another plan over the same clusters (default: the CDC fixture), with its name. */
  readonly plan?: { readonly file: string; readonly name: string };
  /**
   * `http`: the HTTP-level DMS stand-in (test/support/dms-http.ts) reached by the real SDK clients
   * through --dms-endpoint and --ssm-endpoint, with wall-clock states and DMS's own slot on the source;
   * `fake` (default): the aws-sdk-client-mock fake.
   */
  readonly dms?: 'fake' | 'http';
  /** The HTTP stand-in's timing (test/support/dms-http.ts), e.g. a later slot to kill a run before it. */
  readonly standIn?: { readonly stepMs?: number; readonly slotDelayMs?: number };
}

/**
 * The HTTP DMS stand-in on the world's source, with the SSM parameters, and DMS applying rows: while a
 * CDC task runs, the shop rows are delivered to the target (`deliver`), as the stand-in only consumes
 * the slot. The SDK reads the stand-in's made-up credentials from the environment while it is up.
 */
async function startHttpDms(
  source: PgCluster,
  parameters: Record<string, string>,
  deliver: () => Promise<void>,
  timing: WorldOptions['standIn'] = {},
) {
  const standIn = await startDmsStandIn({ source, parameters, ...timing });
  const saved = Object.fromEntries(Object.keys(standIn.env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, standIn.env);
  let delivering: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const applying = standIn.state
      .replicators()
      .some((task) => task.status === 'running' && task.migrationType !== 'full-load');
    if (applying) delivering = delivering.then(deliver).catch(() => undefined);
  }, 20);
  return {
    standIn,
    async close() {
      clearInterval(timer);
      await delivering;
      await standIn.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** The seed scenario's secrets (plans/orders.yaml), same values as the fixture's. */
const ORDERS_SECRETS = {
  '/pgferry/orders/agent/token': SECRETS['/pgferry/shopx/agent/token'],
  '/pgferry/orders/source/dms_user': SECRETS['/pgferry/shopx/source/dms_user'],
  '/pgferry/orders/target/postgres': SECRETS['/pgferry/shopx/target/postgres'],
};

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const [source, target] = await Promise.all([startCluster({ major: 16 }), startCluster({ major: 16 })]);
  await Promise.all([seedSource(source), seedTarget(target)]);
  const real = options.agent === 'real';
  const lostRows = new Set<string>();
  const deliver = () => deliverRows(source, target, lostRows);
  const agent = real
    ? await startRealAgent(source, deliver)
    : await startFakeAgent(source, SECRETS['/pgferry/shopx/agent/token'], deliver);
  const planFile = options.plan?.file ?? PLAN_FILE;
  const planName = options.plan?.name ?? PLAN;
  const parameters: Record<string, string> = {
    ...SECRETS,
    ...ORDERS_SECRETS,
    ...(real ? { '/pgferry/shopx/agent/token': TOKENS.admin } : {}),
  };
  const http = options.dms === 'http' ? await startHttpDms(source, parameters, deliver, options.standIn) : null;
  let fake: DmsFake | null = null;
  let ssm: { readonly reads: readonly string[]; restore(): void };
  if (http) ssm = { reads: http.standIn.reads, restore: () => undefined };
  else {
    fake = new DmsFake();
    fake.onCdcStart = async ({ slotName }) => {
      await source.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slotName], 'orders');
    };
    ssm = ssmFake(parameters);
  }
  const dms: DmsState = http ? http.standIn.state : fake!;
  const stateDir = await mkdtemp(join(tmpdir(), 'pgferry-exec-'));
  const transcript: string[] = [];
  const world: World = {
    source,
    target,
    agent,
    dms,
    standIn: http?.standIn ?? null,
    ssm,
    parameters,
    stateDir,
    journalFile: join(stateDir, planName, 'journal.json'),
    lostRows,
    transcript,
    planFile,
    flags(options = {}) {
      return [
        '--state-dir',
        stateDir,
        '--agent-url',
        agent.url,
        '--target-url',
        options.targetUrl ?? `postgres://postgres@127.0.0.1:${target.port}/`,
        '--source-url',
        `postgres://postgres@127.0.0.1:${source.port}/`,
        // A little sleep between polls: with 0 the waits could spend their poll budget before the
        // simulated slot consumer (a 20 ms timer) catches up on a loaded CI machine.
        '--poll-ms',
        '5',
        ...(http
          ? [
              '--dms-endpoint',
              http.standIn.url,
              '--ssm-endpoint',
              http.standIn.url,
              '--cloudwatch-endpoint',
              http.standIn.url,
            ]
          : []),
      ];
    },
    run(command, args = [], options = {}) {
      return runCommand(command, planFile, args, world.flags(options), {
        cwd: process.cwd(),
        env: { PGFERRY_APPROVER: 'test' },
        transcript,
      });
    },
    async journal() {
      return JSON.parse(await readFile(join(stateDir, planName, 'journal.json'), 'utf8')) as Record<string, unknown>;
    },
    async close() {
      fake?.restore();
      ssm.restore();
      await http?.close();
      await agent.close();
      await Promise.all([source.stop(), target.stop()]);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A fresh TCP session as the application role: does the source accept its writes? */
export async function appWrite(source: PgCluster, database = 'orders', role = 'orders_app'): Promise<'ok' | string> {
  const client = new pg.Client({ connectionString: source.connectionString(database, role) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query("INSERT INTO public.customers (name) VALUES ('late')");
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end();
  }
}

export async function slotNames(source: PgCluster): Promise<string[]> {
  const result = await source.query('SELECT slot_name FROM pg_replication_slots ORDER BY 1');
  return result.rows.map((row) => row.slot_name as string);
}

export async function sequenceValue(cluster: PgCluster, name: string): Promise<string> {
  const result = await cluster.query(`SELECT last_value::text AS v FROM ${name}`, [], 'orders');
  return result.rows[0].v as string;
}

export function nodeStates(journal: Record<string, unknown>): Record<string, string> {
  const nodes = journal.nodes as Record<string, { state: string }>;
  return Object.fromEntries(Object.entries(nodes).map(([id, node]) => [id, node.state]));
}
