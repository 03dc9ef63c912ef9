// Writes a command's output file whole or not at all: a temp file beside it, then a rename (or, when
// the file must not be replaced, a hard link that fails if the name exists). A crash or an error
// leaves either the previous file or nothing, never half a snapshot or half a plan.

import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export class FileExistsError extends Error {}

export async function writeFileAtomically(path: string, content: string, options: { replace: boolean }): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.pgferry-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, content, { flag: 'wx', mode: 0o644 });
  try {
    if (options.replace) await rename(temp, path);
    else {
      try {
        await link(temp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(`${path} already exists`);
        throw error;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
