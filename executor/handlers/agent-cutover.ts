// The agent's work around the cutover and replication: the write fence and its undo, the marker row
// whose LSN the cutover waits for on the target, and the logical slots. Each call is safe to repeat
// (an existing slot is adopted, a gone one is not an error, a replayed marker answer is refused).

import type { GraphNode } from '../../contracts/graph.js';
import { withRetry } from '../../contracts/retry.js';
import { AgentError, lsnToBigInt } from '../agent-client.js';
import { type Input, optionalString, requireString, stringList } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { succeeded } from './by-kind.js';

/**
 * The agent runs one operation at a time and answers 409 LOCKED to the rest: fences of several
 * databases run in parallel, so a locked request waits its turn (with backoff) instead of failing.
 */
function retryLocked<T>(ctx: RunContext, request: () => Promise<T>): Promise<T> {
  return withRetry(request, {
    sleep: ctx.sleep,
    attempts: 12,
    baseMs: 250,
    maxMs: 5_000,
    retryable: (error) => error instanceof AgentError && error.code === 'LOCKED',
  });
}

function fenceBody(input: Input, ctx: RunContext) {
  return {
    method: optionalString(input, 'method') ?? 'hba_reject',
    roles: stringList(input, 'roles'),
    databases: stringList(input, 'databases'),
    plan: ctx.deployment.plan,
  };
}

export async function fence(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const body = { ...fenceBody(input, ctx), terminate: input.terminateSessions !== false };
  const fencedAt = ctx.now().toISOString();
  const answer = await retryLocked(ctx, () => agent.call('fence', { body }, ctx.runKey(node)));
  return succeeded({
    fencedAt: answer.fencedAt ?? fencedAt,
    terminatedSessions: answer.terminatedSessions,
    method: body.method,
  });
}

export async function unfence(_node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const answer = await retryLocked(ctx, () => agent.call('unfence', { body: fenceBody(input, ctx) }));
  const fencedAt = optionalString(input, 'fencedAt');
  const unfencedAt = answer.unfencedAt ?? ctx.now().toISOString();
  const seconds = fencedAt ? (Date.parse(unfencedAt) - Date.parse(fencedAt)) / 1000 : null;
  return succeeded({ unfencedAt, fenceSeconds: seconds });
}

export async function marker(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const database = requireString(node, input, 'database');
  // A marker older than the source's position now is a replayed answer, not a row this run wrote.
  const before = (await agent.slots()).currentLsn;
  const answer = await agent.call(
    'marker',
    { body: { database, label: `pgferry ${ctx.deployment.plan} ${node.id}` } },
    ctx.runKey(node),
  );
  const lsn = answer.lsn;
  if (before !== null && lsnToBigInt(lsn) < lsnToBigInt(before)) {
    throw new NodeFailure(
      `the agent answered marker LSN ${lsn}, older than the source's ${before} before the request: ` +
        'an answer replayed from an earlier run, so no marker was written',
    );
  }
  return succeeded({ lsn, marker: answer.id });
}

function slotNameOf(node: GraphNode, input: Input): string {
  return requireString(node, input, 'slot', 'slotName', 'name');
}

export async function slotCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const name = slotNameOf(node, input);
  const existing = (await agent.slots()).slots.find((slot) => slot.slotName === name);
  if (existing) {
    return succeeded({ slotName: name, lsn: existing.confirmedFlushLsn ?? existing.restartLsn, adopted: true });
  }
  const answer = await agent.call(
    'slotCreate',
    {
      body: {
        name,
        plugin: optionalString(input, 'plugin') ?? 'test_decoding',
        database: requireString(node, input, 'database'),
      },
    },
    ctx.runKey(node),
  );
  return succeeded({ slotName: name, lsn: answer.lsn });
}

export async function slotDrop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const name = slotNameOf(node, input);
  const existing = (await agent.slots()).slots.find((slot) => slot.slotName === name);
  if (!existing) return succeeded({ slotName: name, dropped: false }, `slot ${name} is already gone`);
  try {
    await agent.call('slotDrop', {
      params: { name },
      body: { confirmSlotName: name, reason: `pgferry ${ctx.deployment.plan}`, force: input.force === true },
    });
  } catch (error) {
    if (error instanceof AgentError && error.status === 404) return succeeded({ slotName: name, dropped: false });
    throw error;
  }
  return succeeded({ slotName: name, dropped: true });
}
