// Each check of verifyGraph against a graph broken by hand in exactly one way.
import { describe, expect, test } from 'vitest';
import { assembleGraph, buildGraph } from '../../../compiler/graph/build-graph.js';
import { verifyGraph } from '../../../compiler/graph/verify-graph.js';
import type { Plan } from '../../../compiler/model/plan.js';
import type { ExecutionGraph, GraphNode } from '../../../contracts/graph.js';
import { cdcPlan, serverlessPlan } from '../../support/base-plan.js';

/** CDC with a slot pgferry creates itself, so slot creation is in the graph too. */
const explicitSlot: Plan = {
  ...cdcPlan,
  dms: { ...cdcPlan.dms, tasks: [{ ...cdcPlan.dms.tasks[0]!, migration_type: 'cdc', slot_name: 'pgferry_orders' }] },
};

type Edit = (nodes: GraphNode[]) => GraphNode[];

const patch =
  (id: string, change: (node: GraphNode) => Partial<GraphNode>): Edit =>
  (nodes) =>
    nodes.map((node) => (node.id === id ? { ...node, ...change(node) } : node));

const drop =
  (...facts: string[]) =>
  (node: GraphNode) => ({ requires: node.requires.filter((f) => !facts.includes(f)) });

/** Rebuilds edges and order from the edited nodes, as a hand-edited graph.json would be re-read. */
function broken(plan: Plan, edit: Edit): ExecutionGraph {
  return assembleGraph(plan, edit([...buildGraph(plan).nodes]));
}

const cases: [string, string, Edit][] = [
  ['cycle', 'PGF4001', patch('source.preflight', (n) => ({ requires: [...n.requires, 'source.config.effective'] }))],
  ['duplicate id', 'PGF4002', (nodes) => [...nodes, { ...nodes.find((n) => n.id === 'gate.cutover')!, provides: [] }]],
  [
    'missing fact',
    'PGF4003',
    patch('dms.task.orders-cdc.create', (n) => ({ requires: [...n.requires, 'dms.endpoint.nowhere.reachable'] })),
  ],
  [
    'ambiguous fact',
    'PGF4004',
    patch('target.orders.post-load', (n) => ({ provides: [...n.provides, 'target.orders.prepared'] })),
  ],
  ['restart without gate', 'PGF4005', patch('source.restart', () => ({ gate: null }))],
  ['gate named but not required', 'PGF4005', patch('source.slot.orders-cdc.drop', drop('gate.cutover.approved'))],
  [
    'reference to a node downstream',
    'PGF4006',
    patch('dms.task.orders-cdc.start', (n) => ({ input: { ...n.input, probe: '@ref(dms.task.orders-cdc.stop#arn)' } })),
  ],
  [
    'reference to an output the kind lacks',
    'PGF4006',
    patch('dms.task.orders-cdc.start', (n) => ({
      input: { ...n.input, probe: '@ref(dms.task.orders-cdc.create#lsn)' },
    })),
  ],
  [
    'DMS before wal_level=logical',
    'PGF4007',
    (nodes) =>
      patch(
        'dms.instance.orders-ri.create',
        drop('source.wal_level=logical', 'source.config.effective'),
      )(patch('dms.endpoint.orders-orders-src.test', drop('source.config.effective'))(nodes)),
  ],
  [
    'task start before target prepared',
    'PGF4008',
    (nodes) =>
      patch(
        'dms.instance.orders-ri.create',
        drop('target.orders.prepared'),
      )(
        patch(
          'dms.endpoint.orders-orders-tgt.test',
          drop('target.orders.prepared'),
        )(patch('dms.task.orders-cdc.start', drop('target.orders.prepared'))(nodes)),
      ),
  ],
  [
    'slot created before wal_level=logical',
    'PGF4007',
    patch('source.slot.orders-cdc.create', drop('source.wal_level=logical', 'source.config.effective')),
  ],
  ['slot drop before stop', 'PGF4009', patch('source.slot.orders-cdc.drop', drop('replication.orders-cdc.stopped'))],
  [
    'sequence sync before the fence',
    'PGF4010',
    (nodes) =>
      patch('cutover.orders.sequences', drop('source.orders.writes-fenced', 'replication.orders-cdc.drained'))(nodes),
  ],
];

describe('verifyGraph finds each kind of broken graph', () => {
  test.each(cases)('%s → %s', (_, code, edit) => {
    const findings = verifyGraph(broken(explicitSlot, edit));
    expect(findings.map((f) => f.code)).toContain(code);
    for (const finding of findings) expect(finding.message).not.toBe('');
  });

  test('a Serverless plan verifies clean, and its replication start is checked like a task start', () => {
    expect(verifyGraph(buildGraph(serverlessPlan))).toEqual([]);
    const early = broken(serverlessPlan, (nodes) =>
      patch(
        'dms.endpoint.orders-orders-tgt.create',
        drop('target.orders.prepared'),
      )(
        patch(
          'dms.endpoint.orders-orders-src.create',
          drop('target.orders.prepared'),
        )(patch('dms.replication.orders-cdc.start', drop('target.orders.prepared'))(nodes)),
      ),
    );
    expect(verifyGraph(early).map((f) => f.code)).toContain('PGF4008');
    const beforeLogical = broken(serverlessPlan, (nodes) =>
      patch(
        'dms.endpoint.orders-orders-src.create',
        drop('source.wal_level=logical', 'source.config.effective'),
      )(
        patch(
          'dms.endpoint.orders-orders-tgt.create',
          drop('source.wal_level=logical', 'source.config.effective'),
        )(patch('dms.replication.orders-cdc.start', drop('source.wal_level=logical'))(nodes)),
      ),
    );
    expect(verifyGraph(beforeLogical).map((f) => f.code)).toContain('PGF4007');
  });

  test('edges that the facts do not imply → PGF4011', () => {
    const graph = buildGraph(cdcPlan);
    const edited = { ...graph, edges: graph.edges.slice(1) };
    expect(verifyGraph(edited).map((f) => f.code)).toEqual(['PGF4011']);
    const [dropped] = graph.edges;
    expect(verifyGraph(edited)[0]!.message).toContain(`lacks ${dropped!.from} → ${dropped!.to}`);
    const added = { ...graph, edges: [...graph.edges, { from: dropped!.to, to: dropped!.from, fact: 'x' }] };
    expect(verifyGraph(added).map((f) => f.message)).toEqual([
      `graph "${graph.plan}" has edges that its facts do not imply (or lacks some): has ${dropped!.to} → ${dropped!.from}`,
    ]);
  });

  test('findings point at the plan object that caused the node', () => {
    const findings = verifyGraph(
      broken(
        cdcPlan,
        patch('source.restart', () => ({ gate: null })),
      ),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'PGF4005',
        pointer: '/source/settings',
        message: expect.stringContaining('source.restart'),
      }),
    ]);
  });

  test('approval facts may come from outside the run', () => {
    const graph = broken(cdcPlan, (nodes) => nodes.filter((n) => n.id !== 'gate.cleanup'));
    expect(verifyGraph(graph)).toEqual([]);
  });
});
