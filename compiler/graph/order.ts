// Edges and order fall out of facts: B depends on A when B requires a fact A provides. The order is
// Kahn's algorithm taking, among the nodes ready at each step, the smallest id: stable and independent
// of the order nodes were built in.

import { compareText } from '../../contracts/compare.js';
import type { GraphEdge, GraphNode } from '../../contracts/graph.js';

/** Fact → ids of the nodes providing it. */
export function producersOf(nodes: readonly GraphNode[]): Map<string, string[]> {
  const producers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const fact of node.provides) {
      const list = producers.get(fact);
      if (list === undefined) producers.set(fact, [node.id]);
      else list.push(node.id);
    }
  }
  return producers;
}

/**
 * One edge per (producer, consumer) pair, labelled with the first fact that links them. `producers` is
 * `producersOf(nodes)`, passed by a caller that has it already.
 */
export function deriveEdges(
  nodes: readonly GraphNode[],
  producers: ReadonlyMap<string, readonly string[]> = producersOf(nodes),
): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const node of nodes) {
    const seen = new Set<string>();
    for (const fact of node.requires) {
      for (const from of producers.get(fact) ?? []) {
        if (from === node.id || seen.has(from)) continue;
        seen.add(from);
        edges.push({ from, to: node.id, fact });
      }
    }
  }
  return edges;
}

/** Min-heap of ids. */
class IdHeap {
  private readonly items: string[] = [];
  get size(): number {
    return this.items.length;
  }
  push(id: string): void {
    const items = this.items;
    items.push(id);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): string {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]! < items[m]!) m = l;
        if (r < items.length && items[r]! < items[m]!) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Nodes in topological order, ties by id. Nodes on a cycle cannot be ordered: they are returned after
 * the others, by id, in `cyclic`, with any duplicate of an id (verification reports both).
 */
export function topologicalOrder(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
): { ordered: GraphNode[]; cyclic: GraphNode[] } {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const indegree = new Map<string, number>(nodes.map((node) => [node.id, 0]));
  const out = new Map<string, string[]>();
  for (const edge of edges) {
    if (!byId.has(edge.from) || !byId.has(edge.to)) continue;
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
    const list = out.get(edge.from);
    if (list === undefined) out.set(edge.from, [edge.to]);
    else list.push(edge.to);
  }
  const heap = new IdHeap();
  for (const [id, degree] of indegree) if (degree === 0) heap.push(id);
  const ordered: GraphNode[] = [];
  const done = new Set<string>();
  while (heap.size > 0) {
    const id = heap.pop();
    if (done.has(id)) continue;
    done.add(id);
    ordered.push(byId.get(id)!);
    for (const next of out.get(id) ?? []) {
      const degree = indegree.get(next)! - 1;
      indegree.set(next, degree);
      if (degree === 0) heap.push(next);
    }
  }
  // Left over: nodes on a cycle, and second nodes with an id already taken (verification reports both).
  const placed = new Set(ordered);
  const cyclic = nodes.filter((node) => !placed.has(node)).sort((a, b) => compareText(a.id, b.id));
  return { ordered, cyclic };
}
