// Which members of a DMS create request can change in place, derived from the SDK's own types the way
// Terraform marks attributes ForceNew: a member of Create…Message that Modify…Message also accepts is
// updated with Modify…; one it does not accept forces delete + create. The Records below are typed by
// `Exclude<keyof Create, keyof Modify>`, so an SDK upgrade that moves a member fails type checking here
// instead of silently misreporting. It lives in contracts/ so that `pgferry diff` (impact summary) and the
// executor (can a changed create node be applied with Modify… after a run) classify a change alike.

import type {
  ComputeConfig,
  CreateEndpointMessage,
  CreateReplicationConfigMessage,
  CreateReplicationInstanceMessage,
  CreateReplicationTaskMessage,
  ModifyEndpointMessage,
  ModifyReplicationConfigMessage,
  ModifyReplicationInstanceMessage,
  ModifyReplicationTaskMessage,
} from '@aws-sdk/client-database-migration-service';

/** How a member that is absent from Modify… is changed instead. */
export type FixedMemberHandling = 'replace' | 'tags';

type FixedMembers<Create, Modify> = Record<Exclude<keyof Create, keyof Modify>, FixedMemberHandling>;

// Tags are not part of Modify… but AddTagsToResource / RemoveTagsFromResource change them in place.
const instanceFixed: FixedMembers<CreateReplicationInstanceMessage, ModifyReplicationInstanceMessage> = {
  AvailabilityZone: 'replace',
  DnsNameServers: 'replace',
  KmsKeyId: 'replace',
  PubliclyAccessible: 'replace',
  ReplicationSubnetGroupIdentifier: 'replace',
  ResourceIdentifier: 'replace',
  Tags: 'tags',
};

const endpointFixed: FixedMembers<CreateEndpointMessage, ModifyEndpointMessage> = {
  KmsKeyId: 'replace',
  ResourceIdentifier: 'replace',
  Tags: 'tags',
};

const taskFixed: FixedMembers<CreateReplicationTaskMessage, ModifyReplicationTaskMessage> = {
  // Endpoints of a task cannot change; another instance would be MoveReplicationTask, which pgferry
  // does not plan, so it is a new task.
  ReplicationInstanceArn: 'replace',
  ResourceIdentifier: 'replace',
  SourceEndpointArn: 'replace',
  TargetEndpointArn: 'replace',
  Tags: 'tags',
};

// DMS Serverless: ModifyReplicationConfig takes every member but the resource identifier and tags, the
// endpoints included (a task's cannot change), and the whole ComputeConfig.
const replicationConfigFixed: FixedMembers<CreateReplicationConfigMessage, ModifyReplicationConfigMessage> = {
  ResourceIdentifier: 'replace',
  Tags: 'tags',
};

/**
 * ComputeConfig members ModifyReplicationConfig cannot change: its ComputeConfig is the create call's
 * type, so none today; an SDK where Modify takes a narrower type fails type checking here.
 */
const computeFixed: FixedMembers<ComputeConfig, NonNullable<ModifyReplicationConfigMessage['ComputeConfig']>> = {};

export type DmsResourceKind = 'replication-instance' | 'endpoint' | 'task' | 'replication-config';

const fixedByKind: Record<DmsResourceKind, Readonly<Record<string, FixedMemberHandling>>> = {
  'replication-instance': instanceFixed,
  endpoint: endpointFixed,
  task: taskFixed,
  'replication-config': replicationConfigFixed,
};

export type MemberChange = 'modify' | 'tags' | 'replace';

/** How a change of one top-level member of the create request is carried out. */
export function memberChange(kind: DmsResourceKind, member: string): MemberChange {
  return fixedByKind[kind][member] ?? 'modify';
}

/** How a change of one ComputeConfig member of a Serverless replication config is carried out. */
export function computeMemberChange(member: string): MemberChange {
  return (computeFixed as Readonly<Record<string, FixedMemberHandling>>)[member] ?? 'modify';
}
