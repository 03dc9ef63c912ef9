// Runs a CLI command (`pgferry diff` by default) in-process with captured output.

import { command as diffCommand } from '../../../cli/commands/diff.js';
import type { CliCommand, CliIo } from '../../../cli/io.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCommand(
  command: CliCommand,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd,
    env,
    isTTY: false,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

export function runDiff(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  return runCommand(diffCommand, args, cwd, env);
}
