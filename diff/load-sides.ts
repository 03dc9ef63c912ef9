// Compiles both sides of a diff. A side that does not compile is reported with its diagnostics and
// which side it is, so `pgferry diff` can say "the new side has errors" with locations.

import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { PlanFileReader } from '../compiler/plan-files.js';
import type { CompiledSide, CompileResult, SideName } from './side.js';

/** `compilePlan` (compiler/index.ts), or a stand-in in tests. */
export type CompileFn = (
  file: string,
  options?: { text?: string | Uint8Array; readPlanFile?: PlanFileReader },
) => Promise<CompileResult>;

export interface SideSource {
  readonly side: SideName;
  readonly displayName: string;
  /** Passed to the compiler as the file name (diagnostics show it). */
  readonly file: string;
  /** The plan's bytes as read from the working tree or git; the compiler checks encoding and size. */
  readonly content: Uint8Array;
  /** Where the files the plan names are read from: the plan's directory, or its git revision. */
  readonly readPlanFile?: PlanFileReader;
}

export type SideResult =
  | { readonly ok: true; readonly side: CompiledSide }
  | { readonly ok: false; readonly source: SideSource; readonly diagnostics: readonly Diagnostic[] };

export async function compileSide(compile: CompileFn, source: SideSource): Promise<SideResult> {
  const result = await compile(source.file, {
    text: source.content,
    ...(source.readPlanFile ? { readPlanFile: source.readPlanFile } : {}),
  });
  const failed = result.diagnostics.some((d) => d.severity === 'error');
  if (failed || result.plan === null || result.graph === null) {
    return { ok: false, source, diagnostics: result.diagnostics };
  }
  return {
    ok: true,
    side: {
      side: source.side,
      displayName: source.displayName,
      plan: result.plan,
      graph: result.graph,
      artifacts: result.artifacts,
      planFiles: result.planFiles ?? [],
      diagnostics: result.diagnostics,
    },
  };
}
