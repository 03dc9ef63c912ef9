// Start-up recovery: an operation interrupted before its reload (agent killed, host rebooted) is undone
// from its backup, leftover temp files are removed, and the journal says `interrupted`. Files are only
// ever old or new, never torn, because every write was temp + rename.

import { dirname } from 'node:path';
import type { AgentContext } from '../context.js';
import { readIdentity } from '../host.js';
import { removeStaleTemps } from '../state/atomic-write.js';
import type { JournalEntry } from '../state/state-dir.js';
import { restoreBackup } from './restore.js';

export interface RecoveryReport {
  readonly interrupted: JournalEntry | null;
  readonly restored: boolean;
  readonly removedTemps: readonly string[];
}

export async function recoverInterrupted(ctx: AgentContext): Promise<RecoveryReport> {
  const journal = await ctx.state.readJournal();
  let hbaDir: string | null = ctx.config.paths.hbaFile ? dirname(ctx.config.paths.hbaFile) : null;
  let online = true;
  try {
    const identity = await readIdentity(ctx.db, ctx.config);
    hbaDir ??= dirname(identity.hbaFile);
  } catch {
    online = false;
  }
  const removedTemps = hbaDir ? await removeStaleTemps(hbaDir) : [];
  if (journal?.phase === 'restarting') {
    // The agent died while PostgreSQL restarted. It never starts the server on its own: if the server
    // is down, an operator decides (status shows needs_attention); if it is up, the restart finished.
    const result = online ? 'interrupted_restart_server_up' : 'needs_attention';
    await ctx.state.journal({ ...journal, phase: 'aborted', result });
    await ctx.state.audit({ operationId: journal.operationId, kind: journal.kind, result });
    return { interrupted: journal, restored: false, removedTemps };
  }
  if (!journal || !['begin', 'backed_up', 'written'].includes(journal.phase)) {
    return { interrupted: null, restored: false, removedTemps };
  }
  let restored = false;
  if (journal.backupId) {
    const backup = await ctx.state.readBackup(journal.backupId);
    await restoreBackup(ctx, backup, online ? 'online' : 'offline');
    restored = true;
  }
  await ctx.state.journal({ ...journal, phase: 'aborted', result: 'interrupted' });
  await ctx.state.audit({
    operationId: journal.operationId,
    kind: journal.kind,
    result: 'interrupted',
    restoredFrom: journal.backupId,
  });
  return { interrupted: journal, restored, removedTemps };
}
