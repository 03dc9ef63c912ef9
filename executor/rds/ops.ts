// Amazon RDS through the SDK client, for the target's parameter group: which group the instance (or
// Aurora cluster) has attached and how far each instance got applying it, a parameter's value in the
// group (every page of Describe…Parameters), and Modify…/Reset… of one parameter. Throttling is
// retried with backoff; RDS's faults become messages that say what to fix.

import {
  type DBCluster,
  type DBInstance,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBClusterParameterGroupCommand,
  ModifyDBParameterGroupCommand,
  type Parameter,
  type RDSClient,
  ResetDBClusterParameterGroupCommand,
  ResetDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import type { RdsParameterGroupTarget } from '../../contracts/node-inputs.js';
import { type Sleeper, withRetry } from '../../contracts/retry.js';
import { NodeFailure } from '../types.js';

export interface RdsOpsOptions {
  readonly client: RDSClient;
  readonly sleep: Sleeper;
}

/** How far one instance got applying its parameter group (ParameterApplyStatus). */
export interface MemberStatus {
  readonly instance: string;
  /** applying | in-sync | pending-reboot | pending-database-upgrade | failed-to-apply */
  readonly status: string;
}

/** The group an instance or cluster has attached, and the apply status of each instance. */
export interface AttachedGroup {
  readonly name: string;
  readonly members: readonly MemberStatus[];
}

export interface ParameterValue {
  /** '' when the group does not set it (the engine default applies). */
  readonly value: string;
  readonly source: string;
  readonly applyType: string;
}

const MAX_PAGES = 1000;

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the operator must know about an RDS fault, and what to do. */
export function explainRdsError(error: unknown, target: RdsParameterGroupTarget, action: string): Error {
  const name = errorName(error);
  const what = target.kind === 'aurora' ? 'DB cluster parameter group' : 'DB parameter group';
  const where = `${target.kind === 'aurora' ? 'DB cluster' : 'DB instance'} ${target.identifier} (${target.region})`;
  const why = errorMessage(error);
  if (name === 'DBParameterGroupNotFoundFault' || name === 'DBClusterParameterGroupNotFoundFault')
    return new NodeFailure(`${action}: ${what} ${target.parameterGroup} does not exist in ${target.region} (${why})`);
  if (name === 'DBInstanceNotFoundFault' || name === 'DBClusterNotFoundFault')
    return new NodeFailure(
      `${action}: ${where} does not exist (${why}); set target.identifier to the target's ${target.kind === 'aurora' ? 'cluster' : 'instance'} identifier`,
    );
  if (name === 'InvalidDBParameterGroupStateFault')
    return new NodeFailure(
      `${action}: RDS refuses to change ${what} ${target.parameterGroup} now (${why}); wait until nothing else modifies it, then run the command again`,
      true,
    );
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'UnauthorizedOperation')
    return new NodeFailure(
      `${action}: access denied (${why}); the executor's AWS identity needs rds:DescribeDBInstances, rds:DescribeDBClusters, rds:Describe${target.kind === 'aurora' ? 'DBCluster' : 'DB'}Parameters, rds:Modify${target.kind === 'aurora' ? 'DBCluster' : 'DB'}ParameterGroup and rds:Reset${target.kind === 'aurora' ? 'DBCluster' : 'DB'}ParameterGroup`,
    );
  return error instanceof Error ? error : new Error(why);
}

export class RdsOps {
  constructor(readonly options: RdsOpsOptions) {}

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type
  send<T>(command: any): Promise<T> {
    return withRetry(() => this.options.client.send(command) as Promise<T>, { sleep: this.options.sleep });
  }

  async attached(target: RdsParameterGroupTarget): Promise<AttachedGroup> {
    if (target.kind === 'aurora') {
      const answer = await this.send<{ DBClusters?: DBCluster[] }>(
        new DescribeDBClustersCommand({ DBClusterIdentifier: target.identifier }),
      );
      const cluster = answer.DBClusters?.find((item) => item.DBClusterIdentifier === target.identifier);
      if (!cluster) throw new NodeFailure(`DB cluster ${target.identifier} is not in the DescribeDBClusters answer`);
      return {
        name: cluster.DBClusterParameterGroup ?? '',
        members: (cluster.DBClusterMembers ?? []).map((member) => ({
          instance: member.DBInstanceIdentifier ?? '?',
          status: member.DBClusterParameterGroupStatus ?? 'unknown',
        })),
      };
    }
    const answer = await this.send<{ DBInstances?: DBInstance[] }>(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: target.identifier }),
    );
    const instance = answer.DBInstances?.find((item) => item.DBInstanceIdentifier === target.identifier);
    if (!instance) throw new NodeFailure(`DB instance ${target.identifier} is not in the DescribeDBInstances answer`);
    const groups = instance.DBParameterGroups ?? [];
    const attached = groups.find((group) => group.DBParameterGroupName === target.parameterGroup) ?? groups[0];
    return {
      name: attached?.DBParameterGroupName ?? '',
      members: attached ? [{ instance: target.identifier, status: attached.ParameterApplyStatus ?? 'unknown' }] : [],
    };
  }

  /** The parameter as the group holds it, reading every page (RDS answers at most 100 per call). */
  async parameter(target: RdsParameterGroupTarget): Promise<ParameterValue> {
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const command =
        target.kind === 'aurora'
          ? new DescribeDBClusterParametersCommand({
              DBClusterParameterGroupName: target.parameterGroup,
              MaxRecords: 100,
              Marker: marker,
            })
          : new DescribeDBParametersCommand({
              DBParameterGroupName: target.parameterGroup,
              MaxRecords: 100,
              Marker: marker,
            });
      const answer = await this.send<{ Parameters?: Parameter[]; Marker?: string }>(command);
      const found = answer.Parameters?.find((item) => item.ParameterName === target.parameter);
      if (found)
        return {
          value: found.ParameterValue ?? '',
          source: found.Source ?? 'engine-default',
          applyType: found.ApplyType ?? 'dynamic',
        };
      marker = answer.Marker === undefined || answer.Marker === '' ? undefined : answer.Marker;
      if (marker === undefined) return { value: '', source: 'engine-default', applyType: 'dynamic' };
    }
    throw new NodeFailure(`parameter group ${target.parameterGroup}: RDS kept answering with a Marker`);
  }

  // biome-ignore lint/suspicious/noExplicitAny: a Modify… input of either group kind (checked by the compiler)
  async modify(target: RdsParameterGroupTarget, request: any): Promise<void> {
    await this.send(
      target.kind === 'aurora'
        ? new ModifyDBClusterParameterGroupCommand(request)
        : new ModifyDBParameterGroupCommand(request),
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: a Reset… input of either group kind (checked by the compiler)
  async reset(target: RdsParameterGroupTarget, request: any): Promise<void> {
    await this.send(
      target.kind === 'aurora'
        ? new ResetDBClusterParameterGroupCommand(request)
        : new ResetDBParameterGroupCommand(request),
    );
  }
}
