// AWS DMS nodes, one module per resource: the replication instance (dms-instance.ts), endpoints
// (dms-endpoint.ts), tasks (dms-task.ts, dms-task-start.ts, dms-task-state.ts), certificates
// (dms-certificate.ts) and DMS Serverless replications (dms-serverless.ts). Every step first describes
// what exists, so a re-run picks up where the last one stopped and creates nothing twice. This module
// routes each kind to its handler and answers the dry run.

import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { type Input, optionalRecord } from '../inputs.js';
import type { DryRunProbe, Handler, RunContext } from '../types.js';
import { handlerByKind, type KindRun } from './by-kind.js';
import { certificateDelete, certificateImport } from './dms-certificate.js';
import { ops } from './dms-common.js';
import { connectionTest, endpointCreate, endpointDelete } from './dms-endpoint.js';
import { instanceCreate, instanceDelete } from './dms-instance.js';
import { probeConfig, serverlessKinds } from './dms-serverless.js';
import { taskCreate, taskDelete, taskStop } from './dms-task.js';
import { taskStart } from './dms-task-start.js';

const byKind: Partial<Record<NodeKind, KindRun>> = {
  DmsReplicationInstanceCreate: instanceCreate,
  DmsEndpointCreate: endpointCreate,
  DmsConnectionTest: connectionTest,
  DmsTaskCreate: taskCreate,
  DmsTaskStart: taskStart,
  DmsTaskStop: taskStop,
  DmsTaskDelete: taskDelete,
  DmsEndpointDelete: endpointDelete,
  DmsReplicationInstanceDelete: instanceDelete,
  DmsCertificateImport: certificateImport,
  DmsCertificateDelete: certificateDelete,
  ...serverlessKinds,
};

/** Read-only: what exists already, what would be created. */
async function probe(node: GraphNode, ctx: RunContext): Promise<DryRunProbe> {
  const dms = ops(ctx);
  const input = node.input;
  const request = optionalRecord(input, 'request');
  const identifier = (key: string) => String(request?.[key] ?? '').toLowerCase();
  switch (node.kind) {
    case 'DmsReplicationInstanceCreate': {
      const found = await dms.instance(identifier('ReplicationInstanceIdentifier'));
      return found
        ? {
            action: 'adopt',
            detail: `replication instance ${found.ReplicationInstanceIdentifier} (${found.ReplicationInstanceStatus})`,
          }
        : { action: 'create', detail: `replication instance ${identifier('ReplicationInstanceIdentifier')}` };
    }
    case 'DmsEndpointCreate': {
      const found = await dms.endpoint(identifier('EndpointIdentifier'));
      return found
        ? { action: 'adopt', detail: `endpoint ${found.EndpointIdentifier} (${found.Status})` }
        : { action: 'create', detail: `endpoint ${identifier('EndpointIdentifier')}` };
    }
    case 'DmsTaskCreate': {
      const found = await dms.task(identifier('ReplicationTaskIdentifier'));
      return found
        ? { action: 'adopt', detail: `task ${found.ReplicationTaskIdentifier} (${found.Status})` }
        : { action: 'create', detail: `task ${identifier('ReplicationTaskIdentifier')}` };
    }
    case 'DmsReplicationConfigCreate':
      return probeConfig(dms, identifier('ReplicationConfigIdentifier'));
    case 'DmsConnectionTest': {
      // Only where both resources exist already (their ARNs are in the journal): TestConnection reads.
      let resolved: Input;
      try {
        resolved = await ctx.resolve(input);
      } catch {
        return { action: 'run', detail: `${node.title} (after the endpoint and instance exist)` };
      }
      const result = await connectionTest(node, resolved, ctx).catch((error: unknown) => error as Error);
      return result instanceof Error
        ? { action: 'run', detail: `connection test fails now: ${ctx.redactor.messageOf(result)}` }
        : { action: 'run', detail: 'connection test passes now' };
    }
    default:
      return { action: 'run', detail: node.title };
  }
}

export const dmsHandler: Handler = handlerByKind('dms', byKind, probe);
