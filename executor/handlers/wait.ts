// Waits on replication progress, observed through the agent's slot view: CDC lag under the plan's
// threshold before the fence, and the slot's confirmed LSN past the cutover marker after it, then the
// target's own proof that it has everything up to the fence (executor/target-caught-up.ts).

import type { GraphNode } from '../../contracts/graph.js';
import { type AgentSlot, lsnToBigInt } from '../agent-client.js';
import { DmsOps } from '../dms/ops.js';
import { type Input, optionalNumber, optionalRecord, optionalString, requireString } from '../inputs.js';
import { dmsTargetCaughtUp, logicalTargetCaughtUp } from '../target-caught-up.js';
import { type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { fullLoadWait } from './dms.js';
import { watchSubscriptionErrors } from './subscription-errors.js';

/** The slot of a task: the node's own `slot`, or what the task's start node recorded. */
function slotNameFor(ctx: RunContext, input: Input): string | undefined {
  const own = optionalString(input, 'slot') ?? optionalString(input, 'slotName');
  if (own !== undefined) return own;
  const task = optionalString(input, 'task');
  if (task === undefined) return undefined;
  for (const node of ctx.graph.nodes) {
    if (node.input.task !== task) continue;
    if (node.kind === 'SourceSlotCreate' && typeof node.input.slot === 'string') return node.input.slot;
    const recorded = node.kind === 'DmsTaskStart' ? ctx.outputsOf(node.id)?.slotName : undefined;
    if (typeof recorded === 'string' && recorded !== '') return recorded;
  }
  return undefined;
}

async function findSlot(ctx: RunContext, input: Input): Promise<AgentSlot | null> {
  const agent = await ctx.agent(input);
  const { slots } = await agent.slots();
  const name = slotNameFor(ctx, input);
  if (name !== undefined) return slots.find((slot) => slot.slotName === name) ?? null;
  const database = optionalString(input, 'database');
  const logical = slots.filter(
    (slot) => slot.plugin !== null && (database === undefined || slot.database === database),
  );
  return logical.length === 1 ? logical[0]! : null;
}

async function poll(
  ctx: RunContext,
  what: string,
  check: () => Promise<{ done: boolean; detail: string }>,
): Promise<string> {
  let detail = '';
  for (let attempt = 0; attempt < ctx.maxPolls; attempt += 1) {
    const state = await check();
    detail = state.detail;
    if (state.done) return detail;
    await ctx.sleep(ctx.pollMs);
  }
  throw new NodeFailure(`${what}: not reached after ${ctx.maxPolls} polls (${detail})`, true);
}

/**
 * CDC lag before the fence. The plan states seconds (DMS CDCLatencySource/Target, a CloudWatch metric
 * the executor has no client for); what it measures is the task running and the slot's confirmed lag
 * in bytes from the agent, under `maxLagBytes` (default 16 MiB).
 */
/** The slot's confirmed lag, bytes, under which the fence may go on when the node names no `maxLagBytes`. */
export const DEFAULT_MAX_LAG_BYTES = 16 * 1024 * 1024;

async function cdcLagWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const maxLagBytes = optionalNumber(input, 'maxLagBytes') ?? DEFAULT_MAX_LAG_BYTES;
  let lag = -1;
  const task = optionalString(input, 'task');
  if (task !== undefined && input.engine !== 'logical') {
    const dms = new DmsOps({ client: ctx.dms, sleep: ctx.sleep, pollMs: ctx.pollMs, maxPolls: ctx.maxPolls });
    await dms.waitFor(
      `replication task ${task}`,
      () => dms.task(task),
      (current) => current?.Status === 'running',
      (current) =>
        current === null
          ? 'not found'
          : ['failed', 'stopped'].includes(current.Status ?? '')
            ? `is ${current.Status}: ${current.LastFailureMessage ?? current.StopReason ?? ''}`
            : null,
    );
  }
  if (!ctx.deployment.agent && optionalRecord(input, 'agent') === undefined) {
    return { status: 'succeeded', outputs: { lagBytes: null }, note: 'task running; no agent to measure slot lag' };
  }
  const detail = await poll(ctx, `CDC lag for ${node.id}`, async () => {
    const slot = await findSlot(ctx, input);
    if (!slot) return { done: false, detail: 'no replication slot for the task yet' };
    lag = slot.confirmedLagBytes ?? Number.MAX_SAFE_INTEGER;
    // DMS holds the slot active while it streams, but a reconnect blip is not lag: bytes decide.
    return {
      done: lag <= maxLagBytes,
      detail: `slot ${slot.slotName} ${slot.active ? 'active' : 'inactive'}, confirmed lag ${lag} bytes (limit ${maxLagBytes})`,
    };
  });
  return { status: 'succeeded', outputs: { lagBytes: lag }, note: detail };
}

async function markerWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const lsn = requireString(node, input, 'lsn', 'markerLsn');
  const want = lsnToBigInt(lsn);
  let confirmed = '';
  // Engine logical: a failing apply worker never confirms the marker; say so at once, not after a timeout.
  const errors = await watchSubscriptionErrors(ctx, optionalString(input, 'task'));
  try {
    await poll(ctx, `marker ${lsn} on ${node.id}`, async () => {
      await errors.check();
      const slot = await findSlot(ctx, input);
      if (!slot?.confirmedFlushLsn) return { done: false, detail: 'slot has no confirmed LSN yet' };
      confirmed = slot.confirmedFlushLsn;
      return { done: lsnToBigInt(confirmed) >= want, detail: `slot confirmed ${confirmed}, marker ${lsn}` };
    });
  } finally {
    await errors.close();
  }
  // The slot says the replication read past the marker; the target must say it has it all.
  const target =
    ctx.graph.engine === 'logical'
      ? await logicalTargetCaughtUp(node, input, ctx, lsn)
      : await dmsTargetCaughtUp(node, input, ctx);
  return {
    status: 'succeeded',
    outputs: { markerLsn: lsn, confirmedLsn: confirmed, ...target.outputs },
    note: target.detail,
  };
}

export const waitHandler: Handler = {
  async run(node, ctx) {
    const input = await ctx.resolve(node.input);
    if (node.kind === 'CdcLagWait') return cdcLagWait(node, input, ctx);
    if (node.kind === 'MarkerWait') return markerWait(node, input, ctx);
    if (node.kind === 'DmsFullLoadWait') return fullLoadWait(node, input, ctx);
    throw new NodeFailure(`the wait executor does not run ${node.kind} (node ${node.id})`);
  },
};
