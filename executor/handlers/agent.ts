// Source-host work through the agent: preflight, the two-phase config apply (plan, then apply that
// exact planHash), the consented restart, the migration role, the write fence, the marker and slots.
// Every call is safe to repeat: the agent answers noop when the desired state already holds, and the
// handler checks first where it can (slots, wal_level) so a re-run adopts instead of repeating.

import type { GraphNode } from '../../contracts/graph.js';
import { AgentError, waitForOperation } from '../agent-client.js';
import {
  artifactText,
  type Input,
  optionalNumber,
  optionalRecord,
  optionalString,
  requireString,
  stringList,
} from '../inputs.js';
import { type Handler, NodeFailure, type NodeOutputs, type NodeResult, type RunContext } from '../types.js';

type Json = Record<string, unknown>;

const ok = (outputs: NodeOutputs, note?: string): NodeResult =>
  note === undefined ? { status: 'succeeded', outputs } : { status: 'succeeded', outputs, note };

async function preflight(_node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const body = optionalRecord(input, 'request') ?? {};
  const answer = await agent.request<Json>('POST', '/v1/preflight', body);
  const checks = Array.isArray(answer.checks) ? (answer.checks as Json[]) : [];
  const failing = checks.filter((check) => check.status === 'fail').map((check) => String(check.id));
  const fatal = stringList(input, 'failOn').filter((id) => failing.includes(id));
  if (fatal.length > 0) throw new NodeFailure(`source preflight failed: ${fatal.join(', ')}`);
  return ok(
    { ok: answer.ok === true, failing: failing.join(',') },
    failing.length > 0 ? `preflight checks to be fixed by the plan: ${failing.join(', ')}` : undefined,
  );
}

async function configApply(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const path = optionalString(input, 'bundle') ?? 'source/bundle.json';
  const bundle = JSON.parse(artifactText(node, ctx.artifacts, path)) as Json;
  const expected = optionalString(input, 'bundleHash');
  if (expected !== undefined && bundle.hash !== undefined && bundle.hash !== expected) {
    throw new NodeFailure(`${path} has hash ${String(bundle.hash)}, the graph expects ${expected}: recompile the plan`);
  }
  const agent = await ctx.agent();
  const plan = await agent.request<Json>('POST', '/v1/plans', bundle);
  const planId = String(plan.planId ?? '');
  const planHash = String(plan.planHash ?? '');
  const restartNeeded = (plan.requires as Json | undefined)?.restart === true;
  if (plan.noop === true) return ok({ planHash, changed: false, restartRequired: restartNeeded });
  const applied = await agent.request<Json>(
    'POST',
    `/v1/plans/${encodeURIComponent(planId)}/apply`,
    { planHash, baseFingerprint: plan.baseFingerprint, allowRestart: false, reason: `pgferry ${ctx.deployment.plan}` },
    `${node.idempotencyKey}:${planHash}`,
  );
  const pending = Array.isArray(applied.pendingRestart) ? applied.pendingRestart.map(String) : [];
  return ok({
    planHash,
    changed: applied.changed !== false,
    restartRequired: applied.restartRequired === true || pending.length > 0,
    pendingRestart: pending.join(','),
  });
}

async function runningSetting(ctx: RunContext, name: string): Promise<{ running: string; pending: boolean }> {
  const agent = await ctx.agent();
  const answer = await agent.request<Json>('GET', `/v1/settings?names=${encodeURIComponent(name)}`);
  const rows = Array.isArray(answer.settings) ? (answer.settings as Json[]) : [];
  const row = rows.find((item) => item.name === name);
  return { running: String(row?.running ?? row?.setting ?? ''), pending: row?.pendingRestart === true };
}

async function restart(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const expect = optionalRecord(input, 'expect') ?? { wal_level: 'logical' };
  const checks = Object.entries(expect).map(([name, value]) => [name, String(value)] as const);
  const before = await Promise.all(checks.map(([name]) => runningSetting(ctx, name)));
  if (before.every((state, index) => state.running === checks[index]![1] && !state.pending)) {
    return ok({ restarted: false, adopted: true, ...Object.fromEntries(checks) }, 'already running with the settings');
  }
  const agent = await ctx.agent();
  const answer = await agent.request<Json>(
    'POST',
    '/v1/restart',
    {
      reason: `pgferry ${ctx.deployment.plan}: ${node.title}`,
      onlyIfPendingRestart: true,
      mode: 'fast',
      timeoutS: optionalNumber(input, 'timeoutS') ?? 180,
      acknowledgeReplicationInterruption: true,
    },
    node.idempotencyKey,
  );
  if (typeof answer.operationId === 'string' && answer.result !== 'noop') {
    await waitForOperation(agent, answer.operationId, ctx.sleep, ctx.pollMs, ctx.maxPolls);
  }
  const after = await Promise.all(checks.map(([name]) => runningSetting(ctx, name)));
  const wrong = checks.filter(([, value], index) => after[index]!.running !== value);
  if (wrong.length > 0) {
    const detail = wrong.map(([name, value], index) => `${name}=${after[index]!.running} (want ${value})`);
    throw new NodeFailure(`after the restart the source still runs ${detail.join(', ')}`);
  }
  return ok({ restarted: true, ...Object.fromEntries(checks) });
}

async function roleEnsure(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const body = optionalRecord(input, 'role') ?? input;
  const answer = await agent.request<Json>('POST', '/v1/roles', body, node.idempotencyKey);
  return ok({ role: String(body.name ?? ''), created: answer.created === true });
}

async function fence(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const body = {
    method: optionalString(input, 'method') ?? 'hba_reject',
    roles: stringList(input, 'roles'),
    databases: stringList(input, 'databases'),
    reason: `pgferry ${ctx.deployment.plan} cutover`,
  };
  const answer = await agent.request<Json>('POST', '/v1/fence', body, node.idempotencyKey);
  return ok({
    fencedAt: String(answer.fencedAt ?? ctx.now().toISOString()),
    terminated: Number(answer.terminated ?? 0),
    method: body.method,
  });
}

async function unfence(_node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const answer = await agent.request<Json>('DELETE', '/v1/fence', { reason: `pgferry ${ctx.deployment.plan}` });
  const fencedAt = optionalString(input, 'fencedAt');
  const unfencedAt = String(answer.unfencedAt ?? ctx.now().toISOString());
  const seconds = fencedAt ? (Date.parse(unfencedAt) - Date.parse(fencedAt)) / 1000 : null;
  return ok({ unfencedAt, fenceSeconds: seconds });
}

async function marker(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const database = requireString(node, input, 'database');
  const answer = await agent.request<Json>('POST', '/v1/marker', { database }, node.idempotencyKey);
  const lsn = String(answer.lsn ?? '');
  if (!/^[0-9A-F]+\/[0-9A-F]+$/i.test(lsn)) throw new NodeFailure(`agent marker answer has no LSN: ${lsn}`);
  return ok({ lsn, marker: String(answer.marker ?? '') });
}

function slotNameOf(node: GraphNode, input: Input): string {
  return requireString(node, input, 'slot', 'slotName', 'name');
}

async function slotCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const name = slotNameOf(node, input);
  const existing = (await agent.slots()).slots.find((slot) => slot.slotName === name);
  if (existing) {
    return ok({ slotName: name, lsn: existing.confirmedFlushLsn ?? existing.restartLsn, adopted: true });
  }
  const answer = await agent.request<Json>(
    'POST',
    '/v1/slots',
    {
      name,
      plugin: optionalString(input, 'plugin') ?? 'test_decoding',
      database: requireString(node, input, 'database'),
    },
    node.idempotencyKey,
  );
  return ok({ slotName: name, lsn: String(answer.lsn ?? answer.confirmedFlushLsn ?? '') });
}

async function slotDrop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent();
  const name = slotNameOf(node, input);
  const existing = (await agent.slots()).slots.find((slot) => slot.slotName === name);
  if (!existing) return ok({ slotName: name, dropped: false }, `slot ${name} is already gone`);
  try {
    await agent.request<Json>('DELETE', `/v1/slots/${encodeURIComponent(name)}`, {
      confirmSlotName: name,
      reason: `pgferry ${ctx.deployment.plan}`,
      force: input.force === true,
    });
  } catch (error) {
    if (error instanceof AgentError && error.status === 404) return ok({ slotName: name, dropped: false });
    throw error;
  }
  return ok({ slotName: name, dropped: true });
}

const byKind: Partial<
  Record<GraphNode['kind'], (node: GraphNode, input: Input, ctx: RunContext) => Promise<NodeResult>>
> = {
  SourcePreflight: preflight,
  SourceConfigApply: configApply,
  SourceRestart: restart,
  SourceRoleEnsure: roleEnsure,
  SourceWriteFence: fence,
  SourceWriteUnfence: unfence,
  SourceMarkerWrite: marker,
  SourceSlotCreate: slotCreate,
  SourceSlotDrop: slotDrop,
};

export const agentHandler: Handler = {
  async run(node, ctx) {
    const run = byKind[node.kind];
    if (!run) throw new NodeFailure(`the agent executor does not run ${node.kind} (node ${node.id})`);
    return run(node, await ctx.resolve(node.input), ctx);
  },
  async probe(node, ctx) {
    if (node.kind === 'SourcePreflight') {
      const agent = await ctx.agent();
      const answer = await agent.request<Json>('POST', '/v1/preflight', optionalRecord(node.input, 'request') ?? {});
      const checks = Array.isArray(answer.checks) ? (answer.checks as Json[]) : [];
      const failing = checks.filter((check) => check.status === 'fail').map((check) => String(check.id));
      return { action: 'run', detail: failing.length ? `preflight fails: ${failing.join(', ')}` : 'preflight passes' };
    }
    return { action: 'run', detail: node.title };
  },
};
