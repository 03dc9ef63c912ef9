// Writes a command's output file whole or not at all: a temp file beside it, then a rename (or, when
// the file must not be replaced, a hard link that fails if the name exists). A crash or an error
// leaves either the previous file or nothing, never half a snapshot or half a plan.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceFile } from '../contracts/atomic-file.js';

export class FileExistsError extends Error {}

export async function writeFileAtomically(path: string, content: string, options: { replace: boolean }): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await replaceFile(path, content, { mode: 0o644, exclusive: !options.replace });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(`${path} already exists`);
    throw error;
  }
}
