// AWS DMS through the SDK client: describe-by-identifier (the adopt path), create, and waiters that
// poll the resource state. Throttling is retried with backoff; "not found" on a describe is an answer,
// not an error.

import {
  type Connection,
  type DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  type Endpoint,
  ListTagsForResourceCommand,
  type ReplicationInstance,
  type ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import { compareText } from '../../contracts/compare.js';
import { type Sleeper, withRetry } from '../retry.js';
import { NodeFailure } from '../types.js';

export interface DmsOpsOptions {
  readonly client: DatabaseMigrationServiceClient;
  readonly sleep: Sleeper;
  readonly pollMs: number;
  readonly maxPolls: number;
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

export const isNotFound = (error: unknown) => errorName(error) === 'ResourceNotFoundFault';
export const isAlreadyExists = (error: unknown) => errorName(error) === 'ResourceAlreadyExistsFault';
export const isInvalidState = (error: unknown) => errorName(error) === 'InvalidResourceStateFault';

export class DmsOps {
  constructor(readonly options: DmsOpsOptions) {}

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type
  send<T>(command: any): Promise<T> {
    return withRetry(() => this.options.client.send(command) as Promise<T>, { sleep: this.options.sleep });
  }

  async instance(identifier: string): Promise<ReplicationInstance | null> {
    try {
      const answer = await this.send<{ ReplicationInstances?: ReplicationInstance[] }>(
        new DescribeReplicationInstancesCommand({
          Filters: [{ Name: 'replication-instance-id', Values: [identifier] }],
        }),
      );
      return answer.ReplicationInstances?.find((item) => item.ReplicationInstanceIdentifier === identifier) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async endpoint(identifier: string): Promise<Endpoint | null> {
    try {
      const answer = await this.send<{ Endpoints?: Endpoint[] }>(
        new DescribeEndpointsCommand({ Filters: [{ Name: 'endpoint-id', Values: [identifier] }] }),
      );
      return answer.Endpoints?.find((item) => item.EndpointIdentifier === identifier) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async task(identifier: string): Promise<ReplicationTask | null> {
    try {
      const answer = await this.send<{ ReplicationTasks?: ReplicationTask[] }>(
        new DescribeReplicationTasksCommand({
          Filters: [{ Name: 'replication-task-id', Values: [identifier] }],
          WithoutSettings: true,
        }),
      );
      return answer.ReplicationTasks?.find((item) => item.ReplicationTaskIdentifier === identifier) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Tasks that use an endpoint as source or target. */
  async tasksUsing(endpointArn: string): Promise<ReplicationTask[]> {
    try {
      const answer = await this.send<{ ReplicationTasks?: ReplicationTask[] }>(
        new DescribeReplicationTasksCommand({
          Filters: [{ Name: 'endpoint-arn', Values: [endpointArn] }],
          WithoutSettings: true,
        }),
      );
      return (answer.ReplicationTasks ?? []).sort((a, b) =>
        compareText(String(a.ReplicationTaskIdentifier), String(b.ReplicationTaskIdentifier)),
      );
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  async connection(instanceArn: string, endpointArn: string): Promise<Connection | null> {
    try {
      const answer = await this.send<{ Connections?: Connection[] }>(
        new DescribeConnectionsCommand({
          Filters: [
            { Name: 'endpoint-arn', Values: [endpointArn] },
            { Name: 'replication-instance-arn', Values: [instanceArn] },
          ],
        }),
      );
      return answer.Connections?.[0] ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async tags(arn: string): Promise<Record<string, string>> {
    const answer = await this.send<{ TagList?: { Key?: string; Value?: string }[] }>(
      new ListTagsForResourceCommand({ ResourceArn: arn }),
    );
    const out: Record<string, string> = {};
    for (const tag of answer.TagList ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
    return out;
  }

  /** Refuses to adopt a resource another plan created (tag `pgferry:plan`). */
  async checkOwner(arn: string, what: string, plan: string): Promise<void> {
    const owner = (await this.tags(arn))['pgferry:plan'];
    if (owner !== undefined && owner !== plan) {
      throw new NodeFailure(`${what} exists but belongs to plan '${owner}' (tag pgferry:plan), not '${plan}'`);
    }
  }

  /** Polls `read` until `done` says so; `failed` turns a state into an error message. */
  async waitFor<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    failed: (value: T) => string | null = () => null,
  ): Promise<T> {
    let last: T | undefined;
    for (let poll = 0; poll < this.options.maxPolls; poll += 1) {
      last = await read();
      if (done(last)) return last;
      const failure = failed(last);
      if (failure !== null) throw new NodeFailure(`${what}: ${failure}`);
      await this.options.sleep(this.options.pollMs);
    }
    throw new NodeFailure(
      `${what}: still not ready after ${this.options.maxPolls} polls (run the command again to keep waiting)`,
      true,
    );
  }
}
