// fk_strategy parameter_group in the graph: the group is set before any target database is prepared
// (so before any load), put back once every task drained and before any foreign key is checked, and
// abort undoes it through the set node's compensation. The RDS requests match the SDK's API model.

import * as rds from '@aws-sdk/client-rds';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { fact } from '../../../compiler/graph/facts.js';
import { verifyGraph } from '../../../compiler/graph/verify-graph.js';
import { nodeId } from '../../../compiler/model/node-ids.js';
import type { Plan } from '../../../compiler/model/plan.js';
import type { ExecutionGraph } from '../../../contracts/graph.js';
import { checkAgainstModel } from '../../support/aws-model.js';
import { basePlan, cdcPlan, planWith } from '../../support/base-plan.js';

const model = rds as unknown as Record<string, unknown>;
const withGroup = (plan: Plan, kind: 'rds' | 'aurora' = 'rds'): Plan => ({
  ...plan,
  target: {
    ...plan.target,
    kind,
    host: kind === 'aurora' ? 'orders.cluster-c1abcdefghij.eu-west-1.rds.amazonaws.com' : plan.target.host,
    fk_strategy: 'parameter_group',
    parameter_group: 'orders-pg16',
  },
});

/** Whether `from` comes before `to` along the graph's edges. */
function reaches(graph: ExecutionGraph, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

describe('parameter group nodes', () => {
  test('no other strategy has them', () => {
    const ids = buildGraph(basePlan).nodes.map((node) => node.id);
    expect(ids).not.toContain(nodeId.parameterGroupApply);
    expect(ids).not.toContain(nodeId.parameterGroupRevert);
  });

  test('set before every prepare and task start; reverted after the drain, before the foreign keys and writes-open', () => {
    const graph = buildGraph(withGroup(cdcPlan));
    const apply = graph.nodes.find((node) => node.id === nodeId.parameterGroupApply)!;
    expect(apply).toMatchObject({ executor: 'rds', phase: 'prepare', origin: '/target/parameter_group' });
    expect(apply.compensation?.kind).toBe('RdsParameterGroupRevert');
    const task = cdcPlan.dms.tasks[0]!.id;
    expect(reaches(graph, nodeId.parameterGroupApply, nodeId.targetPrepare('orders'))).toBe(true);
    expect(reaches(graph, nodeId.parameterGroupApply, `dms.task.${task}.start`)).toBe(true);
    expect(reaches(graph, nodeId.cutoverMarkerWait(task), nodeId.parameterGroupRevert)).toBe(true);
    expect(reaches(graph, nodeId.parameterGroupRevert, nodeId.cutoverFkRestore('orders'))).toBe(true);
    expect(reaches(graph, nodeId.parameterGroupRevert, 'gate.writes-open')).toBe(true);
    const revert = graph.nodes.find((node) => node.id === nodeId.parameterGroupRevert)!;
    expect(revert.requires).toEqual([fact.targetSequencesSynced('orders')]);
    expect(revert.input.previous).toBe('@ref(target.parameter-group.apply#previousValue)');
    // prepare.sql only checks the group took effect: the group's node carries the undo.
    expect(graph.nodes.find((node) => node.id === nodeId.targetPrepare('orders'))?.compensation).toBeNull();
  });

  test('the graph verifies: the undo may read what its own node recorded, and nothing it lacks', () => {
    const graph = buildGraph(withGroup(cdcPlan));
    expect(verifyGraph(graph)).toEqual([]);
    const apply = graph.nodes.find((node) => node.id === nodeId.parameterGroupApply)!;
    const broken = {
      ...graph,
      nodes: graph.nodes.map((node) =>
        node === apply
          ? {
              ...node,
              compensation: { ...node.compensation!, input: { previous: '@ref(target.parameter-group.apply#nope)' } },
            }
          : node,
      ),
    };
    expect(verifyGraph(broken).map((finding) => finding.message)).toEqual([
      'node "target.parameter-group.apply" refers to output "nope" that RdsParameterGroupApply lacks',
    ]);
  });

  test('the instance or cluster identifier comes from the endpoint host, or the plan', () => {
    const byHost = buildGraph(withGroup(basePlan)).nodes.find((node) => node.id === nodeId.parameterGroupApply)!;
    expect(byHost.input).toMatchObject({ kind: 'rds', identifier: 'orders', parameterGroup: 'orders-pg16' });
    const aurora = buildGraph(withGroup(basePlan, 'aurora')).nodes.find(
      (node) => node.id === nodeId.parameterGroupApply,
    )!;
    expect(aurora.input).toMatchObject({ kind: 'aurora', identifier: 'orders' });
    const named = withGroup(planWith({ target: { host: 'db.example.com', identifier: 'orders-prod' } }));
    expect(buildGraph(named).nodes.find((node) => node.id === nodeId.parameterGroupApply)?.input.identifier).toBe(
      'orders-prod',
    );
  });

  test.each(['rds', 'aurora'] as const)('%s requests match the API model shipped with the SDK', (kind) => {
    const graph = buildGraph(withGroup(basePlan, kind));
    const apply = graph.nodes.find((node) => node.id === nodeId.parameterGroupApply)!;
    const revert = graph.nodes.find((node) => node.id === nodeId.parameterGroupRevert)!;
    const group = kind === 'aurora' ? 'DBClusterParameterGroup' : 'DBParameterGroup';
    const problems = [
      ...checkAgainstModel(apply.input.request, model[`Modify${group}Message$`]),
      ...checkAgainstModel(revert.input.restore, model[`Modify${group}Message$`]),
      ...checkAgainstModel(revert.input.reset, model[`Reset${group}Message$`]),
    ];
    expect(problems).toEqual([]);
    expect(apply.input.request).toMatchObject({
      Parameters: [{ ParameterName: 'session_replication_role', ParameterValue: 'replica', ApplyMethod: 'immediate' }],
    });
    // The cluster request is not a DB parameter group request: the model tells them apart.
    const wrong = checkAgainstModel(
      apply.input.request,
      model[`Modify${kind === 'aurora' ? 'DBParameterGroup' : 'DBClusterParameterGroup'}Message$`],
    );
    expect(wrong.length).toBeGreaterThan(0);
  });
});
