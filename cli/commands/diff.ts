// `pgferry diff`: what a plan change would do. Exit codes follow `git diff --exit-code`: 0 when no
// compiled artifact changes, 1 when some do, 2 when an input cannot be read or does not compile.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Diagnostic, sortDiagnostics } from '../../compiler/diagnostics/diagnostic.js';
import { compilePlan } from '../../compiler/index.js';
import { workingTreeReader } from '../../compiler/plan-files.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import { GitBaseError, planAtRevision, revisionReader } from '../../diff/git-base.js';
import { compileSide, type SideSource } from '../../diff/load-sides.js';
import { diffPlans } from '../../diff/plan-diff.js';
import { renderSideFailure } from '../../diff/render/diagnostics.js';
import { DIFF_JSON_FORMAT_VERSION, renderJson } from '../../diff/render/json.js';
import { renderMarkdown } from '../../diff/render/markdown.js';
import { renderText } from '../../diff/render/text.js';
import type { CompiledSide, SideName } from '../../diff/side.js';
import { defineCommand, flag, InputError, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { CATALOG_FLAG, readCatalogOption } from '../plan-input.js';

const FORMATS = ['text', 'markdown', 'json'] as const;

interface Invocation {
  readonly old: SideSource;
  readonly new: SideSource;
}

async function sides(positionals: readonly string[], base: string | undefined, cwd: string): Promise<Invocation> {
  if (base !== undefined && base !== '') {
    if (positionals.length !== 1) throw new UsageError('--base takes exactly one plan', true);
    const plan = positionals[0]!;
    const { content, location } = await planAtRevision(plan, base, cwd);
    return {
      old: {
        side: 'old',
        displayName: `${plan}@${base}`,
        file: `${plan}@${base}`,
        content,
        // post_load_sql files from the same commit as the plan, not from the working tree.
        readPlanFile: revisionReader(location),
      },
      new: workingTreeSide('new', plan, await readPlan(plan, cwd), cwd),
    };
  }
  if (positionals.length !== 2) throw new UsageError('give two plans (OLD NEW), or one plan and --base REF', true);
  const [oldPlan, newPlan] = positionals as [string, string];
  return {
    old: workingTreeSide('old', oldPlan, await readPlan(oldPlan, cwd), cwd),
    new: workingTreeSide('new', newPlan, await readPlan(newPlan, cwd), cwd),
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

export const command = defineCommand({
  name: 'diff',
  synopsis: [
    'PLAN --base REF [--format text|markdown|json] [--catalog snapshot.json]',
    'OLD.yaml NEW.yaml [--format text|markdown|json] [--catalog snapshot.json]',
  ],
  description: `Compiles both versions of a plan and shows what the change does: an impact summary ordered by risk
(source restart or reload, pg_hba, DMS resources created, modified in place or replaced, tasks that
must be stopped, table selection, slots, target SQL, cutover policy, graph nodes), then a unified diff
of every compiled artifact that changed. Reformatting or spelling out a default changes nothing.
Exit codes as \`git diff --exit-code\`: 0 no change, 1 changes, 2 bad invocation, unreadable input, or
a side that does not compile (so 1 always means "this change does something").`,
  flags: {
    base: flag.string('REF', 'compare PLAN with its version at git revision REF (git show REF:PLAN)'),
    catalog: CATALOG_FLAG,
  },
  output: {
    formats: FORMATS,
    default: 'text',
    env: 'PGFERRY_DIFF_FORMAT',
    help: 'text, markdown (a pull-request comment with a Mermaid graph) or json',
  },
  positionals: { min: 1, max: 2, missing: 'give two plans (OLD NEW), or one plan and --base REF' },
  inputErrors: [GitBaseError],
  examples: ['npx pgferry diff plans/orders.yaml --base origin/main --format markdown > comment.md'],
  run: async ({ flags, positionals, format }, io) => {
    const catalog = await readCatalogOption(io, flags.catalog);
    // The environment twin of --base applies only where it can: one plan given.
    const base = flags.base ?? (positionals.length === 1 ? io.env.PGFERRY_DIFF_BASE : undefined);
    const invocation = await sides(positionals, base, io.cwd);
    const compiled: CompiledSide[] = [];
    for (const source of [invocation.old, invocation.new]) {
      const result = await compileSide((file, options) => compilePlan(file, { ...options, catalog }), source);
      if (!result.ok) {
        const report = renderSideFailure(result.source, result.diagnostics, { color: io.isTTY && !io.env.NO_COLOR });
        io.stderr(report);
        if (format === 'json') io.stdout(failureJson(result.source, result.diagnostics));
        return EXIT.usage;
      }
      compiled.push(result.side);
    }
    const diff = diffPlans(compiled[0]!, compiled[1]!);
    const color = format === 'text' && io.isTTY && !io.env.NO_COLOR;
    const rendered =
      format === 'json' ? renderJson(diff) : format === 'markdown' ? renderMarkdown(diff) : renderText(diff, { color });
    io.stdout(rendered);
    return diff.changed ? EXIT.failed : EXIT.ok;
  },
});
