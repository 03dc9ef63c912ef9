// The agent's state directory: the operation lock, the journal of the current operation, backups taken
// before each change, the audit log and the record of the last applied bundle. Mode 0700, outside PGDATA.

import { randomBytes } from 'node:crypto';
import { appendFile, link, mkdir, open, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../../contracts/canonical-json.js';
import { processStat, sameProcessAlive } from '../../contracts/process.js';
import { AgentError } from '../errors.js';
import { atomicWrite, fsyncDir, tempPathFor } from './atomic-write.js';

/**
 * Where an operation got to, journalled before the next step starts (docs/agent.md has the recovery table).
 * apply: begin → backed_up → written → validated → altered → reloaded → verified → done;
 * rollback: begin → backed_up → written → validated → reloaded → done; restart: begin → restarting →
 * restarted → done. `aborted` ends an operation that did not finish, with its result.
 */
export type JournalPhase =
  | 'begin'
  | 'backed_up'
  | 'written'
  | 'validated'
  | 'altered'
  | 'reloaded'
  | 'verified'
  | 'restarting'
  | 'restarted'
  | 'done'
  | 'aborted';

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
  /** Monotonic across the state directory: the order of backups, whatever the clock says. */
  readonly seq?: number;
  readonly createdAt: string;
  readonly operationId: string;
  /** The operation that took the backup before changing the files. */
  readonly kind?: 'apply' | 'rollback';
  /** What `applied.json` said before the operation: restoring this backup restores that too. */
  readonly appliedBefore?: AppliedRecord | null;
  readonly planHash: string | null;
  readonly serverVersionNum: number;
  readonly files: readonly BackupFile[];
  /**
   * sha256 of each file right after the agent's change, written when the operation completed; a rollback
   * refuses if they moved since. null while the operation runs, and for one that was undone.
   */
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

/** bk_<seq>_<time>_<hex> (bk_<time>_<hex> before sequences existed). */
const BACKUP_ID = /^bk_(?:(\d{8})_)?\d{8}T\d{6}_[0-9a-f]{8}$/;

/** Backup order: sequence first (legacy backups without one come before), then creation time and id. */
export function compareBackups(a: BackupManifest, b: BackupManifest): number {
  const bySeq = (a.seq ?? 0) - (b.seq ?? 0);
  if (bySeq !== 0) return bySeq;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0;
}

export interface LockRecord {
  readonly pid: number;
  /** /proc/<pid>/stat start time of the holder: a recycled pid is not the holder. */
  readonly startTime: string | null;
  readonly operationId: string;
  readonly at: string;
}

/** Why a lock file does not stop a new operation, or null when its holder still runs. */
export function staleLockReason(text: string): string | null {
  const holder = readLockHolder(text);
  if (holder === null) return text === '' ? 'empty lock file' : 'unreadable lock file';
  const stat = processStat(holder.pid);
  if (stat?.state === 'Z') return `holder pid ${holder.pid} is a zombie`;
  if (!sameProcessAlive(holder.pid, holder.startTime)) {
    return stat === null ? `holder pid ${holder.pid} is gone` : `pid ${holder.pid} now names another process`;
  }
  return null;
}

export class StateDir {
  readonly root: string;
  private held: string | null = null;

  constructor(root: string) {
    this.root = root;
  }

  /** Creates the directory (0700); returns why an existing one is unsafe (group or others can enter it), or null. */
  async init(): Promise<string | null> {
    await mkdir(join(this.root, 'backups'), { recursive: true, mode: 0o700 });
    const mode = (await stat(this.root)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      return `state directory ${this.root} has mode ${mode.toString(8).padStart(4, '0')}; it holds backups and the audit log: chmod 0700 ${this.root}`;
    }
    return null;
  }

  private get lockPath() {
    return join(this.root, 'lock');
  }

  /**
   * One mutating operation at a time, across processes too (the file outlives a PostgreSQL restart). The
   * lock is written whole to a temp file, fsynced and linked into place, so it is never seen empty or torn.
   */
  async acquire(operationId: string): Promise<void> {
    if (this.held !== null)
      throw new AgentError(
        'LOCKED',
        `another operation holds the lock: ${this.held}; wait for it (GET /v1/operations/${this.held}) and retry`,
        { details: [{ holder: this.held }] },
      );
    this.held = operationId;
    try {
      await this.createLock(operationId);
    } catch (error) {
      this.held = null;
      throw error;
    }
  }

  private async createLock(operationId: string): Promise<void> {
    const record: LockRecord = {
      pid: process.pid,
      startTime: processStat(process.pid)?.startTime ?? null,
      operationId,
      at: new Date().toISOString(),
    };
    const temp = tempPathFor(this.lockPath);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(record));
        await handle.sync();
      } finally {
        await handle.close();
      }
      for (let attempt = 0; ; attempt++) {
        try {
          await link(temp, this.lockPath);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw this.lockedError(error);
          const text = await readFile(this.lockPath, 'utf8').catch(() => '');
          // A dead holder's journal decides what recovery does; its lock itself is free.
          if (staleLockReason(text) === null) throw this.lockedError(text);
          await unlink(this.lockPath).catch(() => undefined);
        }
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await fsyncDir(this.root);
  }

  private lockedError(cause: unknown): unknown {
    if (typeof cause !== 'string') {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') return cause;
      return new AgentError('LOCKED', 'another operation took the lock meanwhile; retry');
    }
    const holder = readLockHolder(cause);
    const id = holder?.operationId ?? '?';
    return new AgentError(
      'LOCKED',
      `another operation holds the lock: ${id}; wait for it (GET /v1/operations/${id}) and retry`,
      { details: [{ holder: id }] },
    );
  }

  /**
   * Start-up: a lock left by an agent that died (gone, zombie, pid reused, or an empty or torn file from an
   * older agent) is removed and described; a lock whose holder still runs stops this agent from starting.
   */
  async clearStaleLock(): Promise<string | null> {
    const text = await readFile(this.lockPath, 'utf8').catch(() => null);
    if (text === null) return null;
    const reason = staleLockReason(text);
    if (reason === null) {
      const holder = readLockHolder(text)!;
      throw new AgentError(
        'LOCKED',
        `the state directory ${this.root} is in use by a running agent (pid ${holder.pid}, operation ${holder.operationId}); stop it first`,
        { details: [{ holder: holder.operationId, pid: holder.pid }] },
      );
    }
    await unlink(this.lockPath).catch(() => undefined);
    return reason;
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

  /** The next backup sequence number: one above any backup directory's, finished or not. */
  private async nextSeq(): Promise<number> {
    const names = await readdir(join(this.root, 'backups')).catch(() => [] as string[]);
    let max = 0;
    for (const name of names) max = Math.max(max, Number(BACKUP_ID.exec(name)?.[1] ?? 0));
    for (const manifest of await this.listBackups()) max = Math.max(max, manifest.seq ?? 0);
    return max + 1;
  }

  async backup(
    operationId: string,
    planHash: string | null,
    serverVersionNum: number,
    files: readonly { role: BackupFile['role']; path: string }[],
    options: { kind?: BackupManifest['kind'] } = {},
  ): Promise<BackupManifest> {
    const seq = await this.nextSeq();
    const backupId = `bk_${String(seq).padStart(8, '0')}_${newId('').slice(1)}`;
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
      seq,
      createdAt: new Date().toISOString(),
      operationId,
      kind: options.kind ?? 'apply',
      appliedBefore: await this.readApplied(),
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

  /** Completed (`after` = hashes of the changed files) or undone (`after` = null, never picked by a bare rollback). */
  async recordAfter(manifest: BackupManifest, after: Record<string, string> | null): Promise<void> {
    await atomicWrite(
      join(this.root, 'backups', manifest.backupId, 'manifest.json'),
      canonicalJson({ ...manifest, after }),
    );
  }

  async readBackup(
    backupId: string,
  ): Promise<{ manifest: BackupManifest; content: (role: BackupFile['role']) => Promise<Buffer> }> {
    if (!BACKUP_ID.test(backupId)) throw new AgentError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
    const dir = join(this.root, 'backups', backupId);
    const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => null);
    if (text === null) throw new AgentError('BACKUP_NOT_FOUND', `no backup '${backupId}'`);
    return { manifest: JSON.parse(text) as BackupManifest, content: (role) => readFile(join(dir, role)) };
  }

  /** Finished backups (those with a manifest), oldest first by sequence. */
  async listBackups(): Promise<BackupManifest[]> {
    const names = await readdir(join(this.root, 'backups')).catch(() => [] as string[]);
    const out: BackupManifest[] = [];
    for (const name of names) {
      const text = await readFile(join(this.root, 'backups', name, 'manifest.json'), 'utf8').catch(() => null);
      if (text !== null) out.push(JSON.parse(text) as BackupManifest);
    }
    return out.sort(compareBackups);
  }

  /** The backup of the last operation that changed the files and kept the change (an undone one has no `after`). */
  async lastChangeBackup(): Promise<BackupManifest | null> {
    const done = (await this.listBackups()).filter((b) => b.after !== null);
    return done[done.length - 1] ?? null;
  }

  /** Backup directories without a manifest: a backup interrupted before it was complete. */
  async removeUnfinishedBackups(): Promise<string[]> {
    const names = await readdir(join(this.root, 'backups')).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const manifest = join(this.root, 'backups', name, 'manifest.json');
      if (await stat(manifest).catch(() => null)) continue;
      await rm(join(this.root, 'backups', name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  async writeApplied(record: AppliedRecord): Promise<void> {
    await atomicWrite(join(this.root, 'applied.json'), canonicalJson(record));
  }

  async readApplied(): Promise<AppliedRecord | null> {
    const text = await readFile(join(this.root, 'applied.json'), 'utf8').catch(() => null);
    return text === null ? null : (JSON.parse(text) as AppliedRecord);
  }

  /** After a restore: `applied` says again what it said when the backup was taken (legacy backups: unchanged). */
  async restoreApplied(manifest: BackupManifest): Promise<void> {
    if (manifest.appliedBefore === undefined) return;
    if (manifest.appliedBefore === null) await unlink(join(this.root, 'applied.json')).catch(() => undefined);
    else await this.writeApplied(manifest.appliedBefore);
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
function readLockHolder(text: string): LockRecord | null {
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (typeof parsed.pid !== 'number' || typeof parsed.operationId !== 'string') return null;
    return {
      pid: parsed.pid,
      startTime: typeof parsed.startTime === 'string' ? parsed.startTime : null,
      operationId: parsed.operationId,
      at: String(parsed.at ?? ''),
    };
  } catch {
    return null;
  }
}
