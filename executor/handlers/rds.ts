// The `rds` executor: the target's parameter group for fk_strategy parameter_group (executor/rds/).
// Inputs are read into the typed target the compiler built (contracts/node-inputs.ts), each field checked.

import type { GraphNode } from '../../contracts/graph.js';
import type { PgConnectionInput, RdsParameterGroupTarget } from '../../contracts/node-inputs.js';
import { type Input, optionalRecord, requireString } from '../inputs.js';
import { parameterGroupApply, parameterGroupRevert } from '../rds/parameter-group.js';
import { NodeFailure } from '../types.js';
import { handlerByKind } from './by-kind.js';

function groupTarget(node: GraphNode, input: Input): RdsParameterGroupTarget {
  const kind = requireString(node, input, 'kind');
  if (kind !== 'rds' && kind !== 'aurora')
    throw new NodeFailure(`node ${node.id}: kind must be rds or aurora, not ${kind}`);
  const parameter = requireString(node, input, 'parameter');
  if (parameter !== 'session_replication_role')
    throw new NodeFailure(`node ${node.id}: pgferry only manages session_replication_role, not ${parameter}`);
  const connections = input.connections;
  if (!Array.isArray(connections) || connections.length === 0)
    throw new NodeFailure(`node ${node.id}: input needs the target databases to check (connections)`);
  return {
    region: requireString(node, input, 'region'),
    kind,
    identifier: requireString(node, input, 'identifier'),
    parameterGroup: requireString(node, input, 'parameterGroup'),
    parameter,
    connections: connections as PgConnectionInput[],
  };
}

function request(node: GraphNode, input: Input, key: string): Input {
  const value = optionalRecord(input, key);
  if (!value) throw new NodeFailure(`node ${node.id} (${node.kind}): input needs the RDS request '${key}'`);
  return value;
}

export const rdsHandler = handlerByKind('rds', {
  RdsParameterGroupApply: (node, input, ctx) =>
    parameterGroupApply(groupTarget(node, input), request(node, input, 'request'), node.id, ctx),
  RdsParameterGroupRevert: (node, input, ctx) => {
    const previous = input.previous;
    if (typeof previous !== 'string') throw new NodeFailure(`node ${node.id}: input needs the previous value`);
    return parameterGroupRevert(
      groupTarget(node, input),
      previous,
      request(node, input, 'restore'),
      request(node, input, 'reset'),
      ctx,
    );
  },
});
