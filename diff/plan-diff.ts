// The whole comparison of two compiled plans: the impact summary, the per-artifact diffs and the graph
// change. Renderers (text, markdown, json) only format this object.

import { posix } from 'node:path';
import type { Artifact } from '../compiler/artifact.js';
import type { SourceBundle } from '../contracts/bundle.js';
import { artifactPath } from '../contracts/node-inputs.js';
import { type ArtifactChange, diffArtifacts } from './artifact-diff.js';
import { diffGraphs, type GraphChange } from './graph-diff.js';
import { type Consequence, sortConsequences } from './impact/consequence.js';
import { dmsImpact } from './impact/dms.js';
import { diagnosticsImpact, graphImpact, PLAN_FILE_PREFIX, targetSqlImpact } from './impact/misc.js';
import { planImpact } from './impact/plan.js';
import { sourceImpact } from './impact/source.js';
import { readJsonArtifact } from './normalise.js';
import type { CompiledSide } from './side.js';

export interface PlanDiff {
  readonly old: CompiledSide;
  readonly new: CompiledSide;
  /** False exactly when no reviewed artifact differs (the exit code). */
  readonly changed: boolean;
  readonly impact: readonly Consequence[];
  readonly artifacts: readonly ArtifactChange[];
  readonly graph: GraphChange;
}

function bundleOf(side: CompiledSide): SourceBundle | null {
  const json = readJsonArtifact(side.artifacts, artifactPath.bundle);
  return json !== null && typeof json === 'object' ? (json as SourceBundle) : null;
}

/** The compiled output plus the post_load_sql files as read for that side (from git for `--base`). */
function reviewedFiles(side: CompiledSide): Artifact[] {
  const files = (side.planFiles ?? []).map((file) => ({
    path: `${PLAN_FILE_PREFIX}${posix.normalize(file.path.split('\\').join('/'))}`,
    content: file.content,
  }));
  return [...side.artifacts, ...files];
}

export function diffPlans(before: CompiledSide, after: CompiledSide): PlanDiff {
  const artifacts = diffArtifacts(reviewedFiles(before), reviewedFiles(after));
  const graph = diffGraphs(before.graph, after.graph);
  const changed = artifacts.length > 0;
  const impact = changed
    ? sortConsequences([
        ...sourceImpact(bundleOf(before), bundleOf(after)),
        ...dmsImpact(before.artifacts, after.artifacts),
        ...planImpact(before.plan, after.plan),
        ...targetSqlImpact(artifacts),
        ...graphImpact(graph),
        ...diagnosticsImpact(before.diagnostics, after.diagnostics),
      ])
    : [];
  return { old: before, new: after, changed, impact, artifacts, graph };
}
