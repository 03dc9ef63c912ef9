// `pgferry rules [id]`: every diagnostic code with its one-line title, or the full explanation of one
// code, looked up by code (PGF3001) or by name (slot-budget).

import { parseArgs } from 'node:util';
import { allCodes, type CodeInfo, lookupCode } from '../../compiler/diagnostics/codes.js';
import { closest } from '../../contracts/suggest.js';
import { type CliCommand, EXIT } from '../io.js';
import { parseFormat, UsageError, withUsage } from './validate.js';

/** Every module that defines codes registers them on import: the front end, the rules, the graph. */
async function registerAllCodes(): Promise<void> {
  await Promise.all([
    import('../../compiler/front/codes.js'),
    import('../../compiler/rules/index.js'),
    import('../../compiler/graph/verify-graph.js'),
  ]);
}

function explain(info: CodeInfo): string {
  return `${info.code} ${info.name} (${info.severity})\n\n${info.title}.\n\n${info.explanation}\n`;
}

function table(codes: readonly CodeInfo[]): string {
  const nameWidth = Math.max(...codes.map((c) => c.name.length));
  const lines = codes.map((c) => `${c.code}  ${c.name.padEnd(nameWidth)}  ${c.severity.padEnd(7)}  ${c.title}`);
  return `${lines.join('\n')}\n`;
}

const USAGE = `usage: pgferry rules [code-or-name] [--format text|markdown]

Lists every diagnostic code, or explains one.

Example:
  pgferry rules
  pgferry rules PGF2001
  pgferry rules unknown-key
`;

function markdown(codes: readonly CodeInfo[]): string {
  const rows = codes.map(
    (c) =>
      `| \`${c.code}\` | \`${c.name}\` | ${c.severity} | ${c.title}. ${c.explanation.replace(/\|/g, '\\|').replace(/\n+/g, ' ')} |`,
  );
  return `| Code | Name | Severity | What it means |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}

export const command: CliCommand = (args, io) =>
  withUsage(io, 'rules', USAGE, args, async () => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { format: { type: 'string' }, debug: { type: 'boolean' } },
    });
    if (positionals.length > 1) throw new UsageError('give at most one code or name', true);
    const format = parseFormat(values.format, ['text', 'markdown'] as const, 'text');
    await registerAllCodes();
    const codes = allCodes();
    const id = positionals[0];
    if (id === undefined) {
      io.stdout(format === 'markdown' ? markdown(codes) : table(codes));
      return EXIT.ok;
    }
    const info = lookupCode(id);
    if (!info) {
      const guess = closest(
        id,
        codes.flatMap((c) => [c.code, c.name]),
      );
      throw new UsageError(
        `no rule '${id}'${guess ? `; did you mean '${guess}'?` : ''} (pgferry rules lists them all)`,
      );
    }
    io.stdout(explain(info));
    return EXIT.ok;
  });
