// Putting backed-up config back. Online, postgresql.auto.conf is only ever changed through ALTER SYSTEM
// (the docs warn a hand edit can race a concurrent ALTER SYSTEM); pg_hba.conf is replaced atomically.
// Offline (server down), both are written byte for byte.

import { readFile } from 'node:fs/promises';
import { sha256 } from '../../contracts/canonical-json.js';
import type { AgentContext } from '../context.js';
import { readText } from '../host.js';
import { alterSystemRawSql, parseAutoConf, resetSql } from '../pg/guc.js';
import { atomicWrite } from '../state/atomic-write.js';
import type { BackupFile, BackupManifest } from '../state/state-dir.js';

export interface RestoreSource {
  readonly manifest: BackupManifest;
  content(role: BackupFile['role']): Promise<Buffer>;
}

/** Makes postgresql.auto.conf say what `target` says, with ALTER SYSTEM statements only. */
export async function syncAutoConfOnline(ctx: AgentContext, autoConfPath: string, target: string): Promise<void> {
  const want = parseAutoConf(target);
  const have = parseAutoConf(await readText(autoConfPath));
  const statements: string[] = [];
  for (const name of have.keys()) if (!want.has(name)) statements.push(resetSql(name));
  for (const [name, value] of want) if (have.get(name) !== value) statements.push(alterSystemRawSql(name, value));
  if (statements.length === 0) return;
  await ctx.db.withClient(async (client) => {
    for (const sql of statements) await client.query(sql);
  });
}

export async function restoreBackup(
  ctx: AgentContext,
  source: RestoreSource,
  mode: 'online' | 'offline',
): Promise<void> {
  for (const file of source.manifest.files) {
    const bytes = await source.content(file.role);
    const current = await readFile(file.path).catch(() => null);
    if (current !== null && sha256(current) === file.sha256) continue;
    if (file.role === 'autoConf' && mode === 'online') await syncAutoConfOnline(ctx, file.path, bytes.toString('utf8'));
    else await atomicWrite(file.path, bytes);
  }
}

export async function fileHashes(paths: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [role, path] of Object.entries(paths)) out[role] = sha256(await readText(path));
  return out;
}
