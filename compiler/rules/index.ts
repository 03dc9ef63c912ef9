// Every semantic rule, and the entry point that runs them. Rules are pure; checkPlan collects their
// findings, checks each code belongs to the rule that reported it, applies the plan's waivers and sorts.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { compareText } from '../../contracts/compare.js';
import type { CodeInfo } from '../diagnostics/codes.js';
import type { Plan } from '../model/plan.js';
import type { PlanFileRead } from '../plan-files.js';
import { assessmentRule } from './assessment.js';
import { catalogCapacityRule } from './catalog-capacity.js';
import { catalogColumnsRule } from './catalog-columns.js';
import { catalogDatabaseRule } from './catalog-database.js';
import { catalogKeysRule } from './catalog-keys.js';
import { catalogSelectionRule } from './catalog-selection.js';
import { catalogStructureRule } from './catalog-structure.js';
import { catalogTableSettingsRule } from './catalog-table-settings.js';
import { catalogTransformationsRule } from './catalog-transformations.js';
import { cdcTaskRule } from './cdc-task.js';
import { cutoverRule } from './cutover.js';
import { engineVersionRule } from './engine-version.js';
import { fullLoadRule } from './full-load.js';
import { hbaRule } from './hba.js';
import { identifiersRule } from './identifiers.js';
import { lobRule } from './lob.js';
import { parameterGroupRule } from './parameter-group.js';
import { patroniRule } from './patroni.js';
import { postLoadSqlFilesRule } from './post-load-sql-files.js';
import { replicationBudgetRule } from './replication-budget.js';
import { replicationInstanceRule } from './replication-instance.js';
import type { Finding, Rule } from './rule.js';
import { secretsRule } from './secrets.js';
import { serverlessRule } from './serverless.js';
import { sourceAccessRule } from './source-access.js';
import { tableSelectionRule } from './table-selection.js';
import { tableSettingsRule } from './table-settings.js';
import { targetRule } from './target.js';
import { targetCertificateRule } from './target-certificate.js';
import { taskSettingsRule } from './task-settings.js';
import { transformationsRule } from './transformations.js';
import { versionsRule } from './versions.js';
import { applyWaivers, WAIVER_INVALID, WAIVER_UNUSED } from './waivers.js';
import { walSettingsRule } from './wal-settings.js';

export type { Finding, Rule } from './rule.js';

export const rules: readonly Rule[] = Object.freeze([
  versionsRule,
  engineVersionRule,
  replicationBudgetRule,
  walSettingsRule,
  hbaRule,
  identifiersRule,
  replicationInstanceRule,
  serverlessRule,
  tableSelectionRule,
  cdcTaskRule,
  lobRule,
  fullLoadRule,
  taskSettingsRule,
  assessmentRule,
  transformationsRule,
  tableSettingsRule,
  targetRule,
  parameterGroupRule,
  postLoadSqlFilesRule,
  targetCertificateRule,
  secretsRule,
  sourceAccessRule,
  cutoverRule,
  patroniRule,
  catalogSelectionRule,
  catalogKeysRule,
  catalogColumnsRule,
  catalogStructureRule,
  catalogDatabaseRule,
  catalogTransformationsRule,
  catalogTableSettingsRule,
  catalogCapacityRule,
]);

const waiverCodes: readonly CodeInfo[] = [WAIVER_UNUSED, WAIVER_INVALID];

/** Every code the rules can report, sorted by code: the catalogue behind `pgferry rules`. */
export function ruleCodes(): CodeInfo[] {
  return [...rules.flatMap((rule) => rule.codes), ...waiverCodes].sort((a, b) => compareText(a.code, b.code));
}

function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.pointer, b.pointer) || compareText(a.code, b.code) || compareText(a.message, b.message);
}

export interface CheckOptions {
  /** The files the plan names (post_load_sql) as read by the caller (compiler/plan-files.ts); the rule
   * that checks them is skipped without. */
  readonly planFiles?: ReadonlyMap<string, PlanFileRead> | undefined;
}

/**
 * The directory of a plan named as on the command line, when the plan really is there. A name that
 * does not resolve from this process's directory (`plan.yaml@main` in a diff, a caller with its own
 * working directory) gives none, so file rules are skipped rather than wrong.
 */
export function planDirOf(file: string): string | undefined {
  const path = resolve(file);
  return existsSync(path) ? dirname(path) : undefined;
}

export function checkPlan(plan: Plan, catalog: CatalogSnapshot | null = null, options: CheckOptions = {}): Finding[] {
  return runRules(rules, plan, catalog, options);
}

/** Runs the given rules (checkPlan runs all of them); exported so tests can run a single rule or a broken one. */
export function runRules(
  ruleList: readonly Rule[],
  plan: Plan,
  catalog: CatalogSnapshot | null = null,
  options: CheckOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of ruleList) {
    if (rule.needsCatalog && !catalog) continue;
    const own = new Set(rule.codes.map((info) => info.code));
    rule.check({
      plan,
      catalog,
      planFiles: options.planFiles ?? null,
      report(finding) {
        if (!own.has(finding.code)) {
          throw new Error(`rule ${rule.codes[0]?.code} reported ${finding.code}, which it does not declare`);
        }
        findings.push(finding);
      },
    });
  }
  return applyWaivers(plan, findings).sort(compareFindings);
}
