// `pgferry rules [id]`: every diagnostic code with its one-line title, or the full explanation of one
// code, looked up by code (PGF3001) or by name (slot-budget).

import { allCodes, type CodeInfo, lookupCode } from '../../compiler/diagnostics/codes.js';
import { closest } from '../../contracts/suggest.js';
import { defineCommand, UsageError } from '../command.js';
import { EXIT } from '../io.js';

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

function markdown(codes: readonly CodeInfo[]): string {
  const rows = codes.map(
    (c) =>
      `| \`${c.code}\` | \`${c.name}\` | ${c.severity} | ${c.title}. ${c.explanation.replace(/\|/g, '\\|').replace(/\n+/g, ' ')} |`,
  );
  return `| Code | Name | Severity | What it means |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}

export const command = defineCommand({
  name: 'rules',
  synopsis: '[code-or-name] [--format text|markdown]',
  description: 'Lists every diagnostic code, or explains one (looked up by code or by name).',
  flags: {},
  output: { formats: ['text', 'markdown'], default: 'text' },
  positionals: { min: 0, max: 1, missing: '' },
  examples: ['pgferry rules', 'pgferry rules PGF2001', 'pgferry rules unknown-key'],
  run: async ({ positionals, format }, io) => {
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
  },
});
