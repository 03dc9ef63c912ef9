// One run per plan at a time: a lock file holding pid and host, created with O_EXCL. A lock left by a
// process that no longer exists on this host is stale and taken over; one from another host is not
// (we cannot tell whether it is alive), and the message says how to remove it.

import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { processAlive } from '../contracts/process.js';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export class LockHeldError extends Error {
  constructor(file: string, owner: LockOwner) {
    super(
      `another pgferry run holds ${file} (pid ${owner.pid} on ${owner.host} since ${owner.since}); ` +
        `wait for it, or remove the file if that process is gone`,
    );
    this.name = 'LockHeldError';
  }
}

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireLock(file: string, now: Date = new Date()): Promise<HeldLock> {
  await mkdir(dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), since: now.toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.sync();
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(file);
      const stale = owner === null || (owner.host === me.host && !processAlive(owner.pid));
      if (!stale) throw new LockHeldError(file, owner);
      await unlink(file).catch(() => undefined);
    }
  }
  throw new Error(`could not take the lock ${file}: another run took it meanwhile; wait for it, then run again`);
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '?') };
  } catch {
    return null;
  }
}
