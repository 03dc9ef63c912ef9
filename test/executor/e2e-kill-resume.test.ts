// Three CDC tasks, two on one source database (orders) and one on another (ledger), through apply,
// cutover and cleanup with the real agent, real clusters and DMS as it behaves (the HTTP stand-in: each
// task's slot made late, with a generated name, by DMS itself), while a real executor process is killed
// with SIGKILL twice and resumed: right after a task's StartReplicationTask, before DMS made its slot, and
// while a full-load wait is in progress. Nothing is created twice, every slot DMS made is attributed to
// its own task and dropped, a slot nobody attributed survives cleanup, and CloudWatch refusing the lag
// gate's read leaves it on its slot estimate, saying so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchAccessDenied } from '../support/cloudwatch-state.js';
import { ensureBuilt, startExecutor, until } from './support/executor-process.js';
import { nodeStates, slotNames, startWorld, type World } from './support/world.js';

const PLAN_FILE = new URL('./fixtures/multi-cdc.yaml', import.meta.url).pathname;
const TASKS = ['ledger-all', 'orders-customers', 'orders-orders'] as const;
/** A logical slot another tool made on the source: pgferry never attributes it, so never drops it. */
const FOREIGN_SLOT = 'reporting_cdc';

const LEDGER = `
  CREATE TABLE public.entries (id serial PRIMARY KEY, amount numeric(12,2) NOT NULL);
`;

type JournalNodes = Record<string, { state: string; progress?: unknown; outputs: Record<string, unknown> }>;

describe('two CDC tasks on one database and one on another, killed twice and resumed', () => {
  let world: World;
  const nodes = async () => (await world.journal()).nodes as JournalNodes;
  const started = (task: string) =>
    world.dms.calls.some(
      (call) =>
        call.command === 'StartReplicationTask' &&
        String(call.input.ReplicationTaskArn) === world.dms.tasks.get(task)?.arn,
    );
  const executor = (command: string) =>
    startExecutor(command, PLAN_FILE, world.flags(), { PGFERRY_APPROVER: 'test', NODE_NO_WARNINGS: '1' });

  beforeAll(async () => {
    // DMS makes each slot 1.5 s after its task runs: the window the first kill aims at.
    const [built, made] = await Promise.all([
      ensureBuilt(),
      startWorld({
        agent: 'real',
        dms: 'http',
        plan: { file: PLAN_FILE, name: 'multix' },
        standIn: { slotDelayMs: 1500 },
      }),
    ]);
    void built;
    world = made;
    for (const cluster of [world.source, world.target]) {
      await cluster.query('CREATE DATABASE ledger');
      await cluster.query(LEDGER, [], 'ledger');
      await cluster.query('INSERT INTO public.entries (amount) SELECT g FROM generate_series(1, 3) g', [], 'ledger');
    }
    await world.source.query('GRANT ALL ON ALL TABLES IN SCHEMA public TO orders_app', [], 'ledger');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('apply stops at the restart consent', async () => {
    const first = await world.run('apply');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
  });

  it('kill -9 right after a task on orders was started, before DMS made its slot', async () => {
    const run = executor('apply');
    const first = () =>
      started('orders-customers') ? 'orders-customers' : started('orders-orders') ? 'orders-orders' : null;
    await until('a CDC task on orders started', () => first() !== null, run);
    await run.kill9();
    const task = first()!;
    // DMS goes on without the executor: the task runs, and its slot comes later, attributed to no one yet.
    expect(world.standIn!.sourceSide!.made.filter((slot) => slot.task === task)).toEqual([]);
    expect((await nodes())[`dms.task.${task}.start`]?.state).toBe('running');
    await until(
      'DMS made the slot of the killed start',
      () => world.standIn!.sourceSide!.made.some((slot) => slot.task === task),
      null,
    );
  });

  it('kill -9 while a full-load wait is in progress; status shows what it last saw', async () => {
    world.dms.fullLoadStep = 1;
    const run = executor('apply');
    await until(
      'a full-load wait in progress recorded',
      async () =>
        Object.entries(await nodes().catch(() => ({}) as JournalNodes)).some(
          ([id, record]) => id.endsWith('.full-load-wait') && record.progress !== undefined,
        ),
      run,
    );
    await run.kill9();
    const status = await world.run('status', ['--json', '--offline']);
    const report = JSON.parse(status.stdout) as { nodes: { id: string; state: string; note: string | null }[] };
    const wait = report.nodes.find((node) => node.id.endsWith('.full-load-wait') && node.state === 'running');
    expect(wait?.note).toMatch(
      /^waiting for full load of replication task [a-z-]+: status running, full load \d+% \(tables loaded \d+, loading \d+, queued \d+, errored 0\) \(0 s of 48 h\) \[as of \d{4}-\d\d-\d\dT/,
    );
  });

  it('apply resumes: every task started once, each slot attributed to the task that made it, nothing created twice', async () => {
    world.dms.fullLoadStep = 50;
    const resumed = await world.run('apply');
    // A kill between writing the journal's temp file and renaming it leaves the file; the run clears it.
    expect(
      resumed.stderr.replace(
        /^ {2}removed \.journal\.\d+\.\d+\.tmp, a temp file a killed run left next to the journal\n/gm,
        '',
      ),
    ).toBe('');
    expect(resumed.code).toBe(0);
    const journal = await nodes();
    for (const id of Object.keys(journal).filter((key) => /^dms\.|^target\..*\.post-load$/.test(key)))
      if (!/\.(delete|stop)$/.test(id)) expect(journal[id]?.state, id).toBe('succeeded');
    const made = world.standIn!.sourceSide!.made;
    expect(made.map((slot) => slot.task).sort()).toEqual([...TASKS]);
    for (const slot of made) {
      expect(journal[`dms.task.${slot.task}.start`]?.outputs.slotName, slot.task).toBe(slot.slotName);
      expect(slot.database).toBe(slot.task === 'ledger-all' ? 'ledger' : 'orders');
    }
    for (const task of TASKS) expect(world.dms.tasks.get(task)?.startTypes, task).toEqual(['start-replication']);
    expect(Object.fromEntries(world.dms.created)).toEqual({
      CreateReplicationInstance: 1,
      CreateEndpoint: 4,
      CreateReplicationTask: 3,
    });
    expect(world.standIn!.rejected).toEqual([]);
  });

  it('cutover: CloudWatch refuses the read, the lag gates say they used the slot estimate; every attributed slot dropped', async () => {
    await world.source.query(
      "SELECT pg_create_logical_replication_slot($1, 'test_decoding')",
      [FOREIGN_SLOT],
      'orders',
    );
    world.dms.cloudwatch.failNext(cloudWatchAccessDenied(), 1000);
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    const cutover = await world.run('cutover');
    expect(cutover.stderr).toBe('');
    expect(cutover.code).toBe(0);
    for (const task of TASKS)
      expect(cutover.stdout).toMatch(
        new RegExp(
          `✓ cutover\\.${task}\\.lag-wait {2}lag \\S+ s estimated from the slot's confirmed position \\(CloudWatch not used: CloudWatch refused the read \\(AccessDenied: `,
        ),
      );
    expect(await slotNames(world.source)).toEqual([FOREIGN_SLOT]);
  });

  it('cleanup deletes the DMS resources; the slot nobody attributed is still there', async () => {
    expect((await world.run('approve', ['writes-open'])).code).toBe(0);
    expect((await world.run('approve', ['cleanup'])).code).toBe(0);
    const cleanup = await world.run('cleanup');
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    expect(world.dms.tasks.size + world.dms.endpoints.size + world.dms.instances.size).toBe(0);
    expect(await slotNames(world.source)).toEqual([FOREIGN_SLOT]);
    expect(nodeStates(await world.journal())['dms.instance.shopx-ri.delete']).toBe('succeeded');
    await world.source.query('SELECT pg_drop_replication_slot($1)', [FOREIGN_SLOT]);
  });
});
