// `pgferry validate <plan…>`: every stage short of writing files (parse, schema, rules, graph
// verification), with located diagnostics as text, JSON or GitHub annotations.

import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { summarize, summaryLine } from '../../compiler/diagnostics/render.js';
import { defineCommand, flag } from '../command.js';
import { EXIT } from '../io.js';
import { CATALOG_FLAG, compileArgument, readCatalogOption, renderFor } from '../plan-input.js';

export const command = defineCommand({
  name: 'validate',
  synopsis: '<plan.yaml>… [--format text|json|github] [--catalog snapshot.json] [--strict]',
  description: `Checks each plan: YAML, schema, semantic rules and the execution graph. Exit 0 when valid (warnings
allowed unless --strict), 1 when any plan has errors, 2 on bad usage or an unreadable file.`,
  flags: {
    catalog: CATALOG_FLAG,
    strict: flag.boolean('warnings fail too (exit 1)', { env: 'PGFERRY_STRICT' }),
  },
  output: { formats: ['text', 'json', 'github'], default: 'text', env: 'PGFERRY_FORMAT' },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, missing: 'no plan given' },
  examples: ['pgferry validate plans/orders.yaml', 'pgferry validate plans/*.yaml --format github'],
  run: async ({ flags, positionals, format }, io) => {
    const catalog = await readCatalogOption(io, flags.catalog);
    const all: Diagnostic[] = [];
    const texts = new Map<string, string>();
    for (const path of positionals) {
      const { result, text } = await compileArgument(io, path, catalog);
      texts.set(path, text);
      all.push(...result.diagnostics);
    }
    const counts = summarize(all);
    io.stdout(renderFor(io, all, format, texts));
    if (format === 'text') {
      const verdict = counts.errors > 0 ? 'invalid' : 'valid';
      const what = positionals.length === 1 ? positionals[0] : `${positionals.length} plans`;
      io.stdout(`${what}: ${verdict} (${summaryLine(all)})\n`);
    }
    const failed = counts.errors > 0 || (flags.strict === true && counts.warnings > 0);
    return failed ? EXIT.failed : EXIT.ok;
  },
});
