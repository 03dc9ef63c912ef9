// Execution graph nodes added, removed or changed between two compilations, by stable node id.

import { canonicalJson } from '../contracts/canonical-json.js';
import type { ExecutionGraph, GraphNode } from '../contracts/graph.js';

export type NodeStatus = 'added' | 'removed' | 'changed';

export interface GraphChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Same id, different kind, inputs, facts or compensation. */
  readonly changed: readonly string[];
}

export function diffGraphs(before: ExecutionGraph, after: ExecutionGraph): GraphChange {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const same = (a: GraphNode, b: GraphNode) => canonicalJson(a, 0) === canonicalJson(b, 0);
  return {
    added: [...newNodes.keys()].filter((id) => !oldNodes.has(id)).sort(),
    removed: [...oldNodes.keys()].filter((id) => !newNodes.has(id)).sort(),
    changed: [...newNodes.entries()]
      .filter(([id, node]) => {
        const old = oldNodes.get(id);
        return old !== undefined && !same(old, node);
      })
      .map(([id]) => id)
      .sort(),
  };
}

/**
 * The new graph plus the nodes only the old one had (with their old edges where both ends still exist),
 * so a picture can show what disappears.
 */
export function unionGraph(before: ExecutionGraph, after: ExecutionGraph): ExecutionGraph {
  const ids = new Set(after.nodes.map((n) => n.id));
  const removed = before.nodes.filter((n) => !ids.has(n.id));
  for (const node of removed) ids.add(node.id);
  const edgeKey = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;
  const known = new Set(after.edges.map(edgeKey));
  const oldEdges = before.edges.filter(
    (e) =>
      ids.has(e.from) &&
      ids.has(e.to) &&
      !known.has(edgeKey(e)) &&
      removed.some((n) => n.id === e.from || n.id === e.to),
  );
  return { ...after, nodes: [...after.nodes, ...removed], edges: [...after.edges, ...oldEdges] };
}
