// Consented restarts and rollbacks. A restart runs only the argv pinned in the agent config (execFile,
// never a shell), waits until PostgreSQL accepts connections, and verifies that nothing is left pending.
// If the server does not come back, the last backup is restored offline and the server started again.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { sha256 } from '../../contracts/canonical-json.js';
import type { AgentContext, Principal } from '../context.js';
import { AgentError } from '../errors.js';
import { readIdentity, readText } from '../host.js';
import { slotCountsSql } from '../pg/sql.js';
import type { JournalPhase } from '../state/state-dir.js';
import { pendingRestartNames, validateHbaOnServer } from './apply.js';
import { step } from './checkpoint.js';
import { underLock } from './operation.js';
import { fileHashes, reloadServer, restoreBackup, validateRestored } from './restore.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runCommand(argv: readonly string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.slice(-4000) });
    });
  });
}

export async function waitForServer(ctx: AgentContext, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await ctx.db.withClient(async (c) => c.query('SELECT 1'));
      return true;
    } catch {
      await sleep(200);
    }
  }
  return false;
}

async function logTail(ctx: AgentContext): Promise<string[]> {
  const path = ctx.config.paths.serverLog;
  if (!path) return [];
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(-50);
}

export interface RestartRequest {
  readonly confirm: boolean;
  readonly reason?: string;
  readonly onlyIfPendingRestart?: boolean;
  readonly acknowledgeReplicationInterruption?: boolean;
  readonly expectedPostmasterStartTime?: string;
}

export async function restartServer(ctx: AgentContext, body: RestartRequest, principal: Principal) {
  const restart = ctx.config.restart;
  if (!restart?.allowed)
    throw new AgentError(
      'RESTART_NOT_ALLOWED',
      `the agent config ${restart ? 'sets restart.allowed: false' : 'has no restart section'}; restart PostgreSQL by hand, or give the agent restart.command and restart.allowed: true`,
    );
  if (body.confirm !== true) throw new AgentError('CONFIRMATION_REQUIRED', 'a restart needs "confirm": true');
  return underLock(
    ctx,
    { kind: 'restart', principal: principal.tokenId, reason: body.reason ?? null },
    async (operationId, audit) => {
      const before = await readIdentity(ctx.db, ctx.config);
      if (
        body.expectedPostmasterStartTime !== undefined &&
        body.expectedPostmasterStartTime !== before.postmasterStartTime
      ) {
        throw new AgentError(
          'PRECONDITION_FAILED',
          `the server was started at ${before.postmasterStartTime}, not ${body.expectedPostmasterStartTime}`,
        );
      }
      const pending = await pendingRestartNames(ctx);
      if (pending.length === 0 && body.onlyIfPendingRestart !== false) {
        await ctx.state.audit({ ...audit, result: 'noop' });
        return { result: 'noop' as const, changed: false, operationId, pendingRestart: [] as string[] };
      }
      const counts = (await ctx.db.query<{ slots_used: number; active_logical_slots: number }>(slotCountsSql))[0]!;
      if (counts.active_logical_slots > 0 && body.acknowledgeReplicationInterruption !== true) {
        throw new AgentError(
          'ACK_REQUIRED',
          `${counts.active_logical_slots} logical slot(s) are streaming; restarting disconnects them (set acknowledgeReplicationInterruption)`,
          {
            details: [{ activeLogicalSlots: counts.active_logical_slots }],
          },
        );
      }
      const journal = (phase: JournalPhase, result?: string) =>
        step(ctx, {
          operationId,
          kind: 'restart',
          phase,
          planHash: null,
          backupId: null,
          ...(result ? { result } : {}),
        });
      await journal('begin');
      await validateHbaOnServer(ctx, before.serverVersionNum);
      await journal('restarting');
      const timeoutMs = restart.timeoutSeconds * 1000;
      const run = await runCommand(restart.command, timeoutMs);
      ctx.db.invalidate();
      const back = run.ok && (await waitForServer(ctx, timeoutMs));
      if (!back) return await recoverFailedRestart(ctx, operationId, before, run.output, audit);
      await journal('restarted');
      const after = await readIdentity(ctx.db, ctx.config);
      const pendingAfter = await pendingRestartNames(ctx);
      const slotsAfter = (await ctx.db.query<{ slots_used: number }>(slotCountsSql))[0]!.slots_used;
      ctx.counters.restart.ok += 1;
      await journal('done', 'restarted');
      await ctx.state.audit({ ...audit, result: 'restarted', applied: pending });
      return {
        result: 'restarted' as const,
        changed: true,
        operationId,
        previousPostmasterStartTime: before.postmasterStartTime,
        postmasterStartTime: after.postmasterStartTime,
        applied: pending,
        pendingRestart: pendingAfter,
        slotsBefore: counts.slots_used,
        slotsAfter,
      };
    },
  );
}

async function recoverFailedRestart(
  ctx: AgentContext,
  operationId: string,
  before: Awaited<ReturnType<typeof readIdentity>>,
  output: string,
  audit: Record<string, unknown>,
): Promise<never> {
  ctx.counters.restart.failed += 1;
  const tail = await logTail(ctx);
  const last = await ctx.state.lastChangeBackup();
  const steps = [
    `inspect the server log${ctx.config.paths.serverLog ? ` (${ctx.config.paths.serverLog})` : ''}`,
    `restore ${before.hbaFile} and ${before.autoConfFile} from ${ctx.state.root}/backups/<latest>/`,
    `start PostgreSQL with: ${ctx.config.restart!.command.join(' ')}`,
  ];
  if (last) {
    const backup = await ctx.state.readBackup(last.backupId);
    await restoreBackup(ctx, backup, 'offline');
    // The change that backup undid is gone: `applied` and the next bare rollback must know it.
    await ctx.state.restoreApplied(last);
    await ctx.state.recordAfter(last, null);
    const again = await runCommand(ctx.config.restart!.command, ctx.config.restart!.timeoutSeconds * 1000);
    if (again.ok && (await waitForServer(ctx, ctx.config.restart!.timeoutSeconds * 1000))) {
      await ctx.state.journal({
        operationId,
        kind: 'restart',
        phase: 'aborted',
        planHash: null,
        backupId: last.backupId,
        result: 'rolled_back',
      });
      await ctx.state.audit({ ...audit, result: 'restart_failed_rolled_back', backupId: last.backupId });
      throw new AgentError(
        'RESTART_FAILED_ROLLED_BACK',
        `PostgreSQL did not come back after the restart; backup ${last.backupId} was restored and the server started again`,
        {
          changed: true,
          rolledBack: true,
          details: [{ backupId: last.backupId, commandOutput: output, logTail: tail }],
        },
      );
    }
  }
  await ctx.state.journal({
    operationId,
    kind: 'restart',
    phase: 'aborted',
    planHash: null,
    backupId: last?.backupId ?? null,
    result: 'needs_attention',
  });
  await ctx.state.audit({ ...audit, result: 'needs_attention' });
  throw new AgentError(
    'NEEDS_ATTENTION',
    'PostgreSQL did not come back after the restart and could not be recovered automatically',
    {
      changed: true,
      details: [{ commandOutput: output, logTail: tail, steps }],
    },
  );
}

export async function rollbackToBackup(
  ctx: AgentContext,
  body: { backupId?: string; force?: boolean; reason?: string },
  principal: Principal,
) {
  // Without a backupId: the backup of the last operation that changed the files (by sequence, not by clock).
  const chosen = body.backupId ?? (await ctx.state.lastChangeBackup())?.backupId;
  if (!chosen) throw new AgentError('BACKUP_NOT_FOUND', 'there is no completed change to roll back');
  const backup = await ctx.state.readBackup(chosen);
  const backupId = backup.manifest.backupId;
  return underLock(
    ctx,
    { kind: 'rollback', principal: principal.tokenId, backupId, reason: body.reason ?? null },
    async (operationId, audit) => {
      let safetyId: string | null = null;
      const journal = (phase: JournalPhase, result?: string) =>
        step(ctx, {
          operationId,
          kind: 'rollback',
          phase,
          planHash: null,
          backupId: safetyId,
          ...(result ? { result } : {}),
        });
      await journal('begin');
      const identity = await readIdentity(ctx.db, ctx.config);
      const paths = Object.fromEntries(backup.manifest.files.map((f) => [f.role, f.path]));
      const now = await fileHashes(paths);
      const after = backup.manifest.after;
      const moved = after ? Object.keys(after).filter((role) => after[role] !== now[role]) : [];
      if (moved.length > 0 && body.force !== true) {
        throw new AgentError(
          'ROLLBACK_DRIFT',
          `the files changed after the agent wrote them (${moved.join(', ')}); pass force to roll back anyway`,
          {
            details: moved.map((role) => ({ file: paths[role], expected: after?.[role], actual: now[role] })),
          },
        );
      }
      const safety = await ctx.state.backup(
        operationId,
        null,
        identity.serverVersionNum,
        backup.manifest.files.map((f) => ({ role: f.role, path: f.path })),
        { kind: 'rollback' },
      );
      safetyId = safety.backupId;
      await journal('backed_up');
      try {
        await restoreBackup(ctx, backup, 'offline');
        await journal('written');
        await validateRestored(ctx, backup.manifest);
        await journal('validated');
      } catch (error) {
        await restoreBackup(ctx, await ctx.state.readBackup(safety.backupId), 'offline');
        await journal('aborted', 'rolled_back');
        throw error;
      }
      await reloadServer(ctx);
      await journal('reloaded');
      const pendingRestart = await pendingRestartNames(ctx);
      let restored = true;
      for (const f of backup.manifest.files) if (sha256(await readText(f.path)) !== f.sha256) restored = false;
      // The rollback is itself a change: its safety backup is what the next bare rollback restores.
      await ctx.state.recordAfter(safety, await fileHashes(paths));
      await ctx.state.restoreApplied(backup.manifest);
      await journal('done', 'rolled_back');
      const undid = {
        operationId: backup.manifest.operationId,
        kind: backup.manifest.kind ?? 'apply',
        planHash: backup.manifest.planHash,
      };
      await ctx.state.audit({ ...audit, result: 'rolled_back', safetyBackupId: safety.backupId, undid });
      return {
        result: 'rolled_back' as const,
        changed: true,
        operationId,
        backupId,
        undid,
        safetyBackupId: safety.backupId,
        restored,
        applied: await ctx.state.readApplied(),
        pendingRestart,
        restartRequired: pendingRestart.length > 0,
      };
    },
  );
}
