// POST /v1/plans/{id}/apply: lock → re-plan and compare the fingerprint → journal → backup → write the
// hba block atomically → PostgreSQL validates it → ALTER SYSTEM → pg_file_settings validates → reload →
// verify (fresh login, effective values) → done. Any failure before the reload restores the backup
// and never signals the server; a failure after it restores, reloads again, and says rolledBack.

import type { AgentReply } from '../../contracts/agent-api/routes.js';
import type { AgentContext, Principal } from '../context.js';
import { AgentError, toAgentError } from '../errors.js';
import { normaliseFileValue, type SettingRow } from '../pg/guc.js';
import { pendingRestartSql } from '../pg/sql.js';
import { atomicWrite } from '../state/atomic-write.js';
import type { JournalPhase } from '../state/state-dir.js';
import { step } from './checkpoint.js';
import { underLock } from './operation.js';
import { type AgentPlan, computePlan } from './plan.js';
import { fileHashes, reloadServer, restoreBackup } from './restore.js';
import { validateFileSettings, validateHbaOnServer } from './validate.js';

export { validateHbaOnServer } from './validate.js';

/** The apply answer (contracts/agent-api/responses.ts, applyResponse). */
export type ApplyResult = AgentReply<'apply'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reload-context values as pg_settings shows them, polled briefly: a reload is asynchronous. */
async function awaitReloadValues(
  ctx: AgentContext,
  expected: ReadonlyMap<string, string>,
): Promise<Record<string, string>> {
  let seen: Record<string, { setting: string; source: string }> = {};
  const wrong = () => [...expected].filter(([name, value]) => seen[name]?.setting !== value);
  for (let attempt = 0; attempt < 50; attempt++) {
    const rows = await ctx.db.query<{ name: string; setting: string; source: string }>(
      'SELECT name, setting, source FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])',
      [[...expected.keys()]],
    );
    seen = Object.fromEntries(rows.map((r) => [r.name, { setting: r.setting, source: r.source }]));
    const missing = wrong();
    if (missing.length === 0) return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    // A value from a stronger source (command line, role, database) will never yield to the file.
    if (missing.every(([name]) => !['default', 'configuration file'].includes(seen[name]?.source ?? 'default'))) break;
    await sleep(100);
  }
  const missing = wrong();
  throw new AgentError(
    'VERIFY_FAILED',
    `after the reload ${missing.map(([n, v]) => `${n} is ${seen[n]?.setting} (from ${seen[n]?.source}), not ${v}`).join('; ')}`,
    {
      details: missing.map(([name, value]) => ({
        name,
        expected: value,
        actual: seen[name]?.setting ?? null,
        source: seen[name]?.source ?? null,
      })),
    },
  );
}

/** pending_restart flips only once the postmaster has processed the reload: poll for the expected names. */
async function awaitPending(ctx: AgentContext, expected: readonly string[]): Promise<string[]> {
  let names: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    names = await pendingRestartNames(ctx);
    if (expected.every((n) => names.includes(n))) return names;
    await sleep(100);
  }
  return names;
}

/**
 * Settings waiting for a restart. PostgreSQL never clears pending_restart when a file change is reverted
 * before the restart (the "sticky pending restart" Patroni users hit), so a flagged setting counts only
 * while what the files say (or the built-in default, when no file sets it) differs from the running value.
 */
export async function pendingRestartNames(ctx: AgentContext): Promise<string[]> {
  const rows = await ctx.db.query<SettingRow & { file_value: string | null }>(pendingRestartSql);
  return rows
    .filter((row) => {
      const wanted = row.file_value === null ? row.boot_val : normaliseFileValue(row, row.file_value);
      return wanted === null || wanted !== row.setting;
    })
    .map((row) => row.name);
}

export async function applyPlan(
  ctx: AgentContext,
  planId: string,
  body: { planHash: string; baseFingerprint?: string; reason?: string },
  principal: Principal,
): Promise<ApplyResult> {
  const stored = ctx.plans.get(planId);
  if (!stored)
    throw new AgentError(
      'PLAN_NOT_FOUND',
      `no plan '${planId}' (plans live ${ctx.config.limits.planTtlSeconds}s and not across agent restarts)`,
    );
  if (Date.now() > stored.expiresAt)
    throw new AgentError(
      'PLAN_EXPIRED',
      `plan '${planId}' expired at ${new Date(stored.expiresAt).toISOString()}; make a new plan (POST /v1/plans) and apply that`,
    );
  const planned = stored.internals.plan;
  if (
    body.planHash !== planned.planHash ||
    (body.baseFingerprint !== undefined && body.baseFingerprint !== planned.baseFingerprint)
  ) {
    throw new AgentError('PLAN_HASH_MISMATCH', `planHash ${body.planHash} is not the hash of plan '${planId}'`, {
      details: [{ expected: planned.planHash, got: body.planHash }],
    });
  }
  const audit = {
    kind: 'apply',
    principal: principal.tokenId,
    planHash: planned.planHash,
    bundleHash: planned.bundleHash,
    reason: body.reason ?? null,
  };
  return underLock(
    ctx,
    audit,
    async (operationId, record) => {
      const fresh = await computePlan(ctx.db, ctx.config, stored.internals.bundle);
      if (fresh.plan.baseFingerprint !== planned.baseFingerprint || fresh.plan.planHash !== planned.planHash) {
        throw new AgentError('DRIFT', 'the host changed since the plan was made; make a new plan', {
          details: [{ planned: planned.baseFingerprint, now: fresh.plan.baseFingerprint }],
        });
      }
      const result = await applyFresh(ctx, fresh.plan, fresh, operationId);
      ctx.counters.apply[result.result] += 1;
      await ctx.state.audit({
        ...record,
        result: result.result,
        backupId: result.backupId,
        changes: planned.changes.settings.map((c) => `${c.name}: ${c.from} -> ${c.to}`),
        hbaChanged: planned.changes.hba.changed,
      });
      return result;
    },
    (error) => {
      ctx.counters.apply[error.rolledBack ? 'rolled_back' : 'rejected'] += 1;
    },
  );
}

async function applyFresh(
  ctx: AgentContext,
  plan: AgentPlan,
  internals: Awaited<ReturnType<typeof computePlan>>,
  operationId: string,
): Promise<ApplyResult> {
  const { identity } = internals;
  const v = identity.serverVersionNum;
  const record = async () =>
    ctx.state.writeApplied({
      bundleId: internals.bundle.bundleId,
      bundleHash: plan.bundleHash,
      planHash: plan.planHash,
      at: new Date().toISOString(),
      operationId,
      slots: internals.bundle.slots.map((s) => s.name),
    });
  if (plan.noop) {
    await record();
    return {
      result: 'noop',
      changed: false,
      operationId,
      backupId: null,
      reloaded: false,
      restartRequired: plan.requires.restart,
      restarted: false,
      pendingRestart: plan.restartPending,
      planHash: plan.planHash,
      verify: { reconnect: 'skipped', reloadApplied: {}, unexpectedPendingRestart: [] },
    };
  }
  const journal = (phase: JournalPhase, backupId: string | null, result?: string) =>
    step(ctx, {
      operationId,
      kind: 'apply',
      phase,
      planHash: plan.planHash,
      backupId,
      ...(result ? { result } : {}),
    });
  await journal('begin', null);
  const manifest = await ctx.state.backup(
    operationId,
    plan.planHash,
    v,
    [
      { role: 'hba', path: identity.hbaFile },
      { role: 'autoConf', path: identity.autoConfFile },
    ],
    { kind: 'apply' },
  );
  const backup = await ctx.state.readBackup(manifest.backupId);
  await journal('backed_up', manifest.backupId);
  let reloaded = false;
  const undo = async (error: unknown): Promise<never> => {
    const agentError = toAgentError(error);
    try {
      // The saved bytes are what the server ran before: no validation stands in their way.
      await restoreBackup(ctx, backup, 'offline');
      if (reloaded) await reloadServer(ctx);
    } catch (restoreError) {
      await journal('aborted', manifest.backupId, 'needs_attention');
      throw new AgentError(
        'NEEDS_ATTENTION',
        `${agentError.message}; restoring backup ${manifest.backupId} also failed: ${(restoreError as Error).message}`,
        {
          changed: true,
          details: [{ backupId: manifest.backupId }],
        },
      );
    }
    await journal('aborted', manifest.backupId, 'rolled_back');
    throw new AgentError(agentError.code, agentError.message, {
      details: agentError.details,
      changed: false,
      ...(reloaded ? { rolledBack: true } : {}),
    });
  };
  try {
    if (plan.changes.hba.changed) await atomicWrite(identity.hbaFile, internals.candidateHba);
    await journal('written', manifest.backupId);
    await validateHbaOnServer(ctx, v);
    await journal('validated', manifest.backupId);
    if (plan.changes.settings.length > 0) {
      await ctx.db.withClient(async (client) => {
        // One statement per call in autocommit: ALTER SYSTEM cannot run inside a transaction block.
        for (const change of plan.changes.settings) {
          try {
            await client.query(change.sql);
          } catch (error) {
            throw new AgentError('INVALID_VALUE', `${change.name}: ${(error as Error).message}`, {
              details: [{ name: change.name, value: change.to }],
            });
          }
        }
      });
    }
    await validateFileSettings(
      ctx,
      identity.autoConfFile,
      plan.changes.settings.map((c) => c.name),
    );
    // Journalled before the reload: a crash between the two must be taken as reloaded (recovery reloads again).
    await journal('altered', manifest.backupId);
  } catch (error) {
    return undo(error);
  }
  let verify: ApplyResult['verify'];
  let pendingRestart: string[];
  try {
    await ctx.db.query('SELECT pg_catalog.pg_reload_conf()');
    reloaded = true;
    await journal('reloaded', manifest.backupId);
    try {
      await ctx.db.withClient(async (c) => c.query('SELECT 1'));
    } catch (error) {
      throw new AgentError(
        'LOCKOUT_PREVENTED',
        `the agent could not log in after the reload: ${(error as Error).message}`,
      );
    }
    const reloadExpected = new Map(
      [...internals.desired]
        .filter(([, d]) => d.context !== 'postmaster' && d.context !== 'internal')
        .map(([name, d]) => [name, d.normalised]),
    );
    const reloadApplied = await awaitReloadValues(ctx, reloadExpected);
    pendingRestart = await awaitPending(ctx, plan.restartPending);
    const expectedPending = new Set(plan.restartPending);
    verify = {
      reconnect: 'ok',
      reloadApplied,
      unexpectedPendingRestart: pendingRestart.filter((n) => !expectedPending.has(n)),
    };
    await journal('verified', manifest.backupId);
  } catch (error) {
    return undo(error);
  }
  await ctx.state.recordAfter(manifest, await fileHashes({ hba: identity.hbaFile, autoConf: identity.autoConfFile }));
  await record();
  await journal('done', manifest.backupId, 'applied');
  return {
    result: 'applied',
    changed: true,
    operationId,
    backupId: manifest.backupId,
    reloaded: true,
    restartRequired: pendingRestart.length > 0,
    restarted: false,
    pendingRestart,
    planHash: plan.planHash,
    verify,
  };
}
