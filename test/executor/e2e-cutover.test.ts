// The whole plan through the CLI on real clusters: order of effects, gates, a no-op second apply,
// cutover outcomes (sequences, fence, slot), cleanup, and no secret anywhere in what pgferry wrote.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmsFake } from '../support/dms-fake.js';
import {
  appWrite,
  nodeStates,
  PLAN,
  SECRETS,
  sequenceValue,
  slotNames,
  startWorld,
  type World,
} from './support/world.js';

const DMS_SLOT = DmsFake.slotNameFor('orders-cdc');

function indexOf(output: string, line: string): number {
  const index = output.split('\n').findIndex((text) => text.startsWith(line));
  expect(index, `"${line}" in:\n${output}`).toBeGreaterThanOrEqual(0);
  return index;
}

describe('apply → cutover → cleanup on real clusters', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('stops at the restart-consent gate with nothing DMS-side done', async () => {
    const result = await world.run('apply');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('waiting for approval: pgferry approve');
    expect(result.stdout).toContain('restart-consent');
    expect(world.dms.calls).toEqual([]);
    const wal = await world.source.query('SHOW wal_level');
    expect(wal.rows[0].wal_level).toBe('replica');
    const states = nodeStates(await world.journal());
    expect(states['gate.restart-consent']).toBe('waiting-gate');
    expect(states['source.config.apply']).toBe('succeeded');
    expect(states['source.restart']).toBe('pending');
  });

  it('dry-run probes read-only and leaves the journal alone', async () => {
    const before = await readFile(world.journalFile, 'utf8');
    const result = await world.run('apply', ['--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wait-gate\s+source\.restart/);
    expect(result.stdout).toMatch(/create\s+dms\.instance\.shopx-ri\.create/);
    expect(await readFile(world.journalFile, 'utf8')).toBe(before);
    expect(world.dms.calls.every((call) => call.command.startsWith('Describe'))).toBe(true);
  });

  it('after consent: restart, then DMS, in dependency order', async () => {
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    const result = await world.run('apply');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    const restarted = indexOf(out, '✓ source.restart');
    expect(restarted).toBeLessThan(indexOf(out, '→ dms.instance.shopx-ri.create'));
    expect(indexOf(out, '✓ dms.endpoint.shopx-orders-src.test')).toBeLessThan(
      indexOf(out, '→ dms.task.orders-cdc.create'),
    );
    expect((await world.source.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');
    expect(world.dms.tasks.get('orders-cdc')?.startTypes).toEqual(['start-replication']);
    const journal = await world.journal();
    const nodes = journal.nodes as Record<
      string,
      { outputs: Record<string, unknown>; startedAt: string; finishedAt: string }
    >;
    // The target was prepared (in the first run) before the task started.
    expect(Date.parse(nodes['target.orders.prepare']!.finishedAt)).toBeLessThanOrEqual(
      Date.parse(nodes['dms.task.orders-cdc.start']!.startedAt),
    );
    expect(nodes['dms.task.orders-cdc.start']?.outputs.slotName).toBe(DMS_SLOT);
    expect(nodes['source.preflight']?.outputs.serverVersionNum).toBeGreaterThanOrEqual(160000);
    expect(nodes['secrets.pgferry-shopx-source-dms-user.resolve']?.outputs).toEqual({
      parameter: '/pgferry/shopx/source/dms_user',
      version: 1,
    });
    // The endpoint got the real password from SSM; the journal did not.
    const create = world.dms.calls.find(
      (call) => call.command === 'CreateEndpoint' && String(call.input.EndpointIdentifier).endsWith('src'),
    );
    expect((create!.input.PostgreSQLSettings as Record<string, unknown>).Password).toBe(
      SECRETS['/pgferry/shopx/source/dms_user'],
    );
    expect(out).toContain(`${PLAN}: done`);
  });

  it('a second apply is a no-op', async () => {
    const creates = new Map(world.dms.created);
    const starts = world.dms.count('StartReplicationTask');
    const dmsCalls = world.dms.calls.length;
    const agentRequests = world.agent.requests.length;
    const result = await world.run('apply');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to do');
    expect(world.dms.created).toEqual(creates);
    expect(world.dms.count('StartReplicationTask')).toBe(starts);
    // Nothing was changed: only the refresh's reads on DMS (is every journalled resource still there,
    // as planned?), no modify, stop or test; no plan or apply to the agent.
    expect(world.dms.calls.slice(dmsCalls).map((call) => call.command)).toEqual([
      'DescribeReplicationInstances',
      'DescribeEndpoints',
      'DescribeEndpoints',
      'DescribeReplicationTasks',
    ]);
    expect(world.agent.requests.slice(agentRequests)).toEqual([]);
  });

  it('status merges node states, the DMS task and the slot view', async () => {
    const result = await world.run('status', ['--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.tasks[0]).toMatchObject({ task: 'orders-cdc', status: 'running', fullLoadProgressPercent: 100 });
    expect(report.tasks[0].tables.map((table: { table: string }) => table.table)).toEqual([
      'public.customers',
      'public.orders',
    ]);
    expect(report.slots.map((slot: { slotName: string }) => slot.slotName)).toContain(DMS_SLOT);
    expect(report.gates.cutover).toMatchObject({ approved: false, approvedAt: null });
    expect(report.gates.cutover.command).toMatch(/^pgferry approve \S+ cutover$/);
    // The aws-sdk-client-mock CloudWatch has no datapoints: status says why DMS latency is missing.
    expect(report.tasks[0].cdcLatencyWhy).toBe(
      'CloudWatch has no CDC latency datapoints of the task in the last 10 min',
    );
    const text = await world.run('status', ['--text']);
    expect(text.stdout).toContain('task orders-cdc: running 100%');
  });

  it('cutover waits for its gate, then fences, syncs sequences and drops the slot', async () => {
    const waiting = await world.run('cutover');
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toContain('cutover\n');
    expect(await appWrite(world.source)).toBe('ok');

    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    world.agent.simulateConsumer = true;
    const result = await world.run('cutover');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('waiting for approval: pgferry approve');
    expect(result.stdout).toContain('writes-open');
    expect(result.stdout).toMatch(/writes were fenced on the source for \d+\.\d s/);
    // No CloudWatch datapoints: the lag gate used its slot estimate, and says so.
    expect(result.stdout).toMatch(
      /✓ cutover\.orders-cdc\.lag-wait {2}lag \S+ s estimated from the slot's confirmed position \(CloudWatch not used: CloudWatch has no CDC latency datapoints of the task in the last 10 min\) \(limit 5 s\), \d+ bytes/,
    );

    // Sequences: source value + margin 1000, the unowned one included.
    for (const seq of ['public.customers_id_seq', 'public.orders_id_seq', 'public.invoice_no']) {
      const source = BigInt(await sequenceValue(world.source, seq));
      expect(await sequenceValue(world.target, seq), seq).toBe(String(source + 1000n));
    }
    expect(await sequenceValue(world.target, 'public.invoice_no')).toBe('1042');
    // The application role can no longer write on the source.
    expect(await appWrite(world.source)).toMatch(/read-only transaction/);
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('stopped');
    expect(await slotNames(world.source)).not.toContain(DMS_SLOT);
  });

  it('cleanup deletes the DMS resources; the slot stays gone', async () => {
    expect((await world.run('approve', ['writes-open'])).code).toBe(0);
    expect((await world.run('approve', ['cleanup'])).code).toBe(0);
    const result = await world.run('cleanup');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(world.dms.tasks.size).toBe(0);
    expect(world.dms.endpoints.size).toBe(0);
    expect(world.dms.instances.size).toBe(0);
    expect(await slotNames(world.source)).toEqual([]);
    const states = Object.values(nodeStates(await world.journal()));
    expect(states.every((state) => state === 'succeeded')).toBe(true);
  });

  it('no secret value in stdout, stderr or the journal', async () => {
    const journal = await readFile(world.journalFile, 'utf8');
    const everything = [...world.transcript, journal].join('\n');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    expect(journal).not.toMatch(/S3CRET/);
    // The grep means something only if the run really read the secrets it must keep out of sight.
    expect(world.ssm.reads).toEqual(
      expect.arrayContaining(['/pgferry/shopx/agent/token', '/pgferry/shopx/source/dms_user']),
    );
  });
});
