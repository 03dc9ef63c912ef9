// Proves the properties the executor relies on, over the facts alone (edges are re-derived, so a graph
// whose stored edges were edited is caught too). Returns findings; never throws on a bad graph.

import { compareText } from '../../contracts/compare.js';
import type { ExecutionGraph, GraphEdge, GraphNode } from '../../contracts/graph.js';
import { NODE_OUTPUTS } from '../../contracts/node-inputs.js';
import { REF_PLACEHOLDER } from '../../contracts/secret-ref.js';
import type { Finding } from '../rules/rule.js';
import {
  graphAmbiguousFact,
  graphCdcBeforeLogical,
  graphCycle,
  graphDanglingRef,
  graphDuplicateId,
  graphEdgesMismatch,
  graphLogicalSchemaNotPreCreated,
  graphLogicalSourceTooOld,
  graphMissingFact,
  graphSequencesOutsideFence,
  graphSlotDropBeforeStop,
  graphTargetNotPrepared,
  graphUngatedEffect,
} from './codes.js';
import { EXTERNAL_FACT_PREFIXES, fact } from './facts.js';
import { isDmsKind, isLogicalKind } from './kinds.js';
import { deriveEdges, producersOf, topologicalOrder } from './order.js';

class Ancestry {
  private readonly incoming = new Map<string, string[]>();
  private readonly memo = new Map<string, Set<string>>();

  constructor(edges: readonly GraphEdge[]) {
    for (const edge of edges) {
      const list = this.incoming.get(edge.to);
      if (list === undefined) this.incoming.set(edge.to, [edge.from]);
      else list.push(edge.from);
    }
  }

  /** Every node with a path to `id` (iterative, so cycles and deep graphs are safe). */
  of(id: string): Set<string> {
    const cached = this.memo.get(id);
    if (cached !== undefined) return cached;
    const seen = new Set<string>();
    const stack = [...(this.incoming.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const parent of this.incoming.get(next) ?? []) if (!seen.has(parent)) stack.push(parent);
    }
    this.memo.set(id, seen);
    return seen;
  }

  /** Does some ancestor of `id` satisfy `test`? */
  some(id: string, nodes: ReadonlyMap<string, GraphNode>, test: (node: GraphNode) => boolean): boolean {
    for (const ancestor of this.of(id)) {
      const node = nodes.get(ancestor);
      if (node !== undefined && test(node)) return true;
    }
    return false;
  }
}

function collectRefs(value: unknown, out: [string, string][]): void {
  if (typeof value === 'string') {
    const match = REF_PLACEHOLDER.exec(value);
    if (match !== null) out.push([match[1]!, match[2]!]);
  } else if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectRefs(item, out);
  }
}

const isExternal = (name: string) => EXTERNAL_FACT_PREFIXES.some((prefix) => name.startsWith(prefix));

function edgeKey(edge: GraphEdge): string {
  return `${edge.from}\u0000${edge.to}`;
}

/** `lacks a → b, c → d (+3 more)`: the first few edges of one kind of mismatch, for the message. */
function edgeList(what: 'lacks' | 'has', keys: readonly string[]): string[] {
  if (keys.length === 0) return [];
  const shown = keys.slice(0, 3).map((key) => key.replace('\u0000', ' → '));
  const more = keys.length > shown.length ? ` (+${keys.length - shown.length} more)` : '';
  return [`${what} ${shown.join(', ')}${more}`];
}

export function verifyGraph(graph: ExecutionGraph): Finding[] {
  const findings: Finding[] = [];
  const report = (code: string, node: GraphNode | null, message: string, hint?: string) =>
    findings.push({ code, pointer: node?.origin ?? '', message, ...(hint === undefined ? {} : { hint }) });

  const nodes = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) report(graphDuplicateId.code, node, `graph node id "${node.id}" is used twice`);
    else nodes.set(node.id, node);
  }
  const unique = [...nodes.values()];

  const producers = producersOf(unique);
  for (const [name, ids] of producers) {
    if (ids.length > 1) {
      report(graphAmbiguousFact.code, nodes.get(ids[1]!)!, `fact "${name}" is provided by ${ids.join(', ')}`);
    }
  }
  for (const node of unique) {
    for (const name of node.requires) {
      if (!producers.has(name) && !isExternal(name)) {
        report(graphMissingFact.code, node, `node "${node.id}" requires "${name}", which no node provides`);
      }
    }
  }

  const edges = deriveEdges(unique, producers);
  const stored = new Set(graph.edges.map(edgeKey));
  const derived = new Set(edges.map(edgeKey));
  const missing = [...derived].filter((key) => !stored.has(key));
  const extra = [...stored].filter((key) => !derived.has(key));
  if (missing.length + extra.length > 0) {
    report(
      graphEdgesMismatch.code,
      null,
      `graph "${graph.plan}" has edges that its facts do not imply (or lacks some): ${[
        ...edgeList('lacks', missing),
        ...edgeList('has', extra),
      ].join('; ')}`,
      'graph.json was edited by hand: compile the plan again (pgferry compile) instead',
    );
  }

  const { cyclic } = topologicalOrder(unique, edges);
  if (cyclic.length > 0) {
    report(graphCycle.code, cyclic[0]!, `nodes ${cyclic.map((n) => `"${n.id}"`).join(', ')} wait on each other`);
  }

  const ancestry = new Ancestry(edges);
  for (const node of unique) {
    if (node.effect === 'restart' || node.effect === 'destructive') {
      if (node.gate === null) {
        report(graphUngatedEffect.code, node, `${node.effect} node "${node.id}" has no approval gate`);
      } else if (!node.requires.includes(fact.gateApproved(node.gate))) {
        report(
          graphUngatedEffect.code,
          node,
          `node "${node.id}" names gate "${node.gate}" but does not require "${fact.gateApproved(node.gate)}"`,
        );
      }
    }
    const refs: [string, string][] = [];
    collectRefs(node.input, refs);
    // A compensation runs after its own node: it may also use that node's outputs (what it recorded).
    const undo: [string, string][] = [];
    if (node.compensation !== null) collectRefs(node.compensation.input, undo);
    for (const [target, output] of [...refs, ...undo.filter(([target]) => target !== node.id)]) {
      const source = nodes.get(target);
      const outputs: readonly string[] = source === undefined ? [] : NODE_OUTPUTS[source.kind];
      if (source === undefined || !ancestry.of(node.id).has(target)) {
        report(graphDanglingRef.code, node, `node "${node.id}" refers to "${target}", which is not upstream of it`);
      } else if (!outputs.includes(output)) {
        report(graphDanglingRef.code, node, `node "${node.id}" refers to output "${output}" that ${source.kind} lacks`);
      }
    }
    for (const [, output] of undo.filter(([target]) => target === node.id)) {
      if (!(NODE_OUTPUTS[node.kind] as readonly string[]).includes(output))
        report(graphDanglingRef.code, node, `node "${node.id}" refers to output "${output}" that ${node.kind} lacks`);
    }
  }

  const cdc = unique.some(
    (node) =>
      (node.kind === 'DmsTaskStart' || node.kind === 'DmsReplicationStart') &&
      (node.input as { migrationType?: string }).migrationType !== 'full-load',
  );
  if (cdc) {
    const logical = producers.get(fact.walLevelLogical)?.[0];
    for (const node of unique) {
      if (!isDmsKind(node.kind) && node.kind !== 'SourceSlotCreate') continue;
      if (logical === undefined || !ancestry.of(node.id).has(logical)) {
        report(graphCdcBeforeLogical.code, node, `node "${node.id}" is not after "${fact.walLevelLogical}"`);
      }
    }
  }

  // The logical engine decodes WAL from its first step (the subscription's slot, the table copies).
  const logical = producers.get(fact.walLevelLogical)?.[0];
  const decoding = unique.filter((node) => isLogicalKind(node.kind) && node.kind !== 'LogicalPublicationDrop');
  if (decoding.length > 0 && logical === undefined) {
    findings.push({
      code: graphCdcBeforeLogical.code,
      pointer: '/source/settings',
      message: `engine logical needs wal_level=logical on the source, and nothing in the graph sets it`,
      hint: 'CDC tasks set it; for full-load-only tasks set source.settings.wal_level: logical',
    });
  } else {
    for (const node of decoding) {
      if (!ancestry.of(node.id).has(logical!)) {
        report(graphCdcBeforeLogical.code, node, `node "${node.id}" is not after "${fact.walLevelLogical}"`);
      }
    }
  }
  for (const node of unique) {
    const input = node.input as { sourceVersionNum?: number; schemaStrategy?: string };
    if (node.kind === 'LogicalPublicationCreate' && (input.sourceVersionNum ?? 0) < 100000) {
      findings.push({
        code: graphLogicalSourceTooOld.code,
        pointer: '/source/version',
        message: `engine logical needs a source on PostgreSQL 10 or later; node "${node.id}" would publish from ${input.sourceVersionNum}`,
        hint: 'use engine: dms for a 9.x source',
      });
    }
    if (node.kind === 'LogicalSubscriptionCreate' && input.schemaStrategy !== 'pre_created') {
      findings.push({
        code: graphLogicalSchemaNotPreCreated.code,
        pointer: '/target/schema_objects/strategy',
        message: `engine logical copies no DDL: node "${node.id}" needs target.schema_objects.strategy pre_created, not ${input.schemaStrategy}`,
        hint: 'restore the pre-data schema on the target and set schema_objects.strategy: pre_created',
      });
    }
  }

  for (const node of unique) {
    const input = node.input as { database?: string; task?: string };
    if (
      node.kind === 'DmsTaskStart' ||
      node.kind === 'DmsReplicationStart' ||
      node.kind === 'LogicalSubscriptionCreate'
    ) {
      const prepared = ancestry.some(
        node.id,
        nodes,
        (n) => n.kind === 'TargetPrepare' && (n.input as { sourceDatabase?: string }).sourceDatabase === input.database,
      );
      if (!prepared) {
        report(graphTargetNotPrepared.code, node, `task start "${node.id}" is not after the target preparation`);
      }
    }
    if (node.kind === 'SourceSlotDrop' && input.task !== undefined) {
      const stoppedFact = fact.replicationStopped(input.task);
      if (!ancestry.some(node.id, nodes, (n) => n.provides.includes(stoppedFact))) {
        report(graphSlotDropBeforeStop.code, node, `slot drop "${node.id}" is not after "${stoppedFact}"`);
      }
    }
    if (node.kind === 'TargetSequenceSync') {
      const fenced = ancestry.some(node.id, nodes, (n) => n.kind === 'SourceWriteFence');
      const opensFirst = ancestry.some(
        node.id,
        nodes,
        (n) => n.kind === 'ManualGate' && (n.input as { gate?: string }).gate === 'writes-open',
      );
      if (!fenced || opensFirst) {
        report(
          graphSequencesOutsideFence.code,
          node,
          `sequence sync "${node.id}" is not between the fence and writes-open`,
        );
      }
    }
  }

  return findings.sort(
    (a, b) => compareText(a.code, b.code) || compareText(a.pointer, b.pointer) || compareText(a.message, b.message),
  );
}
