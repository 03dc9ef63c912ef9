// `pgferry diff`: what a plan change would do. Exit codes follow `git diff --exit-code`: 0 when no
// compiled artifact changes, 1 when some do, 2 when an input cannot be read or does not compile.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Diagnostic, sortDiagnostics } from '../../compiler/diagnostics/diagnostic.js';
import { compilePlan } from '../../compiler/index.js';
import { workingTreeReader } from '../../compiler/plan-files.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { GitBaseError, planAtRevision, revisionReader } from '../../diff/git-base.js';
import { compileSide, type SideSource } from '../../diff/load-sides.js';
import { diffPlans } from '../../diff/plan-diff.js';
import { renderSideFailure } from '../../diff/render/diagnostics.js';
import { DIFF_JSON_FORMAT_VERSION, renderJson } from '../../diff/render/json.js';
import { renderMarkdown } from '../../diff/render/markdown.js';
import { renderText } from '../../diff/render/text.js';
import type { CompiledSide, SideName } from '../../diff/side.js';
import { CatalogFileError, readCatalogFile } from '../catalog-file.js';
import { type CliCommand, type CliIo, EXIT } from '../io.js';

class InputError extends Error {}

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `usage: pgferry diff PLAN --base REF [--format text|markdown|json] [--catalog snapshot.json]
       pgferry diff OLD.yaml NEW.yaml [--format text|markdown|json] [--catalog snapshot.json]

Compiles both versions of a plan and shows what the change does: an impact summary ordered by risk
(source restart or reload, pg_hba, DMS resources created, modified in place or replaced, tasks that
must be stopped, table selection, slots, target SQL, cutover policy, graph nodes), then a unified diff
of every compiled artifact that changed. Reformatting or spelling out a default changes nothing.

options:
  --base REF       compare PLAN with its version at git revision REF (git show REF:PLAN)
  --format FMT     text (default), markdown (a pull-request comment with a Mermaid graph), json
  --catalog FILE   check both sides against a \`pgferry catalog\` snapshot (PGF5xxx rules; env PGFERRY_CATALOG)
  -h, --help       this help

exit codes: 0 no change, 1 changes, 2 error (unreadable input, or a side that does not compile)

Example:
  npx pgferry diff plans/orders.yaml --base origin/main --format markdown > comment.md
`;

interface Invocation {
  readonly old: SideSource;
  readonly new: SideSource;
  readonly format: Format;
  readonly catalog: CatalogSnapshot | null;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`pgferry diff: ${message}\n\n${HELP}`);
  return EXIT.usage;
}

const OPTIONS = {
  base: { type: 'string' },
  format: { type: 'string' },
  catalog: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // Read by cli/main.ts (stack traces); accepted here so strict parsing does not refuse it.
  debug: { type: 'boolean' },
} as const;

function parseFlags(args: readonly string[]) {
  return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
}

async function parse(args: readonly string[], io: CliIo): Promise<Invocation | number> {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const format = (values.format ?? io.env.PGFERRY_DIFF_FORMAT ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, `unknown --format '${format}' (text, markdown or json)`);
  const catalogPath = values.catalog ?? io.env.PGFERRY_CATALOG;
  let catalog: CatalogSnapshot | null = null;
  if (catalogPath) {
    try {
      catalog = await readCatalogFile(resolve(io.cwd, catalogPath), catalogPath);
    } catch (error) {
      if (error instanceof CatalogFileError) throw new InputError(error.message);
      throw error;
    }
  }
  // The environment twin applies only where it can: one plan given.
  const base = values.base ?? (positionals.length === 1 ? io.env.PGFERRY_DIFF_BASE : undefined);
  if (base !== undefined && base !== '') {
    if (positionals.length !== 1) return usageError(io, '--base takes exactly one plan');
    const plan = positionals[0]!;
    const { content, location } = await planAtRevision(plan, base, io.cwd);
    return {
      old: {
        side: 'old',
        displayName: `${plan}@${base}`,
        file: `${plan}@${base}`,
        content,
        // post_load_sql files from the same commit as the plan, not from the working tree.
        readPlanFile: revisionReader(location),
      },
      new: workingTreeSide('new', plan, await readPlan(plan, io.cwd), io.cwd),
      format,
      catalog,
    };
  }
  if (positionals.length !== 2) return usageError(io, 'give two plans (OLD NEW), or one plan and --base REF');
  const [oldPlan, newPlan] = positionals as [string, string];
  return {
    old: workingTreeSide('old', oldPlan, await readPlan(oldPlan, io.cwd), io.cwd),
    new: workingTreeSide('new', newPlan, await readPlan(newPlan, io.cwd), io.cwd),
    format,
    catalog,
  };
}

/** A plan on disk; the files it names are read next to it (relative to the command's directory). */
function workingTreeSide(side: SideName, plan: string, content: Buffer, cwd: string): SideSource {
  return { side, displayName: plan, file: plan, content, readPlanFile: workingTreeReader(dirname(resolve(cwd, plan))) };
}

/** Plans are read relative to the command's working directory, which need not be the process's. */
async function readPlan(path: string, cwd: string): Promise<Buffer> {
  try {
    return await readFile(resolve(cwd, path));
  } catch (error) {
    const reason = (error as { code?: unknown }).code === 'ENOENT' ? 'no such file' : String(error);
    throw new InputError(`${path}: cannot read the plan (${reason})`);
  }
}

function failureJson(source: SideSource, diagnostics: readonly Diagnostic[]): string {
  return canonicalJson({
    formatVersion: DIFF_JSON_FORMAT_VERSION,
    changed: null,
    error: { side: source.side, name: source.displayName, diagnostics: sortDiagnostics(diagnostics) },
  });
}

export const command: CliCommand = async (args, io) => {
  let invocation: Invocation | number;
  try {
    invocation = await parse(args, io);
  } catch (error) {
    if (error instanceof GitBaseError || error instanceof InputError) {
      io.stderr(`pgferry diff: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (typeof invocation === 'number') return invocation;
  const sides: CompiledSide[] = [];
  for (const source of [invocation.old, invocation.new]) {
    const { catalog } = invocation;
    const result = await compileSide((file, options) => compilePlan(file, { ...options, catalog }), source);
    if (!result.ok) {
      const report = renderSideFailure(result.source, result.diagnostics, { color: io.isTTY && !io.env.NO_COLOR });
      io.stderr(report);
      if (invocation.format === 'json') io.stdout(failureJson(result.source, result.diagnostics));
      return EXIT.usage;
    }
    sides.push(result.side);
  }
  const diff = diffPlans(sides[0]!, sides[1]!);
  const color = invocation.format === 'text' && io.isTTY && !io.env.NO_COLOR;
  const rendered =
    invocation.format === 'json'
      ? renderJson(diff)
      : invocation.format === 'markdown'
        ? renderMarkdown(diff)
        : renderText(diff, { color });
  io.stdout(rendered);
  return diff.changed ? EXIT.failed : EXIT.ok;
};
