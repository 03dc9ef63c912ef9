// A consequence is one line of the impact summary: what the change does to the source host, to DMS or
// to the migration in flight. Ordered by risk: severity first, then the kind order below (the order a
// reviewer should read them in); within a kind, the order the analysers produce (sorted artifact paths,
// task ids), which the stable sort keeps.

import { canonicalJson } from '../../contracts/canonical-json.js';

export type Severity = 'high' | 'medium' | 'low';

export const CONSEQUENCE_KINDS = [
  'source-restart',
  'source-reload',
  'pg-hba',
  'dms-replace',
  'dms-delete',
  'dms-stop-modify-resume',
  'dms-modify',
  'dms-create',
  'table-selection',
  'slot',
  'source-role',
  'target-sql',
  'rds-parameter-group',
  'cutover-policy',
  'graph',
  'diagnostics',
] as const;

export type ConsequenceKind = (typeof CONSEQUENCE_KINDS)[number];

export interface Consequence {
  readonly severity: Severity;
  readonly kind: ConsequenceKind;
  /** What is affected: `source`, `dms/tasks/orders-cdc`, `target/orders/cutover.sql`. */
  readonly subject: string;
  /** One line. */
  readonly message: string;
  /** Specifics a reviewer may want (settings old → new, rules, tables), one per line. */
  readonly details: readonly string[];
}

const severityRank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function sortConsequences(consequences: readonly Consequence[]): Consequence[] {
  return [...consequences].sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      CONSEQUENCE_KINDS.indexOf(a.kind) - CONSEQUENCE_KINDS.indexOf(b.kind),
  );
}

/** A JSON value as a reviewer reads it in one line. */
export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return value === '' ? "''" : value;
  return JSON.stringify(value);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null, 0) === canonicalJson(b ?? null, 0);
}

/** Said when artifacts differ but nothing acts on a host, in AWS or on the target (a description, say). */
export const NO_CONSEQUENCE = 'no effect on the source host, DMS or the target: only the compiled plan record changes';
