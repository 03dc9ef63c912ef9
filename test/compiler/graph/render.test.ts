// @vitest-environment jsdom
// The Mermaid picture is checked by Mermaid's own parser, the DOT text by a small structural check.
import mermaid from 'mermaid';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { toDot, toMermaid } from '../../../compiler/graph/render.js';
import type { ExecutionGraph } from '../../../contracts/graph.js';
import { basePlan, cdcPlan, planWith } from '../../support/base-plan.js';

const graphs: [string, ExecutionGraph][] = [
  ['seed', buildGraph(basePlan)],
  ['cdc', buildGraph(cdcPlan)],
  [
    'odd titles',
    buildGraph(
      planWith({ name: 'odd', source: { databases: ['a"b<c>#d&e'] }, target: { databases: { 'a"b<c>#d&e': 'x' } } }),
    ),
  ],
];

describe('Mermaid', () => {
  test.each(graphs)('%s parses', async (_, graph) => {
    const text = toMermaid(graph);
    await expect(mermaid.parse(text)).resolves.toBeTruthy();
  });

  test('phases are subgraphs, gates hexagons, target SQL cylinders', () => {
    const text = toMermaid(buildGraph(cdcPlan));
    expect(text.startsWith('flowchart TD\n  subgraph phase_prepare["prepare"]\n')).toBe(true);
    expect(text).toMatch(/n\d+\{\{"Approval: cutover"\}\}/);
    expect(text).toMatch(/n\d+\[\("Prepare target database orders"\)\]/);
    expect(text).toContain('  subgraph phase_cleanup["cleanup"]');
  });

  test('diff styles become classDefs and class assignments, and still parse', async () => {
    const graph = buildGraph(cdcPlan);
    const text = toMermaid(graph, {
      'dms.task.orders-cdc.create': 'changed',
      'cutover.orders-cdc.lag-wait': 'added',
      'gate.cleanup': 'removed',
    });
    expect(text).toContain('classDef added fill:#e6ffed');
    expect(text).toContain('classDef removed');
    expect(text).toContain('classDef changed');
    const index = graph.nodes.findIndex((n) => n.id === 'dms.task.orders-cdc.create');
    expect(text).toContain(`  class n${index} changed`);
    await expect(mermaid.parse(text)).resolves.toBeTruthy();
  });

  test('the parser does reject a broken diagram', async () => {
    await expect(mermaid.parse('flowchart TD\n  n0["a"] --> \n  subgraph')).rejects.toThrow();
  });
});

describe('DOT', () => {
  test.each(graphs)('%s is well-formed', (_, graph) => {
    const text = toDot(graph);
    expect(text.startsWith(`digraph "${graph.plan}" {\n`)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    // Balanced braces outside strings, every string closed.
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(inString).toBe(false);
    expect(depth).toBe(0);
    expect(text.match(/ -> /g)?.length).toBe(graph.edges.length);
  });
});
