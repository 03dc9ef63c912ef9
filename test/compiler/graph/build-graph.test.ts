import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { verifyGraph } from '../../../compiler/graph/verify-graph.js';
import type { Plan, Task } from '../../../compiler/model/plan.js';
import type { GraphNode } from '../../../contracts/graph.js';
import { basePlan, cdcPlan, patchPlan, planWith } from '../../support/base-plan.js';

const ids = (plan: Plan) => buildGraph(plan).nodes.map((node) => node.id);
const node = (plan: Plan, id: string): GraphNode => {
  const found = buildGraph(plan).nodes.find((n) => n.id === id);
  if (found === undefined) throw new Error(`no node ${id}`);
  return found;
};
const withTasks = (plan: Plan, tasks: Task[]): Plan => ({ ...plan, dms: { ...plan.dms, tasks } });

const explicitSlot = withTasks(cdcPlan, [
  { ...cdcPlan.dms.tasks[0]!, migration_type: 'cdc', slot_name: 'pgferry_orders' },
]);

const twoDatabases: Plan = withTasks(
  planWith({
    source: { ...cdcPlan.source, databases: ['orders', 'billing'] },
    target: { ...cdcPlan.target, databases: { orders: 'orders', billing: 'billing_v2' } },
  }),
  [
    cdcPlan.dms.tasks[0]!,
    { ...cdcPlan.dms.tasks[0]!, id: 'billing-cdc', database: 'billing' },
    {
      ...basePlan.dms.tasks[0]!,
      id: 'billing-archive',
      database: 'billing',
      tables: { include: ['archive.%'], exclude: [] },
    },
  ],
);

describe('graphs built from valid plans verify clean', () => {
  test.each([
    ['seed (full load)', basePlan],
    ['cdc', cdcPlan],
    ['explicit slot', explicitSlot],
    ['two databases, three tasks', twoDatabases],
    [
      'keep DMS resources, keep the task running',
      planWith({ cutover: { cleanup: { stop_task: false, drop_slot: false, dms_resources: 'keep' } } }),
    ],
    [
      // The seed is full load only, where stop_task and drop_slot change nothing: the CDC cutover chain
      // without its stop and slot drop must verify too.
      'CDC: keep DMS resources, keep the task running, keep the slot',
      patchPlan(cdcPlan, { cutover: { cleanup: { stop_task: false, drop_slot: false, dms_resources: 'keep' } } }),
    ],
    ['9.5 source with TLS: ssl takes a restart, behind the restart gate', planWith({ source: { ssl: true } })],
    [
      'explicit slot kept at cleanup',
      patchPlan(explicitSlot, { cutover: { cleanup: { stop_task: true, drop_slot: false, dms_resources: 'keep' } } }),
    ],
    [
      'secrets manager, role created, no sequences',
      planWith({
        source: { migration_user: { create: true } },
        dms: {
          credentials: {
            mode: 'secrets_manager',
            access_role_arn: 'arn:aws:iam::1:role/r',
            source_secret: 's',
            target_secret: 't',
          },
        },
        cutover: { sequences: { enabled: false, margin: 0 }, post_load_sql: ['sql/cutover.sql'] },
      }),
    ],
  ] as const)('%s', (_, plan) => {
    expect(verifyGraph(buildGraph(plan))).toEqual([]);
  });
});

describe('the seed', () => {
  test('order falls out of the facts: source → target → instance → endpoints → tests → task → start', () => {
    const order = ids(basePlan);
    const at = (id: string) => order.indexOf(id);
    const chain = [
      'source.preflight',
      'source.config.apply',
      'source.restart',
      'target.orders.prepare',
      'dms.instance.orders-ri.create',
      'dms.endpoint.orders-orders-src.create',
      'dms.endpoint.orders-orders-src.test',
      'dms.task.orders-full-load.create',
      'gate.downtime',
      'source.orders.fence',
      'dms.task.orders-full-load.start',
      'dms.task.orders-full-load.full-load-wait',
      'target.orders.post-load',
      'cutover.orders.sequences',
      'cutover.orders.fk-restore',
      'gate.writes-open',
      'gate.cleanup',
      'dms.task.orders-full-load.delete',
      'dms.instance.orders-ri.delete',
    ];
    for (const id of chain) expect(order, id).toContain(id);
    expect(chain.map(at)).toEqual([...chain.map(at)].sort((a, b) => a - b));
  });

  test('ids, kinds and executors are stable', () => {
    expect(buildGraph(basePlan).nodes.map((n) => `${n.id} ${n.kind} ${n.executor} ${n.effect}`)).toMatchSnapshot();
  });

  test('full load is downtime: the fence sits behind the downtime gate, before the task starts', () => {
    const fence = node(basePlan, 'source.orders.fence');
    expect(fence).toMatchObject({
      kind: 'SourceWriteFence',
      gate: 'downtime',
      compensation: { kind: 'SourceWriteUnfence' },
    });
    expect(node(basePlan, 'dms.task.orders-full-load.start').requires).toContain('source.orders.writes-fenced');
    expect(ids(basePlan).some((id) => id.startsWith('cutover.') && id.endsWith('lag-wait'))).toBe(false);
  });

  test('the restart is always there, behind its gate, and no-ops when nothing is pending', () => {
    expect(node(basePlan, 'source.restart')).toMatchObject({
      effect: 'restart',
      gate: 'restart-consent',
      input: { onlyIfPending: true, restartSettings: [] },
    });
  });

  test('one SSM check per distinct parameter DMS endpoints read; none with Secrets Manager', () => {
    expect(ids(basePlan).filter((id) => id.startsWith('secrets.'))).toEqual([
      'secrets.pgferry-orders-source-dms-user.resolve',
      'secrets.pgferry-orders-target-postgres.resolve',
    ]);
    const sm = planWith({
      dms: {
        credentials: {
          mode: 'secrets_manager',
          access_role_arn: 'arn:aws:iam::1:role/r',
          source_secret: 's',
          target_secret: 't',
        },
      },
    });
    expect(ids(sm).filter((id) => id.startsWith('secrets.'))).toEqual([]);
  });
});

describe('CDC', () => {
  test('cutover chain in order: gate → lag → fence → marker → drained → sequences → FKs → stop → slot drop → writes open', () => {
    const order = ids(cdcPlan);
    const chain = [
      'target.orders.post-load',
      'gate.cutover',
      'cutover.orders-cdc.lag-wait',
      'cutover.orders.fence',
      'cutover.orders-cdc.marker',
      'cutover.orders-cdc.marker-wait',
      'cutover.orders.sequences',
      'cutover.orders.fk-restore',
      'dms.task.orders-cdc.stop',
      'source.slot.orders-cdc.drop',
      'gate.writes-open',
    ];
    const positions = chain.map((id) => order.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  test('DMS names the slot: the drop and the marker wait read it from the task start', () => {
    expect(node(cdcPlan, 'source.slot.orders-cdc.drop')).toMatchObject({
      effect: 'destructive',
      finally: true,
      gate: 'cutover',
      input: { slot: '@ref(dms.task.orders-cdc.start#slotName)' },
    });
    expect(node(cdcPlan, 'cutover.orders-cdc.marker-wait').input).toMatchObject({
      slot: '@ref(dms.task.orders-cdc.start#slotName)',
      lsn: '@ref(cutover.orders-cdc.marker#lsn)',
    });
  });

  test('an explicit slot is created before the task and dropped by name', () => {
    const order = ids(explicitSlot);
    expect(order.indexOf('source.slot.orders-cdc.create')).toBeLessThan(order.indexOf('dms.task.orders-cdc.create'));
    expect(node(explicitSlot, 'source.slot.orders-cdc.create')).toMatchObject({
      requires: ['source.config.effective', 'source.wal_level=logical'],
      compensation: { kind: 'SourceSlotDrop' },
    });
    expect(node(explicitSlot, 'source.slot.orders-cdc.drop').input).toMatchObject({ slot: 'pgferry_orders' });
    expect(node(explicitSlot, 'dms.task.orders-cdc.start').input).toMatchObject({
      slot: 'pgferry_orders',
      migrationType: 'cdc',
    });
  });

  test('the restart provides wal_level=logical and every DMS node comes after it', () => {
    expect(node(cdcPlan, 'source.restart').provides).toContain('source.wal_level=logical');
    expect(node(cdcPlan, 'dms.instance.orders-ri.create').requires).toContain('source.wal_level=logical');
  });

  test('starting a CDC task is undone by stopping it', () => {
    expect(node(cdcPlan, 'dms.task.orders-cdc.start').compensation).toMatchObject({
      kind: 'DmsTaskStop',
      input: { request: { ReplicationTaskArn: '@ref(dms.task.orders-cdc.create#arn)' } },
    });
    expect(node(cdcPlan, 'target.orders.prepare').compensation).toMatchObject({ kind: 'TargetFkRestore' });
  });

  test('engine neutrality: outside the DMS nodes, only replication.* facts mention tasks', () => {
    for (const plan of [basePlan, cdcPlan, twoDatabases]) {
      for (const n of buildGraph(plan).nodes) {
        if (n.kind.startsWith('Dms')) continue;
        expect(
          n.requires.filter((f) => f.startsWith('dms.')),
          n.id,
        ).toEqual([]);
      }
    }
  });
});

describe('several databases', () => {
  test('per database: endpoints, target prep under the target name, and a downtime or cutover path', () => {
    const all = ids(twoDatabases);
    expect(all).toEqual(
      expect.arrayContaining([
        'dms.endpoint.orders-billing-src.create',
        'dms.endpoint.orders-billing-tgt.create',
        'target.billing_v2.prepare',
        'cutover.billing.fence',
        'cutover.billing_v2.sequences',
        'dms.task.billing-archive.full-load-wait',
      ]),
    );
    // billing has a CDC task, so its full-load task runs without a downtime fence.
    expect(all).not.toContain('gate.downtime');
    expect(node(twoDatabases, 'target.billing_v2.post-load').requires).toEqual([
      'target.billing_v2.prepared',
      'replication.billing-cdc.full-load-complete',
      'replication.billing-archive.full-load-complete',
    ]);
  });
});

describe('policy', () => {
  test('keep: no cleanup phase; no stop: no slot drop', () => {
    const plan = planWith({ cutover: { cleanup: { stop_task: false, drop_slot: true, dms_resources: 'keep' } } });
    const cdc = withTasks(plan, cdcPlan.dms.tasks as Task[]);
    expect(buildGraph(cdc).nodes.filter((n) => n.phase === 'cleanup')).toEqual([]);
    expect(ids(cdc)).not.toContain('source.slot.orders-cdc.drop');
  });

  test('graph header: plan, engine and the normalised plan hash', () => {
    const graph = buildGraph(basePlan);
    expect(graph).toMatchObject({ formatVersion: 1, plan: 'orders', engine: 'dms' });
    expect(graph.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(graph.edges.length).toBeGreaterThan(graph.nodes.length - 1);
  });

  test('reordering plan keys changes nothing', () => {
    const shuffled = JSON.parse(JSON.stringify(cdcPlan), (_, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as Plan;
    expect(JSON.stringify(buildGraph(shuffled).nodes.map((n) => n.id))).toBe(JSON.stringify(ids(cdcPlan)));
    expect(buildGraph(shuffled).planHash).toBe(buildGraph(cdcPlan).planHash);
  });
});
