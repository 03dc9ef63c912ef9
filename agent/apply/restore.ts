// Putting backed-up config back, byte for byte: the saved bytes of pg_hba.conf and postgresql.auto.conf
// are written atomically (never replayed through ALTER SYSTEM, which would reorder the file). Online,
// PostgreSQL validates them (pg_hba_file_rules, pg_file_settings) before anyone reloads; a restore it
// rejects puts back what was there. The caller reloads: it knows whether the server saw the change.

import { readFile } from 'node:fs/promises';
import { sha256 } from '../../contracts/canonical-json.js';
import type { AgentContext } from '../context.js';
import { AgentError } from '../errors.js';
import { readText } from '../host.js';
import { atomicWrite } from '../state/atomic-write.js';
import type { BackupFile, BackupManifest } from '../state/state-dir.js';
import { validateFileSettings, validateHbaOnServer } from './validate.js';

export interface RestoreSource {
  readonly manifest: BackupManifest;
  content(role: BackupFile['role']): Promise<Buffer>;
}

/** Returns whether any file was written (false: the files already held the backup's bytes). */
export async function restoreBackup(
  ctx: AgentContext,
  source: RestoreSource,
  mode: 'online' | 'offline',
): Promise<boolean> {
  const replaced: { path: string; bytes: Buffer | null }[] = [];
  for (const file of source.manifest.files) {
    const bytes = await source.content(file.role);
    if (sha256(bytes) !== file.sha256) {
      throw new AgentError('INTERNAL', `backup ${source.manifest.backupId} of ${file.path} does not verify`);
    }
    const current = await readFile(file.path).catch(() => null);
    if (current !== null && sha256(current) === file.sha256) continue;
    await atomicWrite(file.path, bytes);
    replaced.push({ path: file.path, bytes: current });
  }
  if (mode === 'online' && replaced.length > 0) {
    try {
      await validateRestored(ctx, source.manifest);
    } catch (error) {
      for (const { path, bytes } of replaced.reverse()) if (bytes !== null) await atomicWrite(path, bytes);
      throw error;
    }
  }
  return replaced.length > 0;
}

/** PostgreSQL reads the files as they are now and finds no error in them. */
export async function validateRestored(ctx: AgentContext, manifest: BackupManifest): Promise<void> {
  const autoConf = manifest.files.find((f) => f.role === 'autoConf');
  await validateHbaOnServer(ctx, await ctx.db.serverVersionNum());
  if (autoConf) await validateFileSettings(ctx, autoConf.path, []);
}

export async function fileHashes(paths: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [role, path] of Object.entries(paths)) out[role] = sha256(await readText(path));
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reload, wait until a fresh session runs the reloaded config (the signal is asynchronous), and prove a
 * fresh login still works. Used where the server must agree with restored files before anything else.
 */
export async function reloadServer(ctx: AgentContext): Promise<void> {
  const loadTime = 'SELECT pg_catalog.pg_conf_load_time()::text AS t';
  const before = (await ctx.db.query<{ t: string }>(loadTime))[0]!.t;
  await ctx.db.query('SELECT pg_catalog.pg_reload_conf()');
  for (let attempt = 0; attempt < 50; attempt++) {
    const now = await ctx.db.withClient(async (c) => (await c.query<{ t: string }>(loadTime)).rows[0]!.t);
    if (now !== before) return;
    await sleep(100);
  }
}
