// The `pgferry` command line: a table of subcommands, each in its own module under cli/commands/,
// loaded on demand so `pgferry validate` never pays for the AWS SDK or fastify.

import { reportError } from './command.js';
import { type CliCommand, type CliIo, EXIT, processIo } from './io.js';
import { silenceSdkNodeVersionWarning } from './quiet.js';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ readonly command: CliCommand }>;
}

export const commands: Readonly<Record<string, CommandEntry>> = {
  catalog: {
    summary: 'read the source into a catalog snapshot (--source URL | --plan PLAN; -o FILE)',
    load: () => import('./commands/catalog.js'),
  },
  init: {
    summary: 'write a commented starter plan from a catalog (--catalog FILE | source options; -o PLAN)',
    load: () => import('./commands/init.js'),
  },
  validate: {
    summary: 'check a plan: schema and semantic rules, located diagnostics',
    load: () => import('./commands/validate.js'),
  },
  compile: {
    summary: 'compile a plan into the execution graph and artifacts (-o DIR)',
    load: () => import('./commands/compile.js'),
  },
  graph: {
    summary: 'print the execution graph (--format mermaid|dot|json|svg|png)',
    load: () => import('./commands/graph.js'),
  },
  rules: { summary: 'list every rule, or explain one: pgferry rules <id>', load: () => import('./commands/rules.js') },
  diff: {
    summary: 'what a plan change would do (--base REF | OLD NEW; --format text|markdown|json)',
    load: () => import('./commands/diff.js'),
  },
  apply: {
    summary: 'run the plan until the next manual gate; resumes from the journal',
    load: () => import('./commands/apply.js'),
  },
  verify: {
    summary: 'compare the data, schema and sequences on source and target (--mode, --format, --rolling)',
    load: () => import('./commands/verify.js'),
  },
  status: {
    summary: 'graph, DMS task and replication slot status (--watch, --json)',
    load: () => import('./commands/status.js'),
  },
  approve: { summary: 'open a manual gate: pgferry approve PLAN GATE', load: () => import('./commands/approve.js') },
  cutover: { summary: 'run the cutover nodes (gated)', load: () => import('./commands/cutover.js') },
  abort: {
    summary: 'stop and run compensations (drop slot, stop task, revert target settings)',
    load: () => import('./commands/abort.js'),
  },
  cleanup: { summary: "delete what the plan's cleanup policy says", load: () => import('./commands/cleanup.js') },
  agent: { summary: 'run the source-host agent (--config FILE)', load: () => import('./commands/agent.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return (
    `usage: pgferry <command> [options]   (pgferry <command> --help for its options)\n\ncommands:\n${lines.join('\n')}\n\n` +
    'exit codes: 0 ok or stopped at a gate, 1 plan errors / failed node / changes found,\n' +
    '            2 bad invocation, unreadable input or unwritable output, 3 a pgferry bug\n'
  );
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  silenceSdkNodeVersionWarning();
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return EXIT.ok;
  }
  const entry = commands[name];
  if (entry === undefined) {
    io.stderr(`pgferry: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    const { command } = await entry.load();
    return await command(rest, io);
  } catch (error) {
    // Commands report their own errors (cli/command.ts); what reaches here failed to load: a bug.
    return reportError(io, name, error, rest.includes('--debug'));
  }
}
