// A semantic rule: one file each, pure, never mutates the plan. It reports findings by JSON Pointer;
// the pipeline turns pointers into file:line:column, so no rule computes a location itself.

import type { CatalogSnapshot } from '../../contracts/catalog.js';
import type { CodeInfo } from '../diagnostics/codes.js';
import type { Plan } from '../model/plan.js';
import type { PlanFileRead } from '../plan-files.js';

export interface FindingNote {
  readonly message: string;
  /** Another place in the plan the note points at. */
  readonly pointer?: string;
}

export interface Finding {
  readonly code: string;
  /** JSON Pointer into the plan (and so into the YAML), e.g. `/dms/tasks/1/slot_name`. */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
  readonly notes?: readonly FindingNote[];
  /** Only when a rule reports at a severity other than its code's default (rare). */
  readonly severity?: 'error' | 'warning' | 'info';
}

export interface RuleContext {
  readonly plan: Plan;
  /** Present only for `validate --catalog`: checks against the real source catalog. */
  readonly catalog: CatalogSnapshot | null;
  /** The files the plan names as already read (by path as spelled in the plan); null when not read. */
  readonly planFiles: ReadonlyMap<string, PlanFileRead> | null;
  report(finding: Finding): void;
}

export interface Rule {
  /** The code(s) this rule reports; the first is its id in `pgferry rules`. */
  readonly codes: readonly CodeInfo[];
  /** Catalog rules run only when a snapshot is given. */
  readonly needsCatalog: boolean;
  check(context: RuleContext): void;
}
