// The agent's state directory: the operation lock, the journal of the current operation, backups taken
// before each change, the audit log and the record of the last applied bundle. Mode 0700, outside PGDATA.

import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../../contracts/canonical-json.js';
import { processAlive } from '../../contracts/process.js';
import { AgentError } from '../errors.js';
import { atomicWrite } from './atomic-write.js';

export type JournalPhase = 'begin' | 'backed_up' | 'written' | 'reloaded' | 'restarting' | 'done' | 'aborted';

export interface JournalEntry {
  readonly operationId: string;
  readonly kind: 'apply' | 'rollback' | 'restart' | 'fence' | 'unfence';
  readonly phase: JournalPhase;
  readonly planHash: string | null;
  readonly backupId: string | null;
  readonly at: string;
  readonly result?: string;
}

export interface BackupFile {
  readonly role: 'hba' | 'autoConf';
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface BackupManifest {
  readonly backupId: string;
  readonly createdAt: string;
  readonly operationId: string;
  readonly planHash: string | null;
  readonly serverVersionNum: number;
  readonly files: readonly BackupFile[];
  /** sha256 of each file right after the agent's change; a rollback refuses if they moved since. */
  readonly after: Readonly<Record<string, string>> | null;
}

export interface AppliedRecord {
  readonly bundleId: string;
  readonly bundleHash: string;
  readonly planHash: string;
  readonly at: string;
  readonly operationId: string;
  readonly slots: readonly string[];
}

export function newId(prefix: string): string {
  const time = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  return `${prefix}_${time}_${randomBytes(4).toString('hex')}`;
}

export class StateDir {
  readonly root: string;
  private held: string | null = null;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, 'backups'), { recursive: true, mode: 0o700 });
  }

  private get lockPath() {
    return join(this.root, 'lock');
  }

  /** One mutating operation at a time, across processes too (the file outlives a PostgreSQL restart). */
  async acquire(operationId: string): Promise<void> {
    if (this.held !== null)
      throw new AgentError(
        'LOCKED',
        `another operation holds the lock: ${this.held}; wait for it (GET /v1/operations/${this.held}) and retry`,
        { details: [{ holder: this.held }] },
      );
    this.held = operationId;
    try {
      const handle = await open(this.lockPath, 'wx', 0o600);
      await handle.writeFile(JSON.stringify({ pid: process.pid, operationId, at: new Date().toISOString() }));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        this.held = null;
        throw error;
      }
      const holder = readLockHolder(await readFile(this.lockPath, 'utf8').catch(() => ''));
      if (holder.pid !== undefined && holder.pid !== process.pid && !processAlive(holder.pid)) {
        // The holder died: its journal decides what recovery does; the lock itself is free.
        await unlink(this.lockPath).catch(() => undefined);
        this.held = null;
        return this.acquire(operationId);
      }
      this.held = null;
      if (holder.operationId === undefined) {
        // Empty or torn: an agent died between creating the file and writing it (or one is doing so now).
        throw new AgentError(
          'LOCKED',
          `the operation lock ${this.lockPath} names no operation; if no agent operation is running, remove the file and retry`,
          { details: [{ holder: null, lockFile: this.lockPath }] },
        );
      }
      throw new AgentError(
        'LOCKED',
        `another operation holds the lock: ${holder.operationId}; wait for it (GET /v1/operations/${holder.operationId}) and retry`,
        { details: [{ holder: holder.operationId }] },
      );
    }
  }

  async release(): Promise<void> {
    if (this.held === null) return;
    this.held = null;
    await unlink(this.lockPath).catch(() => undefined);
  }

  get lockHolder(): string | null {
    return this.held;
  }

  async journal(entry: Omit<JournalEntry, 'at'>): Promise<void> {
    await atomicWrite(join(this.root, 'journal.json'), canonicalJson({ ...entry, at: new Date().toISOString() }));
  }

  async readJournal(): Promise<JournalEntry | null> {
    const text = await readFile(join(this.root, 'journal.json'), 'utf8').catch(() => null);
    return text === null ? null : (JSON.parse(text) as JournalEntry);
  }

  async backup(
    operationId: string,
    planHash: string | null,
    serverVersionNum: number,
    files: readonly { role: BackupFile['role']; path: string }[],
  ): Promise<BackupManifest> {
    const backupId = newId('bk');
    const dir = join(this.root, 'backups', backupId);
    await mkdir(dir, { mode: 0o700 });
    const entries: BackupFile[] = [];
    for (const file of files) {
      const bytes = await readFile(file.path);
      const info = await stat(file.path);
      await writeFile(join(dir, file.role), bytes, { mode: 0o600 });
      entries.push({
        role: file.role,
        path: file.path,
        sha256: sha256(bytes),
        size: bytes.length,
        mode: info.mode & 0o7777,
        uid: info.uid,
        gid: info.gid,
      });
    }
    const manifest: BackupManifest = {
      backupId,
      createdAt: new Date().toISOString(),
      operationId,
      planHash,
      serverVersionNum,
      files: entries,
      after: null,
    };
    await atomicWrite(join(dir, 'manifest.json'), canonicalJson(manifest));
    // Re-read to prove the copy is good before anything is changed.
    for (const file of entries) {
      if (sha256(await readFile(join(dir, file.role))) !== file.sha256)
        throw new AgentError('INTERNAL', `backup of ${file.path} does not verify`);
    }
    return manifest;
  }

  async recordAfter(manifest: BackupManifest, after: Record<string, string>): Promise<void> {
    await atomicWrite(
      join(this.root, 'backups', manifest.backupId, 'manifest.json'),
      canonicalJson({ ...manifest, after }),
    );
  }

  async readBackup(
    backupId: string,
  ): Promise<{ manifest: BackupManifest; content: (role: BackupFile['role']) => Promise<Buffer> }> {
    if (!/^bk_[0-9TZ]+_[0-9a-f]{8}$/.test(backupId))
      throw new AgentError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
    const dir = join(this.root, 'backups', backupId);
    const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => null);
    if (text === null) throw new AgentError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
    return { manifest: JSON.parse(text) as BackupManifest, content: (role) => readFile(join(dir, role)) };
  }

  async listBackups(): Promise<BackupManifest[]> {
    const names = (await readdir(join(this.root, 'backups')).catch(() => [] as string[])).sort();
    const out: BackupManifest[] = [];
    for (const name of names) {
      const text = await readFile(join(this.root, 'backups', name, 'manifest.json'), 'utf8').catch(() => null);
      if (text !== null) out.push(JSON.parse(text) as BackupManifest);
    }
    return out;
  }

  async writeApplied(record: AppliedRecord): Promise<void> {
    await atomicWrite(join(this.root, 'applied.json'), canonicalJson(record));
  }

  async readApplied(): Promise<AppliedRecord | null> {
    const text = await readFile(join(this.root, 'applied.json'), 'utf8').catch(() => null);
    return text === null ? null : (JSON.parse(text) as AppliedRecord);
  }

  /** One JSON object per line, fsynced: refusals are recorded as well as changes. Never holds secrets. */
  async audit(record: Record<string, unknown>): Promise<void> {
    const path = join(this.root, 'audit.log');
    await appendFile(path, `${JSON.stringify({ ts: new Date().toISOString(), ...record })}\n`, { mode: 0o600 });
    const handle = await open(path, 'r');
    await handle.sync().finally(() => handle.close());
  }

  async readAudit(limit: number): Promise<Record<string, unknown>[]> {
    const text = await readFile(join(this.root, 'audit.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .slice(-limit)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** The lock file's content; an empty or torn file gives no holder rather than an exception. */
function readLockHolder(text: string): { pid?: number; operationId?: string } {
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; operationId?: unknown };
    return {
      ...(typeof parsed.pid === 'number' ? { pid: parsed.pid } : {}),
      ...(typeof parsed.operationId === 'string' ? { operationId: parsed.operationId } : {}),
    };
  } catch {
    return {};
  }
}
