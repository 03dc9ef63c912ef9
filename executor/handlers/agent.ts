// Source-host work through the agent: preflight, the two-phase config apply (plan, then apply that
// exact planHash), the consented restart, the migration role; the write fence, the marker and slots are
// in agent-cutover.ts.
// Every call is safe to repeat: the agent answers noop when the desired state already holds, and the
// handler checks first where it can (slots, wal_level) so a re-run adopts instead of repeating.

import type { AgentReply } from '../../contracts/agent-api/routes.js';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { reviewCatalog } from '../catalog-review.js';
import { artifactText, type Input, optionalRecord, optionalString, requireString, stringList } from '../inputs.js';
import { describeSettingChange, formatSettingChange, type SettingChange } from '../setting-changes.js';
import { type DryRunProbe, type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { fence, marker, slotCreate, slotDrop, unfence } from './agent-cutover.js';
import { handlerByKind, type KindRun, succeeded } from './by-kind.js';

type Json = Record<string, unknown>;

function bundleOf(node: GraphNode, input: Input, ctx: RunContext): Json | null {
  const path = optionalString(input, 'bundle') ?? 'source/bundle.json';
  const text = ctx.artifacts.get(path);
  if (text === undefined) {
    if (optionalString(input, 'bundle') !== undefined) artifactText(node, ctx.artifacts, path);
    return null;
  }
  const bundle = JSON.parse(text) as Json;
  const expected = optionalString(input, 'bundleHash');
  if (expected !== undefined && bundle.hash !== undefined && bundle.hash !== expected) {
    throw new NodeFailure(`${path} has hash ${String(bundle.hash)}, the graph expects ${expected}: recompile the plan`);
  }
  return bundle;
}

/** The agent's preflight takes the databases to check (its schema refuses anything else). */
function preflightBody(node: GraphNode, input: Input, ctx: RunContext): Json {
  bundleOf(node, input, ctx);
  return Array.isArray(input.databases) ? { databases: input.databases } : {};
}

async function preflight(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const answer = await agent.call('preflight', { body: preflightBody(node, input, ctx) });
  const failed = answer.checks.filter((check) => check.status === 'fail');
  const failing = failed.map((check) => check.id);
  const fatal = stringList(input, 'failOn').filter((id) => failing.includes(id));
  if (fatal.length > 0) throw new NodeFailure(`source preflight failed: ${fatal.join(', ')}`);
  const review = ctx.catalogReview ? await reviewCatalog(agent, ctx.catalogReview) : null;
  const notes = [preflightNote(failed, bundleOf(node, input, ctx), streamsChanges(ctx)), review?.note].filter(
    (note) => note !== undefined,
  );
  return succeeded(
    {
      ok: answer.ok,
      failing: failing.join(','),
      serverVersionNum: answer.serverVersionNum,
      systemIdentifier: answer.systemIdentifier,
      ...(review ? { catalogChanges: review.changes } : {}),
    },
    notes.length > 0 ? notes.join('; ') : undefined,
  );
}

/** Checks only a plan that streams changes (CDC, engine logical) needs to pass. */
const CDC_CHECKS = new Set(['wal_level_logical', 'slot_headroom', 'wal_sender_headroom']);

/** Whether the source bundle changes what a failing check is about (so applying the plan fixes it). */
const FIXED_BY: Readonly<Record<string, (bundle: Json) => boolean>> = {
  wal_level_logical: (bundle) => bundleSettings(bundle).wal_level === 'logical',
  slot_headroom: (bundle) => bundleSettings(bundle).max_replication_slots !== undefined,
  wal_sender_headroom: (bundle) => bundleSettings(bundle).max_wal_senders !== undefined,
  migration_user: (bundle) =>
    Array.isArray(bundle.roles) && (bundle.roles as Json[]).some((role) => role.create === true),
};

function bundleSettings(bundle: Json): Json {
  return typeof bundle.settings === 'object' && bundle.settings !== null ? (bundle.settings as Json) : {};
}

function streamsChanges(ctx: RunContext): boolean {
  return (
    ctx.graph.engine === 'logical' ||
    ctx.graph.nodes.some(
      (item) =>
        (item.kind === 'DmsTaskStart' || item.kind === 'DmsReplicationStart') &&
        item.input.migrationType !== 'full-load',
    )
  );
}

/**
 * What the failing checks mean for this plan: fixed when the plan is applied (only what the source
 * bundle really changes), not needed (CDC checks on a plan that streams nothing), or failing and left
 * as they are, with the agent's detail.
 */
export function preflightNote(
  failed: readonly { readonly id: string; readonly detail?: string }[],
  bundle: Json | null,
  cdc: boolean,
): string | undefined {
  const fixed: string[] = [];
  const unneeded: string[] = [];
  const open: string[] = [];
  for (const check of failed) {
    const id = check.id;
    if (!cdc && CDC_CHECKS.has(id)) unneeded.push(id);
    else if (bundle !== null && FIXED_BY[id]?.(bundle)) fixed.push(id);
    else open.push(check.detail ? `${id} (${check.detail})` : id);
  }
  const parts = [
    fixed.length > 0 ? `preflight checks to be fixed by the plan: ${fixed.join(', ')}` : '',
    open.length > 0 ? `preflight checks failing that the plan does not change: ${open.join(', ')}` : '',
    unneeded.length > 0
      ? `preflight checks failing that this plan does not need (no task streams changes): ${unneeded.join(', ')}`
      : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

type AgentPlan = AgentReply<'plan'>;

/** Each setting an agent plan changes, with whether it takes a reload or a restart. */
function settingsOf(plan: AgentPlan): (SettingChange & { effect: string })[] {
  return plan.changes.settings.map((change) => ({
    name: change.name,
    from: change.from,
    to: change.to,
    effect: change.effect,
  }));
}

/** `name from → to` for each setting an agent plan changes. */
function settingChangesOf(plan: AgentPlan): string[] {
  return settingsOf(plan).map(formatSettingChange);
}

/** The agent's plan for the source as `apply --dry-run` shows it: the pg_hba diff, each setting, reload or restart. */
export function renderSourcePlan(plan: AgentPlan, indent = '    '): string {
  if (plan.noop) return 'the source already matches the bundle: nothing to change';
  const lines: string[] = ['the agent would change the source:'];
  const hba = plan.changes.hba;
  if (hba.changed) {
    lines.push(`pg_hba.conf: +${hba.added} -${hba.removed} lines`);
    for (const line of hba.diff.split('\n')) if (line !== '') lines.push(`  ${line}`);
  } else lines.push('pg_hba.conf: unchanged');
  const settings = settingsOf(plan);
  if (settings.length === 0) lines.push('settings: unchanged');
  for (const change of settings) lines.push(`setting ${describeSettingChange(change)} (${change.effect})`);
  const requires = plan.requires;
  lines.push(
    requires.restart
      ? 'then: a restart of PostgreSQL, after the restart-consent gate'
      : requires.reload
        ? 'then: a reload (no restart)'
        : 'then: nothing to reload',
  );
  return lines.map((line, i) => (i === 0 ? line : `${indent}${line}`)).join('\n');
}

async function configApply(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const bundle = bundleOf(node, input, ctx) ?? JSON.parse(artifactText(node, ctx.artifacts, 'source/bundle.json'));
  const agent = await ctx.agent(input);
  const plan = await agent.call('plan', { body: bundle });
  const { planId, planHash } = plan;
  if (plan.noop)
    return succeeded({ planHash, changed: false, restartRequired: plan.requires.restart, settingChanges: '' });
  const applied = await agent.call(
    'apply',
    {
      params: { planId },
      body: {
        planHash,
        baseFingerprint: plan.baseFingerprint,
        reason: `pgferry ${ctx.deployment.plan}: ${node.title}`,
      },
    },
    `${ctx.runKey(node)}:${planHash}`,
  );
  const pending = applied.pendingRestart;
  return succeeded({
    planHash,
    changed: applied.changed,
    restartRequired: applied.restartRequired || pending.length > 0,
    pendingRestart: pending.join(','),
    // What abort reports as left on the source, and the backup `abort --restore-source` rolls back to.
    backupId: applied.backupId,
    settingChanges: settingChangesOf(plan).join('; '),
  });
}

async function settingStates(ctx: RunContext, input: Input, names: readonly string[]) {
  const agent = await ctx.agent(input);
  const answer = await agent.call('settings', { query: { names: names.join(',') } });
  return names.map((name) => {
    const row = answer.settings.find((item) => item.name === name);
    return { name, running: row?.running ?? '', pending: row?.pendingRestart === true };
  });
}

/** Settings whose running value must equal the bundle's after the restart (strings only: no unit games). */
function expectedValues(node: GraphNode, input: Input, ctx: RunContext, names: readonly string[]): Map<string, string> {
  const explicit = optionalRecord(input, 'expect');
  const out = new Map<string, string>();
  if (explicit) {
    for (const [name, value] of Object.entries(explicit)) out.set(name, String(value));
    return out;
  }
  const settings = (bundleOf(node, { ...input, bundle: undefined }, ctx)?.settings ?? {}) as Json;
  for (const name of names) if (typeof settings[name] === 'string') out.set(name, settings[name] as string);
  return out;
}

async function restart(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const names = stringList(input, 'restartSettings');
  const expected = expectedValues(node, input, ctx, names);
  const watched = [...new Set([...names, ...expected.keys()])].sort();
  const fine = (states: { name: string; running: string; pending: boolean }[]) =>
    states.every(
      (state) => !state.pending && (!expected.has(state.name) || expected.get(state.name) === state.running),
    );
  const before = watched.length > 0 ? await settingStates(ctx, input, watched) : [];
  if (fine(before)) {
    return succeeded(
      { restarted: false, adopted: true },
      watched.length ? 'already running with the settings' : 'nothing needs a restart',
    );
  }
  const agent = await ctx.agent(input);
  await agent.call(
    'restart',
    {
      body: {
        confirm: true,
        reason: `pgferry ${ctx.deployment.plan}: ${node.title}`,
        onlyIfPendingRestart: input.onlyIfPending !== false,
        acknowledgeReplicationInterruption: true,
      },
    },
    ctx.runKey(node),
  );
  const after = await settingStates(ctx, input, watched);
  if (!fine(after)) {
    const detail = after
      .filter((state) => state.pending || (expected.has(state.name) && expected.get(state.name) !== state.running))
      .map(
        (state) =>
          `${state.name}=${state.running}${state.pending ? ' (restart still pending)' : ` (want ${expected.get(state.name)})`}`,
      );
    throw new NodeFailure(`after the restart the source still runs ${detail.join(', ')}`);
  }
  return succeeded({ restarted: true, ...Object.fromEntries(after.map((state) => [state.name, state.running])) });
}

async function roleEnsure(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const agent = await ctx.agent(input);
  const name = requireString(node, input, 'role');
  const roles = (bundleOf(node, input, ctx)?.roles ?? []) as Json[];
  const role = roles.find((item) => item.name === name);
  if (!role) throw new NodeFailure(`source/bundle.json has no role '${name}'`);
  // The password is a secret reference; the agent resolves it, the request never carries a value.
  const body = {
    name,
    login: role.login,
    superuser: role.superuser,
    replication: role.replication,
    password: role.password,
    settings: role.settings,
  };
  const answer = await agent.call('role', { body }, ctx.runKey(node));
  return succeeded({ role: name, result: answer.result });
}

const byKind: Partial<Record<NodeKind, KindRun>> = {
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

async function probe(node: GraphNode, ctx: RunContext): Promise<DryRunProbe> {
  if (node.kind === 'SourceConfigApply') {
    // A plan is read-only on the host: the agent computes it and keeps it for a later apply, nothing more.
    const input = await ctx.resolve(node.input);
    const bundle = bundleOf(node, input, ctx) ?? JSON.parse(artifactText(node, ctx.artifacts, 'source/bundle.json'));
    const agent = await ctx.agent(input);
    const plan = await agent.call('plan', { body: bundle });
    return { action: plan.noop ? 'skip' : 'run', detail: renderSourcePlan(plan) };
  }
  if (node.kind === 'SourcePreflight') {
    const input = await ctx.resolve(node.input);
    const agent = await ctx.agent(input);
    const answer = await agent.call('preflight', { body: preflightBody(node, input, ctx) });
    const failing = answer.checks.filter((check) => check.status === 'fail').map((check) => check.id);
    // With --catalog the dry run already says what changed since review, and a blocking change is an error.
    const review = ctx.catalogReview ? await reviewCatalog(agent, ctx.catalogReview) : null;
    const detail = failing.length ? `preflight fails: ${failing.join(', ')}` : 'preflight passes';
    return { action: 'run', detail: review ? `${detail}; ${review.note}` : detail };
  }
  return { action: 'run', detail: node.title };
}

export const agentHandler: Handler = handlerByKind('agent', byKind, probe);
