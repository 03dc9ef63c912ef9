// An in-process CliIo that captures output, so commands run without spawning a process.

import { command as compile } from '../../cli/commands/compile.js';
import { command as graph } from '../../cli/commands/graph.js';
import { command as rules } from '../../cli/commands/rules.js';
import { command as validate } from '../../cli/commands/validate.js';
import type { CliCommand, CliIo } from '../../cli/io.js';

// cli/main.ts loads commands by computed path, which vitest cannot follow to .ts sources, so tests
// dispatch to the command modules directly (the same functions main() calls).
const commands: Record<string, CliCommand> = { compile, graph, rules, validate };

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function run(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd: options.cwd ?? process.cwd(),
    env: { ...options.env },
    isTTY: false,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const [name = '', ...rest] = argv;
  const command = commands[name];
  if (!command) throw new Error(`no command ${name} in the test dispatcher`);
  const code = await command(rest, io);
  return { code, stdout, stderr };
}
