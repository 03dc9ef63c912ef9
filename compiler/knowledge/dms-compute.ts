// Where DMS runs: a provisioned replication instance or DMS Serverless. One place answers "which form
// does this plan use" and gives rules what both forms share (the pg_hba address ranges, Multi-AZ, the
// network and encryption references) with the plan pointer of each, so no rule reads one form only.

import type { Plan } from '../model/plan.js';

export interface DmsCompute {
  readonly form: 'replication-instance' | 'serverless';
  /** JSON Pointer of the form's object in the plan. */
  readonly pointer: '/dms/replication_instance' | '/dms/serverless';
  /** What people call it in messages. */
  readonly what: string;
  readonly source_cidrs: readonly string[];
  readonly multi_az: boolean;
  readonly security_groups: readonly string[];
  readonly kms_key_id: string | null;
  readonly preferred_maintenance_window: string | null;
}

/** The compute form of the plan (the replication instance when both are written: PGF3230 reports that). */
export function dmsCompute(plan: Plan): DmsCompute | null {
  const instance = plan.dms.replication_instance;
  if (instance !== null)
    return {
      form: 'replication-instance',
      pointer: '/dms/replication_instance',
      what: `replication instance "${instance.identifier}"`,
      source_cidrs: instance.source_cidrs,
      multi_az: instance.multi_az,
      security_groups: instance.security_groups,
      kms_key_id: instance.kms_key_id,
      preferred_maintenance_window: instance.preferred_maintenance_window,
    };
  const serverless = plan.dms.serverless;
  if (serverless === null) return null;
  return {
    form: 'serverless',
    pointer: '/dms/serverless',
    what: 'DMS Serverless replications',
    source_cidrs: serverless.source_cidrs,
    multi_az: serverless.multi_az,
    security_groups: serverless.security_groups,
    kms_key_id: serverless.kms_key_id,
    preferred_maintenance_window: serverless.preferred_maintenance_window,
  };
}

/** The plan runs its tasks as DMS Serverless replications (and has no replication instance). */
export function isServerless(plan: Plan): boolean {
  return plan.dms.replication_instance === null && plan.dms.serverless !== null;
}

/** The source_cidrs of whichever form the plan uses; none when it has neither (PGF3230). */
export function dmsSourceCidrs(plan: Plan): readonly string[] {
  return dmsCompute(plan)?.source_cidrs ?? [];
}
