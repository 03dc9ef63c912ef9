// Runs a pgferry command in-process, as cli/main.ts would load it, with stdout and stderr captured. Shared by
// the executor's and the logical engine's test worlds.

import type { CliCommand } from '../../../cli/io.js';

const commands: Record<string, () => Promise<{ command: CliCommand }>> = {
  apply: () => import('../../../cli/commands/apply.js'),
  status: () => import('../../../cli/commands/status.js'),
  approve: () => import('../../../cli/commands/approve.js'),
  cutover: () => import('../../../cli/commands/cutover.js'),
  abort: () => import('../../../cli/commands/abort.js'),
  cleanup: () => import('../../../cli/commands/cleanup.js'),
  verify: () => import('../../../cli/commands/verify.js'),
};

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `pgferry <command> <planFile> [gate] <flags> [args]`: approve takes its gate as a positional after the
 * plan, every other command takes `args` after the flags. Both outputs are appended to `transcript`.
 */
export async function runCommand(
  command: string,
  planFile: string,
  args: readonly string[],
  flags: readonly string[],
  io: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly transcript: string[] },
): Promise<RunResult> {
  const load = commands[command];
  if (!load) throw new Error(`no pgferry command ${command} in the test runner`);
  const positional = command === 'approve' ? [planFile, ...args] : [planFile];
  const rest = command === 'approve' ? flags : [...flags, ...args];
  let stdout = '';
  let stderr = '';
  const { command: run } = await load();
  const code = await run([...positional, ...rest], {
    cwd: io.cwd,
    env: io.env,
    isTTY: false,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  io.transcript.push(stdout, stderr);
  return { code, stdout, stderr };
}
