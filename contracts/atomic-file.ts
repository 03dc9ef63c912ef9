// Crash-safe file replacement, the one implementation behind the agent's state and config writes, the
// executor's journal and approvals, verify's checkpoints and the CLI's output files: a temp file next to
// the target (dot-prefixed and not ending in .conf, so PostgreSQL's include_dir never reads it), fsync,
// rename (or a hard link that refuses an existing name), fsync of the directory. A crash leaves the old
// file or the new one, never half of either; a leftover temp file is found again by its marker.
// Errors are the file system's own (errno codes): each caller says what they mean in its own terms.

import { randomBytes } from 'node:crypto';
import { link, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TEMP_MARKER = '.pgferry-';

/** `.<name>.pgferry-<pid>-<random>.tmp` beside the target. */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** The pid of the process that wrote a temp file of ours, from its name; null when the name is not one. */
export function tempWriterPid(name: string): number | null {
  const match = /^\..*\.pgferry-(\d+)-[0-9a-f]+\.tmp$/.exec(name);
  return match === null ? null : Number(match[1]);
}

export interface ReplaceOptions {
  /** Mode of a new file; a replaced file keeps its own mode and owner. Default 0600. */
  readonly mode?: number;
  /** Refuse when the target exists (EEXIST) instead of replacing it. */
  readonly exclusive?: boolean;
}

/** Writes `content` to `target` whole or not at all. A symlinked target keeps its link. */
export async function replaceFile(
  target: string,
  content: string | Uint8Array,
  options: ReplaceOptions = {},
): Promise<void> {
  const real = await realpath(target).catch(() => target);
  const before = options.exclusive ? null : await stat(real).catch(() => null);
  const temp = tempPathFor(real);
  try {
    const handle = await open(temp, 'wx', before ? before.mode & 0o7777 : (options.mode ?? 0o600));
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
    if (options.exclusive) {
      await link(temp, real);
      await unlink(temp);
    } else await rename(temp, real);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
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
  const stale = names.filter((name) => tempWriterPid(name) !== null);
  for (const name of stale) await unlink(join(dir, name)).catch(() => undefined);
  return stale;
}
