// One side of a diff: a plan compiled from a file or from text read out of git. The diff works on
// compiled output only, so whatever the compiler normalises (defaults, key order, YAML layout) never
// shows up as a change.

import type { Artifact } from '../compiler/artifact.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { CompileResult } from '../compiler/index.js';
import type { Plan } from '../compiler/model/plan.js';
import type { PlanFile } from '../compiler/plan-files.js';
import type { ExecutionGraph } from '../contracts/graph.js';

export type { CompileResult };

export type SideName = 'old' | 'new';

/** A side that compiled: everything non-null. */
export interface CompiledSide {
  readonly side: SideName;
  /** What the user sees: `plans/orders.yaml` or `plans/orders.yaml@origin/main`. */
  readonly displayName: string;
  readonly plan: Plan;
  readonly graph: ExecutionGraph;
  readonly artifacts: readonly Artifact[];
  /** The files the plan names (post_load_sql) as read for this side; compared like artifacts. */
  readonly planFiles?: readonly PlanFile[];
  /** Warnings and infos that did not stop compilation. */
  readonly diagnostics: readonly Diagnostic[];
}
