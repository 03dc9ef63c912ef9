// Manual gates: a gate node succeeds once `pgferry approve <plan> <gate>` recorded the approval.

import { optionalString } from '../inputs.js';
import type { Handler } from '../types.js';

function gateName(input: Readonly<Record<string, unknown>>, fallback: string): string {
  return optionalString(input, 'gate') ?? optionalString(input, 'name') ?? fallback;
}

export const gateHandler: Handler = {
  async run(node, ctx) {
    const gate = gateName(node.input, node.gate ?? node.id);
    if (!ctx.isGateApproved(gate)) return { status: 'waiting-gate', gate };
    return { status: 'succeeded', outputs: { gate, approvedBy: ctx.gateApproval(gate)?.approvedBy ?? null } };
  },
  async probe(node, ctx) {
    const gate = gateName(node.input, node.gate ?? node.id);
    return ctx.isGateApproved(gate)
      ? { action: 'run', detail: `gate ${gate} is approved` }
      : { action: 'wait-gate', detail: `stops here until: pgferry approve ${ctx.deployment.plan} ${gate}` };
  },
};
