// The compiler's public entry point: plan file → diagnostics, and when there are no errors, the
// verified execution graph and every artifact of the output directory. Stages, in order, each gated
// on the previous one having no errors: load (parse, schema, resolve) → semantic rules → waivers →
// build graph → verify graph → emit. Never throws for bad user input.

import { canonicalJson, hashJson, sha256 } from '../contracts/canonical-json.js';
import type { CatalogSnapshot } from '../contracts/catalog.js';
import type { ExecutionGraph } from '../contracts/graph.js';
import type { Artifact } from './artifact.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics/diagnostic.js';
import { findingToDiagnostic } from './front/findings.js';
import { loadPlan } from './front/load-plan.js';
import { compilerStages } from './front/stages.js';
import { applyWaivers } from './front/waivers.js';
import type { Plan } from './model/plan.js';

export interface CompileOptions {
  /** The plan's content (text or raw bytes); read from `file` when absent. */
  readonly text?: string | Uint8Array;
  /** A catalog snapshot of the source (`validate --catalog`): enables the catalog rules. */
  readonly catalog?: CatalogSnapshot | null;
}

export interface CompileResult {
  /** The resolved plan, or null when the file could not be loaded. */
  readonly plan: Plan | null;
  /** null whenever any diagnostic is an error. */
  readonly graph: ExecutionGraph | null;
  /** Every file of the output directory, sorted by path; empty whenever there are errors. */
  readonly artifacts: Artifact[];
  readonly diagnostics: Diagnostic[];
}

export const MANIFEST_PATH = 'MANIFEST.json';

/** Adds the compiler's own files (resolved plan, graph, picture) and the manifest over everything. */
function withCompilerArtifacts(
  plan: Plan,
  graph: ExecutionGraph,
  emitted: readonly Artifact[],
  mermaid: string,
): Artifact[] {
  const byPath = new Map(emitted.map((artifact) => [artifact.path, artifact.content]));
  byPath.set('plan.resolved.json', canonicalJson(plan));
  byPath.set('graph.json', canonicalJson(graph));
  byPath.set('graph.mmd', mermaid.endsWith('\n') ? mermaid : `${mermaid}\n`);
  byPath.delete(MANIFEST_PATH);
  const paths = [...byPath.keys()].sort();
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = sha256(byPath.get(path)!);
  byPath.set(
    MANIFEST_PATH,
    canonicalJson({ generator: 'pgferry', formatVersion: 1, plan: plan.name, planHash: hashJson(plan), files }),
  );
  return [...byPath.keys()].sort().map((path) => ({ path, content: byPath.get(path)! }));
}

/** Compiles one plan. `file` is the path as given on the command line (diagnostics repeat it). */
export async function compilePlan(file: string, options: CompileOptions = {}): Promise<CompileResult> {
  const loaded = await loadPlan(file, options.text);
  const plan = loaded.plan;
  if (plan === null || hasErrors(loaded.diagnostics)) {
    return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(loaded.diagnostics) };
  }
  const stages = await compilerStages();
  const ruleDiagnostics = stages
    .checkPlan(plan, options.catalog ?? null)
    .map((finding) => findingToDiagnostic(finding, file, loaded.locate));
  let diagnostics = applyWaivers(plan, [...loaded.diagnostics, ...ruleDiagnostics], file, loaded.locate);
  if (hasErrors(diagnostics)) return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics) };

  const graph = stages.buildGraph(plan);
  const graphDiagnostics = stages.verifyGraph(graph).map((f) => findingToDiagnostic(f, file, loaded.locate));
  diagnostics = [...diagnostics, ...graphDiagnostics];
  if (hasErrors(diagnostics)) return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics) };

  const artifacts = withCompilerArtifacts(plan, graph, stages.emitArtifacts(plan, graph), stages.toMermaid(graph));
  return { plan, graph, artifacts, diagnostics: sortDiagnostics(diagnostics) };
}

export type { Artifact, Diagnostic, ExecutionGraph, Plan };
