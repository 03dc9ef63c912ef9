// `pgferry compile <plan> -o <dir>`: writes the artifacts atomically. The files go to a temporary
// directory beside the output, which then replaces it in one rename, so a reader never sees a
// half-written directory, and a failed compile leaves the previous output untouched. An existing
// directory is only replaced when it is empty or was written by pgferry (it has our MANIFEST.json).

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Artifact } from '../../compiler/artifact.js';
import { summarize } from '../../compiler/diagnostics/render.js';
import { MANIFEST_PATH } from '../../compiler/index.js';
import { defineCommand, flag, InputError, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { absolutePath, CATALOG_FLAG, compileArgument, readCatalogOption, renderFor } from '../plan-input.js';

async function isPgferryOutput(dir: string): Promise<boolean> {
  try {
    // emitArtifacts' manifest: {plan, planHash, files}; anything else is not ours to replace.
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_PATH), 'utf8')) as Record<string, unknown>;
    return typeof manifest.planHash === 'string' && typeof manifest.files === 'object' && manifest.files !== null;
  } catch {
    return false;
  }
}

/** Throws InputError when `dir` exists and must not be replaced. */
async function checkReplaceable(dir: string, shown: string): Promise<boolean> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch {
    return false;
  }
  if (!info.isDirectory()) throw new InputError(`${shown} exists and is not a directory`);
  if ((await readdir(dir)).length > 0 && !(await isPgferryOutput(dir))) {
    throw new InputError(`${shown} is not empty and has no pgferry ${MANIFEST_PATH}; refusing to replace it`);
  }
  return true;
}

/** Writes every artifact under `dir`, replacing its previous content in one rename. */
export async function writeArtifactsAtomically(
  dir: string,
  artifacts: readonly Artifact[],
  shown = dir,
): Promise<void> {
  const exists = await checkReplaceable(dir, shown);
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(parent, `.${basename(dir)}.pgferry-new-${suffix}`);
  const retired = join(parent, `.${basename(dir)}.pgferry-old-${suffix}`);
  try {
    // Synchronous on purpose: a compile writes hundreds of files into a directory nobody else sees
    // yet, and awaiting a thread-pool round trip for each mkdir and write made this step several
    // times slower than the writes themselves. Each directory is created once.
    const created = new Set<string>();
    for (const artifact of artifacts) {
      if (artifact.path.split('/').includes('..') || artifact.path.startsWith('/')) {
        throw new Error(`artifact path escapes the output directory: ${artifact.path}`);
      }
      const target = join(staging, artifact.path);
      const targetDir = dirname(target);
      if (!created.has(targetDir)) {
        mkdirSync(targetDir, { recursive: true });
        created.add(targetDir);
      }
      writeFileSync(target, artifact.content);
    }
    if (exists) await rename(dir, retired);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  // Synchronous for the same reason as the writes: the old output can hold hundreds of files.
  rmSync(retired, { recursive: true, force: true });
}

export const command = defineCommand({
  name: 'compile',
  synopsis: '<plan.yaml> -o <dir> [--format text|json|github] [--catalog snapshot.json]',
  description: `Compiles the plan into the verified execution graph and its artifacts (graph.json, graph.mmd,
plan.resolved.json, source/, target/, dms/, MANIFEST.json). Nothing is written when the plan has
errors (exit 1). The directory is replaced atomically; an existing one must be empty or an earlier
pgferry output (else exit 2, as for a directory that cannot be written). With --catalog (a
\`pgferry catalog\` snapshot) the catalog rules (PGF5xxx) run too, and their errors stop the compile.`,
  flags: {
    out: flag.string('DIR', 'the output directory', { short: 'o', env: 'PGFERRY_OUT' }),
    catalog: CATALOG_FLAG,
  },
  output: { formats: ['text', 'json', 'github'], default: 'text', env: 'PGFERRY_FORMAT' },
  positionals: { min: 1, max: 1, missing: 'give exactly one plan' },
  examples: ['pgferry compile plans/orders.yaml -o build/'],
  run: async ({ flags, positionals, format }, io) => {
    const out = flags.out;
    if (!out) throw new UsageError('missing -o <dir>', true);
    const planPath = positionals[0]!;
    const catalog = await readCatalogOption(io, flags.catalog);
    const { result, text } = await compileArgument(io, planPath, catalog);
    const counts = summarize(result.diagnostics);
    // Infos are for review (`pgferry validate`); compile output stays short on plans with many tables.
    const shown = format === 'text' ? result.diagnostics.filter((d) => d.severity !== 'info') : result.diagnostics;
    const rendered = renderFor(io, shown, format, new Map([[planPath, text]]));
    if (format === 'text') {
      io.stderr(rendered);
      if (counts.infos > 0)
        io.stderr(
          `${counts.infos} info note${counts.infos === 1 ? '' : 's'} not shown: pgferry validate ${planPath}\n`,
        );
    } else io.stdout(rendered);
    if (result.graph === null) {
      io.stderr(`${planPath}: ${counts.errors} error${counts.errors === 1 ? '' : 's'}; nothing written\n`);
      return EXIT.failed;
    }
    await writeArtifactsAtomically(absolutePath(io, out), result.artifacts, out);
    if (format === 'text') {
      io.stdout(
        `compiled ${planPath} → ${out}: ${result.graph.nodes.length} nodes, ${result.artifacts.length} artifacts, ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'}\n`,
      );
    }
    return EXIT.ok;
  },
});
