// Which executor runs each node kind. Typed Record<NodeKind, …>: a new kind that nobody runs is a
// compile error. Compensations name a kind too, and run through the same table.

import type { ExecutorKind, NodeKind } from '../contracts/graph.js';

export const executorOfKind: Readonly<Record<NodeKind, ExecutorKind>> = {
  SsmParameterResolve: 'ssm',
  SourcePreflight: 'agent',
  SourceConfigApply: 'agent',
  SourceRestart: 'agent',
  SourceRoleEnsure: 'agent',
  SourceWriteFence: 'agent',
  SourceWriteUnfence: 'agent',
  SourceMarkerWrite: 'agent',
  SourceSlotCreate: 'agent',
  SourceSlotDrop: 'agent',
  TargetPrepare: 'target-sql',
  TargetPostLoad: 'target-sql',
  TargetSequenceSync: 'target-sql',
  TargetFkRestore: 'target-sql',
  DmsReplicationInstanceCreate: 'dms',
  DmsEndpointCreate: 'dms',
  DmsConnectionTest: 'dms',
  DmsTaskCreate: 'dms',
  DmsTaskStart: 'dms',
  DmsFullLoadWait: 'wait',
  DmsTaskStop: 'dms',
  DmsTaskDelete: 'dms',
  DmsEndpointDelete: 'dms',
  DmsReplicationInstanceDelete: 'dms',
  CdcLagWait: 'wait',
  MarkerWait: 'wait',
  ManualGate: 'gate',
};
