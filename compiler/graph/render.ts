// Pictures of the execution graph: Mermaid (pull-request comments, `graph.mmd`) and Graphviz DOT.
// Mermaid ids are positional (`n0`, `n1`, …) because graph ids contain dots; labels carry the titles.

import type { ExecutionGraph, ExecutorKind, GraphNode, Phase } from '../../contracts/graph.js';

export type NodeStyle = 'added' | 'removed' | 'changed';

const PHASES: readonly Phase[] = ['prepare', 'load', 'cutover', 'cleanup'];

/** Mermaid shape per executor: gates are hexagons, target SQL a database cylinder. */
const MERMAID_SHAPE: Readonly<Record<ExecutorKind, readonly [string, string]>> = {
  agent: ['(', ')'],
  'source-sql': ['[(', ')]'],
  'target-sql': ['[(', ')]'],
  dms: ['[', ']'],
  rds: ['[', ']'],
  ssm: ['[/', '/]'],
  wait: ['([', '])'],
  gate: ['{{', '}}'],
  verify: ['[[', ']]'],
};

const DOT_SHAPE: Readonly<Record<ExecutorKind, string>> = {
  agent: 'shape=box, style=rounded',
  'source-sql': 'shape=cylinder',
  'target-sql': 'shape=cylinder',
  dms: 'shape=box',
  rds: 'shape=box',
  ssm: 'shape=parallelogram',
  wait: 'shape=oval',
  gate: 'shape=hexagon',
  verify: 'shape=box, peripheries=2',
};

const CLASS_DEFS: Readonly<Record<NodeStyle, string>> = {
  added: 'fill:#e6ffed,stroke:#22863a,stroke-width:2px',
  removed: 'fill:#ffeef0,stroke:#cb2431,stroke-width:2px,stroke-dasharray:5 5',
  changed: 'fill:#fff5b1,stroke:#b08800,stroke-width:2px',
};

function mermaidText(text: string): string {
  return text.replace(/[&"<>#]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

function byPhase(graph: ExecutionGraph): Map<Phase, GraphNode[]> {
  const groups = new Map<Phase, GraphNode[]>(PHASES.map((phase) => [phase, []]));
  for (const node of graph.nodes) groups.get(node.phase)?.push(node);
  return groups;
}

/**
 * A Mermaid flowchart, one subgraph per phase. `styles` marks nodes (by graph id) as added, removed or
 * changed, for plan diffs.
 */
export function toMermaid(graph: ExecutionGraph, styles?: Readonly<Record<string, NodeStyle>>): string {
  const short = new Map(graph.nodes.map((node, i) => [node.id, `n${i}`]));
  const lines = ['flowchart TD'];
  for (const [phase, nodes] of byPhase(graph)) {
    if (nodes.length === 0) continue;
    lines.push(`  subgraph phase_${phase}["${phase}"]`);
    for (const node of nodes) {
      const [open, close] = MERMAID_SHAPE[node.executor];
      lines.push(`    ${short.get(node.id)}${open}"${mermaidText(node.title)}"${close}`);
    }
    lines.push('  end');
  }
  for (const edge of graph.edges) {
    const from = short.get(edge.from);
    const to = short.get(edge.to);
    if (from !== undefined && to !== undefined) lines.push(`  ${from} --> ${to}`);
  }
  if (styles !== undefined) {
    const used = new Set<NodeStyle>();
    const assignments: string[] = [];
    for (const node of graph.nodes) {
      const style = styles[node.id];
      if (style === undefined) continue;
      used.add(style);
      assignments.push(`  class ${short.get(node.id)} ${style}`);
    }
    for (const style of ['added', 'removed', 'changed'] as const) {
      if (used.has(style)) lines.push(`  classDef ${style} ${CLASS_DEFS[style]}`);
    }
    lines.push(...assignments);
  }
  return `${lines.join('\n')}\n`;
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Graphviz DOT, one cluster per phase, edges labelled with the fact that links them. */
export function toDot(graph: ExecutionGraph): string {
  const lines = [`digraph ${dotString(graph.plan)} {`, '  rankdir=TB;', '  node [fontname="Helvetica"];'];
  for (const [phase, nodes] of byPhase(graph)) {
    if (nodes.length === 0) continue;
    lines.push(`  subgraph cluster_${phase} {`, `    label=${dotString(phase)};`);
    for (const node of nodes) {
      lines.push(`    ${dotString(node.id)} [label=${dotString(node.title)}, ${DOT_SHAPE[node.executor]}];`);
    }
    lines.push('  }');
  }
  for (const edge of graph.edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)} [label=${dotString(edge.fact)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
