// The preflight's look at the source against the catalog snapshot the plan was reviewed with
// (`apply --catalog REVIEWED.json`): a fresh snapshot is read through the agent, what changed is said
// with `pgferry catalog --compare`'s comparison, and a change blocks when it makes the plan wrong for
// the source: a snapshot of another cluster, or a catalog rule that now fails and did not at review (a
// primary key dropped on a table a CDC task streams, a table turned unlogged, …). The rest (a table
// added, a column added) informs.

import { catalogChanges } from '../catalog/changes.js';
import { checkSnapshotFormat } from '../catalog/snapshot-format.js';
import { lookupCode } from '../compiler/diagnostics/codes.js';
import type { Plan } from '../compiler/model/plan.js';
import { checkPlan, type Finding } from '../compiler/rules/index.js';
import type { CatalogSnapshot } from '../contracts/catalog.js';
import type { AgentClient } from './agent-client.js';
import { NodeFailure } from './types.js';

export interface ReviewedCatalog {
  /** The file as the operator named it, for messages. */
  readonly file: string;
  readonly snapshot: CatalogSnapshot;
}

export interface CatalogDrift {
  /** Why the plan must not go on against this source. */
  readonly blocking: readonly string[];
  /** What changed that the plan copes with. */
  readonly informing: readonly string[];
}

export interface CatalogReview extends ReviewedCatalog {
  /** The databases to read fresh (the plan's). */
  readonly databases: readonly string[];
  drift(fresh: CatalogSnapshot): CatalogDrift;
}

const isError = (finding: Finding) => (finding.severity ?? lookupCode(finding.code)?.severity) === 'error';

/** Catalog-rule errors (PGF5xxx) of the plan against a snapshot, as text. */
function catalogErrors(plan: Plan, catalog: CatalogSnapshot): Set<string> {
  return new Set(
    checkPlan(plan, catalog)
      .filter((finding) => finding.code.startsWith('PGF5') && isError(finding))
      .map((finding) => `${finding.code} ${finding.message}`),
  );
}

export function catalogDrift(plan: Plan, reviewed: CatalogSnapshot, fresh: CatalogSnapshot): CatalogDrift {
  const compared = catalogChanges(reviewed, fresh);
  if (compared.otherCluster !== null) return { blocking: [compared.otherCluster], informing: [] };
  const before = catalogErrors(plan, reviewed);
  const blocking = [...catalogErrors(plan, fresh)].filter((error) => !before.has(error));
  return { blocking, informing: compared.changes };
}

export function catalogReview(plan: Plan, reviewed: ReviewedCatalog): CatalogReview {
  return {
    ...reviewed,
    databases: [...plan.source.databases],
    drift: (fresh) => catalogDrift(plan, reviewed.snapshot, fresh),
  };
}

/**
 * A fresh snapshot of the plan's databases through the agent (no LOB sampling: the comparison does not
 * use sizes), compared with the reviewed one: blocking changes fail the node, the others are its note.
 */
export async function reviewCatalog(
  agent: AgentClient,
  review: CatalogReview,
): Promise<{ note: string; changes: number }> {
  const body = await agent.call('catalog', { query: { databases: review.databases.join(','), lob: 'off' } });
  let fresh: CatalogSnapshot;
  try {
    fresh = checkSnapshotFormat(body, 'the catalog served by the agent');
  } catch (error) {
    throw new NodeFailure(error instanceof Error ? error.message : String(error));
  }
  const drift = review.drift(fresh);
  const also = drift.informing.length > 0 ? `; other changes: ${drift.informing.join('; ')}` : '';
  if (drift.blocking.length > 0) {
    throw new NodeFailure(
      `the source changed since the plan was reviewed against ${review.file}, and the plan no longer fits it: ` +
        `${drift.blocking.join('; ')}${also}. Fix the source, or review the plan against a fresh snapshot ` +
        `(pgferry catalog --plan PLAN --compare ${review.file} -o fresh.json; pgferry validate PLAN --catalog fresh.json)`,
    );
  }
  return {
    changes: drift.informing.length,
    note:
      drift.informing.length === 0
        ? `source catalog unchanged since ${review.file}`
        : `${drift.informing.length} change(s) on the source since ${review.file}, none blocking: ${drift.informing.join('; ')}`,
  };
}
