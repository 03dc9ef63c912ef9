// The graph nodes of one DMS task `t` (on instance `ri`, endpoints `src` and `tgt`) that the DMS handler
// unit tests build their graphs from: create, start and full-load wait, shaped as the compiler emits them.

import type { GraphNode } from '../../../contracts/graph.js';
import { node } from './graph.js';

/** CreateReplicationTask for `t`, after the facts in `requires` (the endpoints, or their tests). */
export function taskCreateNode(requires: readonly string[], migrationType = 'full-load'): GraphNode {
  return node({
    id: 'dms.task.t.create',
    kind: 'DmsTaskCreate',
    phase: 'prepare',
    requires: [...requires],
    input: {
      request: {
        ReplicationTaskIdentifier: 't',
        MigrationType: migrationType,
        ReplicationInstanceArn: '@ref(dms.instance.ri.create#arn)',
        SourceEndpointArn: '@ref(dms.endpoint.src.create#arn)',
        TargetEndpointArn: '@ref(dms.endpoint.tgt.create#arn)',
        TableMappings: { rules: [] },
      },
    },
    provides: ['task'],
  });
}

export const taskStartNode = node({
  id: 'dms.task.t.start',
  kind: 'DmsTaskStart',
  phase: 'load',
  requires: ['task'],
  input: { task: 't', migrationType: 'full-load', slot: null },
  provides: ['started'],
});

export const fullLoadWaitNode = node({
  id: 'dms.task.t.full-load-wait',
  kind: 'DmsFullLoadWait',
  phase: 'load',
  requires: ['started'],
  input: { task: 't', migrationType: 'full-load' },
  provides: ['loaded'],
});
