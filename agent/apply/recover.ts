// Start-up recovery: the state machine of docs/agent.md ("Recovery after a crash"). It clears a lock left by
// a dead agent, removes temp files and unfinished backups, and ends the journalled operation: files are put
// back byte for byte from the operation's backup, the server is reloaded whenever it may have seen the new
// files, `applied` says again what it said before, and the journal ends `interrupted` or `rolled_back`.
// Files are only ever old or new, never torn, because every write was temp + rename.

import { dirname } from 'node:path';
import type { AgentContext } from '../context.js';
import { readIdentity } from '../host.js';
import { removeStaleTemps } from '../state/atomic-write.js';
import type { JournalEntry, JournalPhase } from '../state/state-dir.js';
import { waitForServer } from './restart.js';
import { reloadServer, restoreBackup, validateRestored } from './restore.js';

export interface RecoveryReport {
  readonly interrupted: JournalEntry | null;
  readonly restored: boolean;
  readonly reloaded: boolean;
  readonly result: string | null;
  readonly removedTemps: readonly string[];
  /** Why a lock file was cleared (dead, zombie or recycled holder; empty file), or null. */
  readonly clearedLock: string | null;
}

/** Phases after which the server may have read the new files: recovery reloads after restoring them. */
const MAY_HAVE_RELOADED: readonly JournalPhase[] = ['altered', 'reloaded', 'verified'];
/** Phases in which the operation had changed, or may have changed, the files. */
const FILES_IN_FLIGHT: readonly JournalPhase[] = ['backed_up', 'written', 'validated', ...MAY_HAVE_RELOADED];

export async function recoverInterrupted(ctx: AgentContext): Promise<RecoveryReport> {
  const clearedLock = await ctx.state.clearStaleLock();
  await ctx.state.removeUnfinishedBackups();
  const journal = await ctx.state.readJournal();
  let online = true;
  let hbaDir: string | null = ctx.config.paths.hbaFile ? dirname(ctx.config.paths.hbaFile) : null;
  let dataDir: string | null = ctx.config.paths.dataDirectory ?? null;
  try {
    const identity = await readIdentity(ctx.db, ctx.config);
    hbaDir ??= dirname(identity.hbaFile);
    dataDir ??= dirname(identity.autoConfFile);
  } catch {
    online = false;
  }
  const removedTemps = [
    ...(hbaDir ? await removeStaleTemps(hbaDir) : []),
    ...(dataDir && dataDir !== hbaDir ? await removeStaleTemps(dataDir) : []),
    ...(await removeStaleTemps(ctx.state.root)),
  ];
  const report = { removedTemps, clearedLock, restored: false, reloaded: false };
  if (!journal || journal.phase === 'done' || journal.phase === 'aborted') {
    return { ...report, interrupted: null, result: null };
  }
  const end = async (result: string, extra: Record<string, unknown> = {}) => {
    await ctx.state.journal({ ...journal, phase: 'aborted', result });
    await ctx.state.audit({
      operationId: journal.operationId,
      kind: journal.kind,
      result,
      phase: journal.phase,
      ...extra,
    });
  };

  if (journal.kind === 'restart') {
    // The restart command may still be bringing the server back (it outlives the agent): wait as the
    // operation would have. The agent never starts PostgreSQL on its own: if it stays down, an operator decides.
    const restart = ctx.config.restart;
    const up =
      journal.phase === 'begin' ||
      online ||
      (restart !== null && (await waitForServer(ctx, restart.timeoutSeconds * 1000)));
    const result = up ? 'interrupted' : 'needs_attention';
    await end(result);
    return { ...report, interrupted: journal, result };
  }

  if (!FILES_IN_FLIGHT.includes(journal.phase) || journal.backupId === null) {
    // Locked and journalled, nothing written yet (fence operations keep their own block: see roles.ts).
    await end('interrupted');
    return { ...report, interrupted: journal, result: 'interrupted' };
  }
  const backup = await ctx.state.readBackup(journal.backupId);
  const reload = online && MAY_HAVE_RELOADED.includes(journal.phase);
  let restored: boolean;
  try {
    // The saved bytes go back whatever PostgreSQL thinks of them (they are what it ran before the
    // operation); it validates them before the reload, and a rejected file is never reloaded.
    restored = await restoreBackup(ctx, backup, 'offline');
    if (reload) {
      await validateRestored(ctx, backup.manifest);
      await reloadServer(ctx);
    }
  } catch (error) {
    await end('needs_attention', { restoredFrom: journal.backupId, error: (error as Error).message });
    return { ...report, interrupted: journal, result: 'needs_attention' };
  }
  await ctx.state.restoreApplied(backup.manifest);
  await ctx.state.recordAfter(backup.manifest, null);
  // rolled_back: the server had (or may have had) the change and was put back; interrupted: it never saw it.
  const result = MAY_HAVE_RELOADED.includes(journal.phase) ? 'rolled_back' : 'interrupted';
  await end(result, { restoredFrom: journal.backupId, reloaded: reload });
  return { ...report, interrupted: journal, restored, reloaded: reload, result };
}
