// The RDS API requests of fk_strategy parameter_group, typed by the SDK's own *CommandInput types: the
// Modify… that sets session_replication_role = replica in the target's parameter group, the Modify… that
// puts a previous value back and the Reset… that returns it to the engine default. An RDS instance has
// a DB parameter group; an Aurora cluster a DB cluster parameter group (…Cluster… requests).

import type {
  ModifyDBClusterParameterGroupCommandInput,
  ModifyDBParameterGroupCommandInput,
  ResetDBClusterParameterGroupCommandInput,
  ResetDBParameterGroupCommandInput,
} from '@aws-sdk/client-rds';
import type { Plan } from '../model/plan.js';

export const REPLICATION_ROLE_PARAMETER = 'session_replication_role';

type ModifyRequest = ModifyDBParameterGroupCommandInput | ModifyDBClusterParameterGroupCommandInput;
type ResetRequest = ResetDBParameterGroupCommandInput | ResetDBClusterParameterGroupCommandInput;

/** Whether the plan has pgferry set and revert the parameter group (the rules refuse an incomplete setup). */
export function usesParameterGroup(plan: Plan): boolean {
  return plan.target.fk_strategy === 'parameter_group' && plan.target.kind !== 'self-managed';
}

/**
 * RDS endpoints are `<instance>.<account hash>.<region>.rds.amazonaws.com` and Aurora cluster endpoints
 * `<cluster>.cluster-[ro-]<hash>.<region>.rds.amazonaws.com` (AWS's endpoint formats); the first label is
 * the identifier. An Aurora instance or custom endpoint names something else, so it derives nothing.
 */
const RDS_HOST = /^([A-Za-z][A-Za-z0-9-]{0,62})\.([a-z0-9-]+)\.[a-z0-9-]+\.rds\.amazonaws\.com(\.cn)?$/;

/** The DB instance (rds) or DB cluster (aurora) identifier: the plan's, else the host's; null if neither. */
export function rdsIdentifier(plan: Plan): string | null {
  if (plan.target.identifier !== null) return plan.target.identifier;
  const match = RDS_HOST.exec(plan.target.host.toLowerCase());
  if (!match) return null;
  const second = match[2]!;
  if (plan.target.kind === 'aurora') {
    return second.startsWith('cluster-') && !second.startsWith('cluster-custom-') ? match[1]! : null;
  }
  return second.startsWith('cluster-') ? null : match[1]!;
}

function modify(plan: Plan, value: string): ModifyRequest {
  const group = plan.target.parameter_group ?? '';
  const Parameters = [
    { ParameterName: REPLICATION_ROLE_PARAMETER, ParameterValue: value, ApplyMethod: 'immediate' as const },
  ];
  return plan.target.kind === 'aurora'
    ? { DBClusterParameterGroupName: group, Parameters }
    : { DBParameterGroupName: group, Parameters };
}

/** session_replication_role = replica, applied immediately (a dynamic parameter: no reboot). */
export function parameterGroupApplyRequest(plan: Plan): ModifyRequest {
  return modify(plan, 'replica');
}

/** The value the group had before apply changed it (a placeholder for apply's output). */
export function parameterGroupRestoreRequest(plan: Plan, previous: string): ModifyRequest {
  return modify(plan, previous);
}

/** Back to the engine default, for a group that did not set the parameter before. */
export function parameterGroupResetRequest(plan: Plan): ResetRequest {
  const group = plan.target.parameter_group ?? '';
  const Parameters = [{ ParameterName: REPLICATION_ROLE_PARAMETER, ApplyMethod: 'immediate' as const }];
  return plan.target.kind === 'aurora'
    ? { DBClusterParameterGroupName: group, Parameters }
    : { DBParameterGroupName: group, Parameters };
}
