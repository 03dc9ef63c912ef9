// The `pgferry` command line: a table of subcommands, each in its own module under cli/commands/,
// loaded on demand so `pgferry validate` never pays for the AWS SDK or fastify.

import { type CliCommand, type CliIo, EXIT, processIo } from './io.js';
import { silenceSdkNodeVersionWarning } from './quiet.js';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ readonly command: CliCommand }>;
}

// Dynamic import paths are computed so each area can land its command module independently.
const fromModule = (name: string) => () => import(`./commands/${name}.js`) as Promise<{ readonly command: CliCommand }>;

export const commands: Readonly<Record<string, CommandEntry>> = {
  catalog: {
    summary: 'read the source into a catalog snapshot (--source URL | --plan PLAN; -o FILE)',
    load: fromModule('catalog'),
  },
  init: {
    summary: 'write a commented starter plan from a catalog (--catalog FILE | source options; -o PLAN)',
    load: fromModule('init'),
  },
  validate: { summary: 'check a plan: schema and semantic rules, located diagnostics', load: fromModule('validate') },
  compile: { summary: 'compile a plan into the execution graph and artifacts (-o DIR)', load: fromModule('compile') },
  graph: { summary: 'print the execution graph (--format mermaid|dot|json|svg|png)', load: fromModule('graph') },
  rules: { summary: 'list every rule, or explain one: pgferry rules <id>', load: fromModule('rules') },
  diff: {
    summary: 'what a plan change would do (--base REF | OLD NEW; --format text|markdown|json)',
    load: fromModule('diff'),
  },
  apply: { summary: 'run the plan until the next manual gate; resumes from the journal', load: fromModule('apply') },
  verify: {
    summary: 'compare the data, schema and sequences on source and target (--mode, --format, --rolling)',
    load: fromModule('verify'),
  },
  status: { summary: 'graph, DMS task and replication slot status (--watch, --json)', load: fromModule('status') },
  approve: { summary: 'open a manual gate: pgferry approve PLAN GATE', load: fromModule('approve') },
  cutover: { summary: 'run the cutover nodes (gated)', load: fromModule('cutover') },
  abort: {
    summary: 'stop and run compensations (drop slot, stop task, revert target settings)',
    load: fromModule('abort'),
  },
  cleanup: { summary: "delete what the plan's cleanup policy says", load: fromModule('cleanup') },
  agent: { summary: 'run the source-host agent (--config FILE)', load: fromModule('agent') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `usage: pgferry <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  silenceSdkNodeVersionWarning();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
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
    io.stderr(`pgferry ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (rest.includes('--debug') && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.internal;
  }
}
