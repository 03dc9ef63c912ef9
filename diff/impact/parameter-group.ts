// fk_strategy parameter_group in the impact summary. The group is never created or replaced: pgferry
// changes one parameter in it with ModifyDB(Cluster)ParameterGroup, in place (the SDK's Modify… input
// carries Parameters), and every database on the instance sees the change until cutover reverts it.
// Naming another group (or instance) once a run set the first one means reverting that one first.

import { rdsIdentifier, usesParameterGroup } from '../../compiler/emit/rds-requests.js';
import type { Plan } from '../../compiler/model/plan.js';
import type { Consequence } from './consequence.js';

function where(plan: Plan): string {
  const kind = plan.target.kind === 'aurora' ? 'DB cluster' : 'DB instance';
  return `${plan.target.parameter_group} on ${kind} ${rdsIdentifier(plan) ?? '(unknown)'}`;
}

export function parameterGroupImpact(before: Plan, after: Plan): Consequence[] {
  const was = usesParameterGroup(before);
  const now = usesParameterGroup(after);
  if (!was && !now) return [];
  const subject = 'target/parameter_group';
  if (!was) {
    return [
      {
        severity: 'medium',
        kind: 'rds-parameter-group',
        subject,
        message: `parameter group ${where(after)}: session_replication_role = replica from apply until cutover, modified in place (ModifyDBParameterGroup): every database on the instance runs without foreign key and trigger enforcement meanwhile`,
        details: [`fk_strategy: ${before.target.fk_strategy} → parameter_group`],
      },
    ];
  }
  if (!now) {
    return [
      {
        severity: 'medium',
        kind: 'rds-parameter-group',
        subject,
        message: `parameter group ${where(before)} is no longer changed; a run that already set it must put it back first (pgferry abort reverts it)`,
        details: [`fk_strategy: parameter_group → ${after.target.fk_strategy}`],
      },
    ];
  }
  if (where(before) === where(after)) return [];
  return [
    {
      severity: 'medium',
      kind: 'rds-parameter-group',
      subject,
      message: `parameter group changes from ${where(before)} to ${where(after)}: a run that already set the first must revert it before the other is set (pgferry abort)`,
      details: [`${where(before)} → ${where(after)}`],
    },
  ];
}
