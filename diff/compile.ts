// How the diff reaches the compiler. `compilePlan` (compiler/index.ts) is the one entry point; while it
// is being built the stages are stitched together here from the modules that exist, so the diff can be
// developed and tested against whatever the compiler already produces. Paths are computed so the type
// checker does not require modules that have not landed yet.

import type { Artifact } from '../compiler/artifact.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { Plan } from '../compiler/model/plan.js';
import type { ExecutionGraph } from '../contracts/graph.js';
import type { CompileResult } from './side.js';

export type CompileFn = (file: string, options?: { text?: string }) => Promise<CompileResult>;

interface CompilerIndexModule {
  compilePlan: CompileFn;
}
interface LoadPlanModule {
  loadPlan(file: string, text?: string): Promise<{ plan: Plan | null; diagnostics: Diagnostic[] }>;
}
interface BuildGraphModule {
  buildGraph(plan: Plan): ExecutionGraph;
}
interface EmitModule {
  emitArtifacts(plan: Plan, graph: ExecutionGraph): Artifact[];
}

const compilerModule = (path: string): Promise<unknown> => import(`../compiler/${path}.js`);

async function tryImport<T>(path: string): Promise<T | null> {
  try {
    return (await compilerModule(path)) as T;
  } catch (error) {
    if (isModuleNotFound(error)) return null;
    throw error;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || (error instanceof Error && /Cannot find module/.test(error.message));
}

/** Stitches loadPlan → buildGraph → emitArtifacts when compiler/index.ts is not there yet. */
function stitched(load: LoadPlanModule, build: BuildGraphModule, emit: EmitModule): CompileFn {
  return async (file, options) => {
    const loaded = await load.loadPlan(file, options?.text);
    if (loaded.plan === null || loaded.diagnostics.some((d) => d.severity === 'error')) {
      return { plan: loaded.plan, graph: null, artifacts: [], diagnostics: loaded.diagnostics };
    }
    const graph = build.buildGraph(loaded.plan);
    return {
      plan: loaded.plan,
      graph,
      artifacts: emit.emitArtifacts(loaded.plan, graph),
      diagnostics: loaded.diagnostics,
    };
  };
}

export async function loadCompiler(): Promise<CompileFn> {
  const index = await tryImport<CompilerIndexModule>('index');
  if (index !== null) return index.compilePlan;
  const [load, build, emit] = await Promise.all([
    tryImport<LoadPlanModule>('front/load-plan'),
    tryImport<BuildGraphModule>('graph/build-graph'),
    tryImport<EmitModule>('emit/artifacts'),
  ]);
  if (load === null || build === null || emit === null) {
    throw new Error('the plan compiler is not available in this build (compiler/index.ts is missing)');
  }
  return stitched(load, build, emit);
}
