// Small builders over the base plan so each table row states only what it changes, plus the runner
// every rule test uses: findings restricted to one rule's codes, as `CODE@pointer` strings.

import { expect } from 'vitest';
import { parseVersion } from '../../../compiler/front/resolve-plan.js';
import type { Plan, Task } from '../../../compiler/model/plan.js';
import type { PlanFileRead } from '../../../compiler/plan-files.js';
import { type CheckOptions, checkPlan, type Finding, type Rule } from '../../../compiler/rules/index.js';
import {
  CATALOG_FORMAT_VERSION,
  type CatalogColumn,
  type CatalogSnapshot,
  type CatalogTable,
} from '../../../contracts/catalog.js';

export type CatalogRow = CatalogColumn;

import { basePlan, cdcPlan, patchPlan, planWith } from '../../support/base-plan.js';

export { basePlan, cdcPlan, patchPlan, planWith };

type TaskPatch = { -readonly [K in keyof Task]?: Task[K] };

/** A task like the base plan's full-load task, with overrides. */
export function task(patch: TaskPatch = {}): Task {
  return { ...basePlan.dms.tasks[0]!, ...patch };
}

/** A CDC (full-load-and-cdc, heartbeat on) task with overrides. */
export function cdcTask(patch: TaskPatch = {}): Task {
  return { ...cdcPlan.dms.tasks[0]!, ...patch };
}

/** The base plan with its tasks replaced. */
export function withTasks(tasks: readonly Task[], base: Plan = basePlan): Plan {
  return { ...base, dms: { ...base.dms, tasks } };
}

/** The CDC plan (13 → 16, one full-load-and-cdc task) with a deep patch; arrays are replaced whole. */
export function cdcWith(patch: Parameters<typeof planWith>[0]): Plan {
  return patchPlan(cdcPlan, patch);
}

export interface Row {
  readonly name: string;
  readonly plan: Plan;
  readonly catalog?: CatalogSnapshot;
  /** The files the plan names as read (compiler/plan-files.ts), for the rule that checks them. */
  readonly planFiles?: ReadonlyMap<string, PlanFileRead>;
  /** `CODE@pointer` for every finding of the rule's codes, in checkPlan order. */
  readonly want: readonly string[];
  /** Words every reported message must contain (case-insensitive). */
  readonly words?: readonly string[];
  /** Words every reported hint (what to write instead) must contain (case-insensitive). */
  readonly hints?: readonly string[];
}

export function findingsOf(
  rule: Rule,
  plan: Plan,
  catalog: CatalogSnapshot | null = null,
  options: CheckOptions = {},
): Finding[] {
  const own = new Set(rule.codes.map((info) => info.code));
  return checkPlan(plan, catalog, options).filter((finding) => own.has(finding.code));
}

export function expectRow(rule: Rule, row: Row): void {
  const findings = findingsOf(rule, row.plan, row.catalog ?? null, { planFiles: row.planFiles });
  expect(findings.map((finding) => `${finding.code}@${finding.pointer}`)).toEqual(row.want);
  for (const finding of findings) {
    for (const word of row.words ?? []) expect(finding.message.toLowerCase()).toContain(word.toLowerCase());
    for (const word of row.hints ?? []) expect((finding.hint ?? '').toLowerCase()).toContain(word.toLowerCase());
  }
}

export function catalogTable(patch: Partial<CatalogTable> & { name: string }): CatalogTable {
  return {
    schema: 'public',
    kind: 'table',
    persistence: 'permanent',
    parents: [],
    isPartition: false,
    primaryKey: ['id'],
    replicaIdentity: 'default',
    hasUniqueIndex: true,
    columns: [{ name: 'id', type: 'bigint', concern: null, notNull: true, generated: '', identity: '' }],
    estimatedRows: 100,
    sizeBytes: 8192,
    ...patch,
  };
}

/** A snapshot of the base plan's `orders` database (PostgreSQL 9.5.21) holding the given tables. */
export function catalogWith(tables: readonly CatalogTable[], patch: Partial<CatalogSnapshot> = {}): CatalogSnapshot {
  return {
    formatVersion: CATALOG_FORMAT_VERSION,
    capturedAt: '2026-11-25T00:00:00Z',
    serverVersionNum: 90521,
    cluster: { systemIdentifier: '7000000000000000001', serverVersion: '9.5.21', isStandby: false },
    host: {
      settings: [],
      replicationSlots: [],
      walSenders: [],
      longTransactionSeconds: 600,
      longTransactions: [],
      preparedTransactions: 0,
      hba: null,
    },
    lobSampling: { method: 'tablesample', rowCap: 1000, maxTables: 100, tablesOverBudget: 0, tablesWithoutSelect: 0 },
    databases: [
      {
        name: 'orders',
        encoding: 'UTF8',
        collate: 'en_US.UTF-8',
        ctype: 'en_US.UTF-8',
        schemas: ['public'],
        tables,
        sizeBytes: 8_000_000,
        sequences: [],
        extensions: [],
        triggers: [],
        eventTriggers: [],
        largeObjects: { count: 0 },
      },
    ],
    ...patch,
  };
}

/** A PgVersion from its text (`9.5.21` → {major 9.5, num 90521}), parsed as the front end parses plans. */
export const pgVersion: (text: string) => Plan['source']['version'] = parseVersion;
