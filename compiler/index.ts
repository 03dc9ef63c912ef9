// The compiler's public entry point: plan file → diagnostics, and when there are no errors, the
// verified execution graph and every artifact of the output directory. Stages, in order, each gated
// on the previous one having no errors: load (parse, schema, resolve) → semantic rules (with waivers) →
// build graph → verify graph → emit. Never throws for bad user input.

import type { CatalogSnapshot } from '../contracts/catalog.js';
import type { ExecutionGraph } from '../contracts/graph.js';
import type { Artifact } from './artifact.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics/diagnostic.js';
import { emitArtifacts, MANIFEST_PATH } from './emit/artifacts.js';
import { findingToDiagnostic } from './front/findings.js';
import { loadPlan } from './front/load-plan.js';
import { buildGraph } from './graph/build-graph.js';
import { verifyGraph } from './graph/verify-graph.js';
import type { Plan } from './model/plan.js';
import { checkPlan, planDirOf } from './rules/index.js';

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

export { MANIFEST_PATH };

/** Compiles one plan. `file` is the path as given on the command line (diagnostics repeat it). */
export async function compilePlan(file: string, options: CompileOptions = {}): Promise<CompileResult> {
  const loaded = await loadPlan(file, options.text);
  const plan = loaded.plan;
  if (plan === null || hasErrors(loaded.diagnostics)) {
    return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(loaded.diagnostics) };
  }
  const ruleDiagnostics = checkPlan(plan, options.catalog ?? null, { planDir: planDirOf(file) }).map((finding) =>
    findingToDiagnostic(finding, file, loaded.locate),
  );
  // checkPlan has already applied the plan's waivers (compiler/rules/waivers.ts).
  let diagnostics = [...loaded.diagnostics, ...ruleDiagnostics];
  if (hasErrors(diagnostics)) return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics) };

  const graph = buildGraph(plan);
  const graphDiagnostics = verifyGraph(graph).map((f) => findingToDiagnostic(f, file, loaded.locate));
  diagnostics = [...diagnostics, ...graphDiagnostics];
  if (hasErrors(diagnostics)) return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics) };

  // emitArtifacts writes the whole directory: graph.json, graph.mmd, plan.resolved.json, MANIFEST.json too.
  return { plan, graph, artifacts: emitArtifacts(plan, graph), diagnostics: sortDiagnostics(diagnostics) };
}

export type { Artifact, Diagnostic, ExecutionGraph, Plan };
