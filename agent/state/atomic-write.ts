// Crash-safe file replacement: a temp file next to the target (dot-prefixed and not ending in .conf, so
// include_dir never reads it), fsync, rename, fsync of the directory. Owner and mode are those of the
// file being replaced; a symlinked target keeps its link and the real file is replaced.

import { randomBytes } from 'node:crypto';
import { open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AgentError } from '../errors.js';

export const TEMP_MARKER = '.pgferry-';

export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
}

export async function atomicWrite(target: string, content: string | Uint8Array): Promise<void> {
  const real = await realpath(target).catch(() => target);
  const before = await stat(real).catch(() => null);
  const temp = tempPathFor(real);
  try {
    const handle = await open(temp, 'wx', before ? before.mode & 0o7777 : 0o600);
    try {
      await handle.writeFile(content);
      if (before) {
        await handle.chown(before.uid, before.gid);
        await handle.chmod(before.mode & 0o7777);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, real);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new AgentError('INSUFFICIENT_STORAGE', `no space left to write ${real}`);
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
      throw new AgentError('INTERNAL', `${real} is not writable by the agent: ${(error as Error).message}`);
    }
    throw error;
  }
  await fsyncDir(dirname(real));
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Leftover temp files of an interrupted write (never renamed, so the target was never torn). */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => name.startsWith('.') && name.includes(TEMP_MARKER) && name.endsWith('.tmp'));
  for (const name of stale) await unlink(join(dir, name)).catch(() => undefined);
  return stale;
}
