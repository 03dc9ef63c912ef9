// The execution graph as a Mermaid flowchart with the diff drawn on it: the compiler's own picture
// (compiler/graph/render.ts) of the new graph plus the nodes only the old one had, styled as added,
// removed or changed, with a marker in the title so the picture also reads without colour.

import { type NodeStyle, toMermaid } from '../../compiler/graph/render.js';
import type { ExecutionGraph } from '../../contracts/graph.js';
import { type GraphChange, type NodeStatus, unionGraph } from '../graph-diff.js';

const MARKER: Record<NodeStatus, string> = { added: '+ ', removed: '− ', changed: '~ ' };

/**
 * Mermaid refuses diagrams over 50,000 characters (its default maxTextSize, which GitHub keeps); above
 * this the picture keeps only changed nodes and their neighbours.
 */
export const MERMAID_TEXT_BUDGET = 40_000;

export function statusOf(change: GraphChange, id: string): NodeStatus | null {
  if (change.added.includes(id)) return 'added';
  if (change.removed.includes(id)) return 'removed';
  if (change.changed.includes(id)) return 'changed';
  return null;
}

/** Changed nodes, their direct neighbours, and the edges among them. */
function neighbourhood(graph: ExecutionGraph, change: GraphChange): ExecutionGraph {
  const marked = new Set([...change.added, ...change.removed, ...change.changed]);
  const keep = new Set(marked);
  for (const edge of graph.edges) {
    if (marked.has(edge.from)) keep.add(edge.to);
    if (marked.has(edge.to)) keep.add(edge.from);
  }
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
  };
}

export interface DiffPicture {
  readonly mermaid: string;
  /** True when unchanged nodes away from the change were left out to stay under Mermaid's limit. */
  readonly trimmed: boolean;
}

export function diffMermaid(
  before: ExecutionGraph,
  after: ExecutionGraph,
  change: GraphChange,
  budget = MERMAID_TEXT_BUDGET,
): DiffPicture {
  const union = unionGraph(before, after);
  const styles: Record<string, NodeStyle> = {};
  const nodes = union.nodes.map((node) => {
    const status = statusOf(change, node.id);
    if (status === null) return node;
    styles[node.id] = status;
    return { ...node, title: `${MARKER[status]}${node.title}` };
  });
  const styled = { ...union, nodes };
  const full = toMermaid(styled, styles);
  if (full.length <= budget) return { mermaid: full, trimmed: false };
  return { mermaid: toMermaid(neighbourhood(styled, change), styles), trimmed: true };
}
