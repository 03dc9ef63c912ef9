// A handler made of one function per node kind it runs. Inputs are resolved (placeholders replaced)
// before the function sees them; a kind the table lacks is a clear failure, not a silent no-op.

import type { ExecutorKind, GraphNode, NodeKind } from '../../contracts/graph.js';
import type { Input } from '../inputs.js';
import {
  type DryRunProbe,
  type Handler,
  NodeFailure,
  type NodeOutputs,
  type NodeResult,
  type RunContext,
} from '../types.js';

export type KindRun = (node: GraphNode, input: Input, ctx: RunContext) => Promise<NodeResult>;

export function handlerByKind(
  executor: ExecutorKind,
  table: Partial<Record<NodeKind, KindRun>>,
  probe?: (node: GraphNode, ctx: RunContext) => Promise<DryRunProbe>,
): Handler {
  return {
    async run(node, ctx) {
      const run = table[node.kind];
      if (!run) throw new NodeFailure(`the ${executor} executor does not run ${node.kind} (node ${node.id})`);
      return run(node, await ctx.resolve(node.input), ctx);
    },
    ...(probe ? { probe } : {}),
  };
}

/** A node that did its work: its outputs for later nodes, and a note for the user when there is one. */
export function succeeded(outputs: NodeOutputs, note?: string): NodeResult {
  return note === undefined ? { status: 'succeeded', outputs } : { status: 'succeeded', outputs, note };
}
