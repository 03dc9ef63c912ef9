// What the executor runs: the compiled graph and artifacts, either read from a `pgferry compile -o`
// directory or compiled in-process from the plan file. The executor never reads the YAML itself.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ExecutionGraph } from '../contracts/graph.js';
import { checkCompiledDir } from './compiled-check.js';

export interface Compiled {
  readonly graph: ExecutionGraph;
  readonly artifacts: ReadonlyMap<string, string>;
  /** The resolved plan (`plan.resolved.json`), for addresses and secret references. */
  readonly plan: unknown;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

export async function loadCompiledDir(dir: string): Promise<Compiled> {
  const artifacts = new Map<string, string>();
  for (const file of (await listFiles(dir)).sort()) {
    artifacts.set(relative(dir, file).split(sep).join('/'), await readFile(file, 'utf8'));
  }
  // Verified before anything runs: format version, MANIFEST hashes, the compiler's graph checks.
  const graph = await checkCompiledDir(dir, artifacts);
  const planText = artifacts.get('plan.resolved.json');
  return {
    graph,
    artifacts,
    plan: planText === undefined ? null : JSON.parse(planText),
  };
}

interface CompileResultLike {
  readonly plan: unknown;
  readonly graph: ExecutionGraph | null;
  readonly artifacts: readonly { readonly path: string; readonly content: string }[];
  readonly diagnostics: readonly { readonly severity?: string; readonly code?: string; readonly message?: string }[];
}

export class CompileFailed extends Error {}

/** Compiles in-process with the compiler's entry point (loaded lazily: `status` never needs it). */
export async function compileInProcess(planFile: string): Promise<Compiled> {
  // Read here, so an unreadable plan is a file-system error on its path (bad input), not a compile error.
  const text = await readFile(planFile);
  const compiler = await import('../compiler/index.js');
  const result: CompileResultLike = await compiler.compilePlan(planFile, { text });
  if (result.graph === null) {
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `  ${d.code ?? ''} ${d.message ?? ''}`.trimEnd());
    throw new CompileFailed(`${planFile} does not compile:\n${errors.join('\n')}\nrun: pgferry validate ${planFile}`);
  }
  const artifacts = new Map(result.artifacts.map((artifact) => [artifact.path, artifact.content]));
  if (!artifacts.has('plan.resolved.json') && result.plan !== null) {
    artifacts.set('plan.resolved.json', JSON.stringify(result.plan));
  }
  return { graph: result.graph, artifacts, plan: result.plan };
}
