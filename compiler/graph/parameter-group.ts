// fk_strategy parameter_group (emit/rds-requests.ts usesParameterGroup): one node sets session_replication_role = replica in the target's
// parameter group before any target database is prepared (so before any load), and one puts it back
// at cutover once every task has delivered its last change and before any foreign key is checked
// again (the group serves the whole instance, so it waits for every database). Abort reverts it as the
// apply node's compensation. Without that strategy the graph has neither node.

import { compareText } from '../../contracts/compare.js';
import type { NODE_OUTPUTS, NodeInput, RdsParameterGroupTarget } from '../../contracts/node-inputs.js';
import { refPlaceholder } from '../../contracts/secret-ref.js';
import {
  parameterGroupApplyRequest,
  parameterGroupResetRequest,
  parameterGroupRestoreRequest,
  REPLICATION_ROLE_PARAMETER,
  rdsIdentifier,
  usesParameterGroup,
} from '../emit/rds-requests.js';
import { targetDatabase } from '../model/names.js';
import { nodeId } from '../model/node-ids.js';
import { compensation, type GraphBuilder } from './builder.js';
import { fact } from './facts.js';

function groupTarget(b: GraphBuilder): RdsParameterGroupTarget {
  const { plan } = b;
  return {
    region: plan.dms.region,
    kind: plan.target.kind === 'aurora' ? 'aurora' : 'rds',
    identifier: rdsIdentifier(plan) ?? '',
    parameterGroup: plan.target.parameter_group ?? '',
    parameter: REPLICATION_ROLE_PARAMETER,
    connections: plan.source.databases.map((db) => b.targetConnection(targetDatabase(plan, db))),
  };
}

const previousValue: (typeof NODE_OUTPUTS.RdsParameterGroupApply)[number] = 'previousValue';

function revertInput(b: GraphBuilder): NodeInput<'RdsParameterGroupRevert'> {
  const previous = refPlaceholder(nodeId.parameterGroupApply, previousValue);
  return {
    ...groupTarget(b),
    previous,
    restore: parameterGroupRestoreRequest(b.plan, previous),
    reset: parameterGroupResetRequest(b.plan),
  };
}

/** The apply node, before every TargetPrepare (which checks new sessions are replica). */
export function addParameterGroupApply(b: GraphBuilder): void {
  if (!usesParameterGroup(b.plan)) return;
  b.add({
    id: nodeId.parameterGroupApply,
    kind: 'RdsParameterGroupApply',
    phase: 'prepare',
    title: `Set session_replication_role = replica in parameter group ${b.plan.target.parameter_group}`,
    requires: [],
    provides: [fact.parameterGroupReplica],
    input: { ...groupTarget(b), value: 'replica', request: parameterGroupApplyRequest(b.plan) },
    origin: '/target/parameter_group',
    compensation: compensation(
      'RdsParameterGroupRevert',
      `Put session_replication_role back in parameter group ${b.plan.target.parameter_group}`,
      revertInput(b),
    ),
  });
}

/**
 * The revert node: after everything any TargetFkRestore waits for (all drains and loads), before every
 * TargetFkRestore (they require its fact). Call once the cutover nodes are in the builder.
 */
export function addParameterGroupRevert(b: GraphBuilder): void {
  if (!usesParameterGroup(b.plan)) return;
  const after = new Set<string>();
  for (const node of b.nodes) {
    if (node.kind !== 'TargetFkRestore') continue;
    for (const required of node.requires) if (required !== fact.parameterGroupReverted) after.add(required);
  }
  b.add({
    id: nodeId.parameterGroupRevert,
    kind: 'RdsParameterGroupRevert',
    phase: 'cutover',
    title: `Put session_replication_role back in parameter group ${b.plan.target.parameter_group}`,
    requires: [...after].sort(compareText),
    provides: [fact.parameterGroupReverted],
    input: revertInput(b),
    origin: '/target/parameter_group',
  });
}
