// The machine-readable form (`--format json`); its schema is documented in docs/diff.md and versioned
// by `formatVersion`, bumped only on incompatible changes.

import { canonicalJson } from '../../contracts/canonical-json.js';
import type { PlanDiff } from '../plan-diff.js';
import type { CompiledSide } from '../side.js';

export const DIFF_JSON_FORMAT_VERSION = 1;

function sideSummary(side: CompiledSide) {
  return { name: side.displayName, plan: side.plan.name, planHash: side.graph.planHash };
}

export function diffJson(diff: PlanDiff) {
  return {
    formatVersion: DIFF_JSON_FORMAT_VERSION,
    changed: diff.changed,
    old: sideSummary(diff.old),
    new: sideSummary(diff.new),
    impact: diff.impact.map((c) => ({ ...c, details: [...c.details] })),
    artifacts: diff.artifacts.map((a) => ({ ...a })),
    graph: { added: diff.graph.added, removed: diff.graph.removed, changed: diff.graph.changed },
  };
}

export function renderJson(diff: PlanDiff): string {
  return canonicalJson(diffJson(diff));
}
