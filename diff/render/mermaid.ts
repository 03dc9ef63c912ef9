// The execution graph as a Mermaid flowchart with the diff drawn on it: added, removed (from the old
// graph) and changed nodes get their own class, and a marker in the label so the picture also reads
// without colour.

import type { ExecutionGraph } from '../../contracts/graph.js';
import type { GraphChange, NodeStatus } from '../graph-diff.js';
import { unionGraph } from '../graph-diff.js';

const CLASS_DEFS: Record<NodeStatus, string> = {
  added: 'fill:#e6ffed,stroke:#22863a,stroke-width:2px',
  removed: 'fill:#ffeef0,stroke:#cb2431,stroke-width:2px,stroke-dasharray:5 5',
  changed: 'fill:#fff5b1,stroke:#b08800,stroke-width:2px',
};

const MARKER: Record<NodeStatus, string> = { added: '+ ', removed: '− ', changed: '~ ' };

/** Mermaid label text: quotes and markup characters as entity codes, so any title is safe. */
function label(text: string): string {
  return text.replace(/[#"<>&|{}[\]()]/g, (ch) => `#${ch.codePointAt(0)};`);
}

export function statusOf(change: GraphChange, id: string): NodeStatus | null {
  if (change.added.includes(id)) return 'added';
  if (change.removed.includes(id)) return 'removed';
  if (change.changed.includes(id)) return 'changed';
  return null;
}

export function diffMermaid(before: ExecutionGraph, after: ExecutionGraph, change: GraphChange): string {
  const graph = unionGraph(before, after);
  const alias = new Map(graph.nodes.map((node, index) => [node.id, `n${index}`]));
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) {
    const status = statusOf(change, node.id);
    const marker = status === null ? '' : MARKER[status];
    lines.push(`  ${alias.get(node.id)}["${label(`${marker}${node.title}`)}<br/><small>${label(node.id)}</small>"]`);
  }
  for (const edge of graph.edges) {
    const from = alias.get(edge.from);
    const to = alias.get(edge.to);
    if (from !== undefined && to !== undefined) lines.push(`  ${from} --> ${to}`);
  }
  for (const status of ['added', 'removed', 'changed'] as const) {
    const ids = change[status].map((id) => alias.get(id)).filter((a) => a !== undefined);
    if (ids.length === 0) continue;
    lines.push(`  classDef ${status} ${CLASS_DEFS[status]}`);
    lines.push(`  class ${ids.join(',')} ${status}`);
  }
  return `${lines.join('\n')}\n`;
}
