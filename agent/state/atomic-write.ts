// The agent's crash-safe file replacement: contracts/atomic-file.ts (shared with the executor, verify
// and the CLI), with the file system's errors turned into the agent's error envelope codes.

import { replaceFile } from '../../contracts/atomic-file.js';
import { AgentError } from '../errors.js';

export { fsyncDir, removeStaleTemps, TEMP_MARKER, tempPathFor } from '../../contracts/atomic-file.js';

export async function atomicWrite(target: string, content: string | Uint8Array): Promise<void> {
  try {
    await replaceFile(target, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new AgentError('INSUFFICIENT_STORAGE', `no space left to write ${target}`);
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
      throw new AgentError('INTERNAL', `${target} is not writable by the agent: ${(error as Error).message}`);
    }
    throw error;
  }
}
