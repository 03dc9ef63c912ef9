// How the logical replication engine's kinds join the executors that run them: the `source-sql`
// executor is its own; target-side kinds and the sync wait extend `target-sql` and `wait` without
// touching those handlers (a kind in the table runs here, any other kind goes to the base handler).

import type { NodeKind } from '../../contracts/graph.js';
import type { Handler } from '../types.js';
import type { KindRun } from './by-kind.js';

export function withKinds(base: Handler, table: Partial<Record<NodeKind, KindRun>>): Handler {
  return {
    async run(node, ctx) {
      const run = table[node.kind];
      return run ? run(node, await ctx.resolve(node.input), ctx) : base.run(node, ctx);
    },
    ...(base.probe ? { probe: base.probe } : {}),
    ...(base.compensate ? { compensate: base.compensate } : {}),
  };
}

export { sourceSqlHandler } from './logical-source.js';
export { logicalTargetKinds, logicalWaitKinds } from './logical-target.js';
