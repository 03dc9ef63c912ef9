import type { CreateReplicationTaskCommandInput } from '@aws-sdk/client-database-migration-service';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import type { NodeKind } from '../../../contracts/graph.js';
import { NODE_OUTPUTS, type NodeInput, type NodeOutput } from '../../../contracts/node-inputs.js';
import { basePlan, cdcPlan } from '../../support/base-plan.js';

describe('contracts/node-inputs', () => {
  test('DMS inputs are the SDK types; outputs are named per kind', () => {
    expectTypeOf<NodeInput<'DmsTaskCreate'>['request']>().toEqualTypeOf<CreateReplicationTaskCommandInput>();
    expectTypeOf<NodeOutput<'DmsTaskStart'>>().toEqualTypeOf<'taskArn' | 'startType' | 'slotName'>();
    expectTypeOf<NodeOutput<'SourceMarkerWrite'>>().toEqualTypeOf<'lsn'>();
    expectTypeOf<NodeOutput<'DmsEndpointCreate'>>().toEqualTypeOf<'arn'>();
    expect(NODE_OUTPUTS.DmsReplicationInstanceCreate).toEqual(['arn']);
  });

  test('every kind the builder emits has an output list', () => {
    const kinds = new Set<NodeKind>([...buildGraph(basePlan).nodes, ...buildGraph(cdcPlan).nodes].map((n) => n.kind));
    for (const kind of kinds) expect(NODE_OUTPUTS[kind], kind).toBeDefined();
  });

  test('no secret value and no literal ARN in any node input, only placeholders', () => {
    const text = JSON.stringify(buildGraph(cdcPlan).nodes.map((n) => n.input));
    expect(text).not.toMatch(/arn:aws:dms/);
    expect(text).toContain('"Password":"@secret(ssm:/pgferry/orders/source/dms_user)"');
    expect(text).toContain('"token":"@secret(ssm:/pgferry/orders/agent/token)"');
  });
});
