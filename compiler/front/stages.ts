// The later compiler stages, owned by other modules (rules, graph, emit), behind one seam so the
// pipeline in index.ts reads as a list. TODO(front-end): the rules/graph/emit entry points were still
// being written when the pipeline landed; they are imported by computed path until they all exist,
// then this becomes plain static imports.

import type { CatalogSnapshot } from '../../contracts/catalog.js';
import type { ExecutionGraph } from '../../contracts/graph.js';
import type { Artifact } from '../artifact.js';
import type { Plan } from '../model/plan.js';
import type { Finding } from '../rules/rule.js';

export interface CompilerStages {
  checkPlan(plan: Plan, catalog: CatalogSnapshot | null): Finding[];
  buildGraph(plan: Plan): ExecutionGraph;
  verifyGraph(graph: ExecutionGraph): Finding[];
  emitArtifacts(plan: Plan, graph: ExecutionGraph): Artifact[];
  toMermaid(graph: ExecutionGraph): string;
  toDot(graph: ExecutionGraph): string;
}

const load = (path: string): Promise<Record<string, unknown>> => import(`../${path}.js`);

let cached: CompilerStages | undefined;

export async function compilerStages(): Promise<CompilerStages> {
  if (cached) return cached;
  const [rules, build, verify, emit, render] = await Promise.all([
    load('rules/index'),
    load('graph/build-graph'),
    load('graph/verify-graph'),
    load('emit/artifacts'),
    load('graph/render'),
  ]);
  cached = {
    checkPlan: rules.checkPlan as CompilerStages['checkPlan'],
    buildGraph: build.buildGraph as CompilerStages['buildGraph'],
    verifyGraph: verify.verifyGraph as CompilerStages['verifyGraph'],
    emitArtifacts: emit.emitArtifacts as CompilerStages['emitArtifacts'],
    toMermaid: render.toMermaid as CompilerStages['toMermaid'],
    toDot: render.toDot as CompilerStages['toDot'],
  };
  return cached;
}
