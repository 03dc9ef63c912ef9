// The execution graph as a Mermaid flowchart with the diff drawn on it: the compiler's own picture
// (compiler/graph/render.ts) of the new graph plus the nodes only the old one had, styled as added,
// removed or changed, with a marker in the title so the picture also reads without colour.

import { type NodeStyle, toMermaid } from '../../compiler/graph/render.js';
import type { ExecutionGraph } from '../../contracts/graph.js';
import { type GraphChange, type NodeStatus, unionGraph } from '../graph-diff.js';

const MARKER: Record<NodeStatus, string> = { added: '+ ', removed: '− ', changed: '~ ' };

export function statusOf(change: GraphChange, id: string): NodeStatus | null {
  if (change.added.includes(id)) return 'added';
  if (change.removed.includes(id)) return 'removed';
  if (change.changed.includes(id)) return 'changed';
  return null;
}

export function diffMermaid(before: ExecutionGraph, after: ExecutionGraph, change: GraphChange): string {
  const union = unionGraph(before, after);
  const styles: Record<string, NodeStyle> = {};
  const nodes = union.nodes.map((node) => {
    const status = statusOf(change, node.id);
    if (status === null) return node;
    styles[node.id] = status;
    return { ...node, title: `${MARKER[status]}${node.title}` };
  });
  return toMermaid({ ...union, nodes }, styles);
}
