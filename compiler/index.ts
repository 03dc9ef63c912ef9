// The compiler's public entry point: plan file → diagnostics, and when there are no errors, the
// verified execution graph and every artifact of the output directory. Stages, in order, each gated
// on the previous one having no errors: load (parse, schema, resolve) → semantic rules (with waivers) →
// build graph → verify graph → emit. Never throws for bad user input.

import type { CatalogSnapshot } from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';
import type { ExecutionGraph } from '../contracts/graph.js';
import type { Artifact } from './artifact.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics/diagnostic.js';
import { findingToDiagnostic } from './front/findings.js';
import { loadPlan } from './front/load-plan.js';
import { buildGraph } from './graph/build-graph.js';
import { verifyGraph } from './graph/verify-graph.js';
import { serverCapacity } from './knowledge/server-capacity.js';
import type { Plan } from './model/plan.js';
import { emitArtifacts, MANIFEST_PATH } from './output.js';
import { type PlanFile, type PlanFileReader, readPlanFiles, workingTreeReader } from './plan-files.js';
import { checkPlan, planDirOf } from './rules/index.js';

export interface CompileOptions {
  /** The plan's content (text or raw bytes); read from `file` when absent. */
  readonly text?: string | Uint8Array;
  /** A catalog snapshot of the source (`validate --catalog`): enables the catalog rules. */
  readonly catalog?: CatalogSnapshot | null;
  /**
   * Reads the files the plan names (post_load_sql), by the path as the plan spells it. Default: from
   * the plan file's directory when `file` is there; without either, those files are neither checked
   * (PGF3507) nor returned.
   */
  readonly readPlanFile?: PlanFileReader;
}

export interface CompileResult {
  /** The resolved plan, or null when the file could not be loaded. */
  readonly plan: Plan | null;
  /** null whenever any diagnostic is an error. */
  readonly graph: ExecutionGraph | null;
  /** Every file of the output directory, sorted by path; empty whenever there are errors. */
  readonly artifacts: Artifact[];
  readonly diagnostics: Diagnostic[];
  /** The files the plan names that could be read, sorted by path (what `pgferry diff` also compares). */
  readonly planFiles?: readonly PlanFile[];
}

export { MANIFEST_PATH };

/** Compiles one plan. `file` is the path as given on the command line (diagnostics repeat it). */
export async function compilePlan(file: string, options: CompileOptions = {}): Promise<CompileResult> {
  const loaded = await loadPlan(file, options.text);
  const plan = loaded.plan;
  if (plan === null || hasErrors(loaded.diagnostics)) {
    return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(loaded.diagnostics) };
  }
  const planDir = planDirOf(file);
  const reader = options.readPlanFile ?? (planDir !== undefined ? workingTreeReader(planDir) : undefined);
  const read = reader ? await readPlanFiles(plan, reader) : undefined;
  const planFiles: PlanFile[] = [...(read ?? [])]
    .flatMap(([path, r]) => (r.kind === 'file' ? [{ path, content: Buffer.from(r.content).toString('utf8') }] : []))
    .sort((a, b) => compareText(a.path, b.path));
  const ruleDiagnostics = checkPlan(plan, options.catalog ?? null, { planFiles: read }).map((finding) =>
    findingToDiagnostic(finding, file, loaded.locate),
  );
  // checkPlan has already applied the plan's waivers (compiler/rules/waivers.ts).
  let diagnostics = [...loaded.diagnostics, ...ruleDiagnostics];
  if (hasErrors(diagnostics)) {
    return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics), planFiles };
  }

  // A catalog sizes the capacity settings from what the server runs now (never below it).
  const capacity = serverCapacity(plan, options.catalog ?? null);
  const graph = buildGraph(plan, capacity);
  const graphDiagnostics = verifyGraph(graph).map((f) => findingToDiagnostic(f, file, loaded.locate));
  diagnostics = [...diagnostics, ...graphDiagnostics];
  if (hasErrors(diagnostics)) {
    return { plan, graph: null, artifacts: [], diagnostics: sortDiagnostics(diagnostics), planFiles };
  }

  // emitArtifacts writes the whole directory: graph.json, graph.mmd, plan.resolved.json, MANIFEST.json too.
  return {
    plan,
    graph,
    artifacts: emitArtifacts(plan, graph, capacity),
    diagnostics: sortDiagnostics(diagnostics),
    planFiles,
  };
}

export type { Artifact, Diagnostic, ExecutionGraph, Plan };
