// What each node kind is, independent of any plan: who runs it and its usual effect.

import type { Effect, ExecutorKind, NodeKind } from '../../contracts/graph.js';

export const EXECUTOR: Readonly<Record<NodeKind, ExecutorKind>> = {
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
  LogicalPublicationCreate: 'source-sql',
  LogicalPublicationDrop: 'source-sql',
  LogicalSubscriptionCreate: 'target-sql',
  LogicalSyncWait: 'wait',
  LogicalSubscriptionDrop: 'target-sql',
  TargetPrepare: 'target-sql',
  TargetPostLoad: 'target-sql',
  TargetSequenceSync: 'target-sql',
  TargetFkRestore: 'target-sql',
  RdsParameterGroupApply: 'rds',
  RdsParameterGroupRevert: 'rds',
  DataVerify: 'verify',
  DmsReplicationInstanceCreate: 'dms',
  DmsEndpointCreate: 'dms',
  DmsConnectionTest: 'dms',
  DmsTaskCreate: 'dms',
  DmsTaskStart: 'dms',
  DmsFullLoadWait: 'wait',
  DmsAssessmentRun: 'dms',
  DmsTaskStop: 'dms',
  DmsTaskDelete: 'dms',
  DmsEndpointDelete: 'dms',
  DmsReplicationInstanceDelete: 'dms',
  DmsCertificateImport: 'dms',
  DmsCertificateDelete: 'dms',
  DmsReplicationConfigCreate: 'dms',
  DmsReplicationStart: 'dms',
  DmsReplicationFullLoadWait: 'wait',
  DmsReplicationStop: 'dms',
  DmsReplicationConfigDelete: 'dms',
  CdcLagWait: 'wait',
  MarkerWait: 'wait',
  ManualGate: 'gate',
};

export const EFFECT: Readonly<Record<NodeKind, Effect>> = {
  SsmParameterResolve: 'read',
  SourcePreflight: 'read',
  SourceConfigApply: 'write',
  SourceRestart: 'restart',
  SourceRoleEnsure: 'write',
  SourceWriteFence: 'write',
  SourceWriteUnfence: 'write',
  SourceMarkerWrite: 'read',
  SourceSlotCreate: 'write',
  SourceSlotDrop: 'destructive',
  LogicalPublicationCreate: 'write',
  LogicalPublicationDrop: 'write',
  LogicalSubscriptionCreate: 'write',
  LogicalSyncWait: 'read',
  // Dropping the subscription drops its slot on the source: changes not yet applied are lost.
  LogicalSubscriptionDrop: 'destructive',
  TargetPrepare: 'write',
  TargetPostLoad: 'write',
  TargetSequenceSync: 'write',
  TargetFkRestore: 'write',
  // The whole target instance (every database on it) sees the parameter until it is reverted.
  RdsParameterGroupApply: 'write',
  RdsParameterGroupRevert: 'write',
  // Read-only transactions on both sides; it writes nothing.
  DataVerify: 'read',
  DmsReplicationInstanceCreate: 'write',
  DmsEndpointCreate: 'write',
  DmsConnectionTest: 'read',
  DmsTaskCreate: 'write',
  DmsTaskStart: 'write',
  DmsFullLoadWait: 'read',
  // Creates an assessment run (and its results in S3); changes nothing on either database.
  DmsAssessmentRun: 'write',
  DmsTaskStop: 'write',
  DmsTaskDelete: 'destructive',
  DmsEndpointDelete: 'destructive',
  DmsReplicationInstanceDelete: 'destructive',
  DmsCertificateImport: 'write',
  DmsCertificateDelete: 'destructive',
  DmsReplicationConfigCreate: 'write',
  DmsReplicationStart: 'write',
  DmsReplicationFullLoadWait: 'read',
  DmsReplicationStop: 'write',
  DmsReplicationConfigDelete: 'destructive',
  CdcLagWait: 'read',
  MarkerWait: 'read',
  ManualGate: 'read',
};

/** Kinds that talk to the replication engine; all other kinds see only `replication.<task>.*` facts. */
export function isDmsKind(kind: NodeKind): boolean {
  return kind.startsWith('Dms');
}

/** Kinds of the PostgreSQL logical replication engine (publication/subscription). */
export function isLogicalKind(kind: NodeKind): boolean {
  return kind.startsWith('Logical');
}
