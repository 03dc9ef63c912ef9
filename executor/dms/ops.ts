// AWS DMS through the SDK client: describe-by-identifier (the adopt path), create, and waiters that
// poll the resource state. Throttling is retried with backoff; "not found" on a describe is an answer,
// not an error. Every Describe* call follows `Marker` to the last page: DMS answers at most MaxRecords
// (default 100) items per call, and a filter does not promise the match is on the first page.
// Waits speak and end (executor/waits.ts): a task's waits under the plan's task or full-load timeout,
// other resources' under the poll budget.

import {
  type Connection,
  type DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationConfigsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationsCommand,
  DescribeReplicationTasksCommand,
  DescribeTableStatisticsCommand,
  type Endpoint,
  ListTagsForResourceCommand,
  type Replication,
  type ReplicationConfig,
  type ReplicationInstance,
  type ReplicationTask,
  type TableStatistics,
} from '@aws-sdk/client-database-migration-service';
import { compareText } from '../../contracts/compare.js';
import { withRetry } from '../../contracts/retry.js';
import { NodeFailure, type RunContext } from '../types.js';
import { speakingWait, type WaitClock, type WaitKind, waitClock } from '../waits.js';

export interface DmsOpsOptions extends WaitClock {
  readonly client: DatabaseMigrationServiceClient;
}

/** How a DMS wait speaks: whose timeout applies, the observation in words, what to check. */
export interface DmsWaitHow<T> {
  readonly kind?: WaitKind | null;
  readonly show?: (value: T) => string;
  readonly check?: string;
}

/** A node's DMS operations: its SDK client, and its waits on the node's clock (executor/waits.ts). */
export const dmsOpsFor = (ctx: RunContext) => new DmsOps({ client: ctx.dms, ...waitClock(ctx) });

/** A DMS task as a wait sees it: status, why it stopped, full-load progress. */
export function taskObservation(task: ReplicationTask | null): string {
  if (task === null) return 'task not found';
  const stats = task.ReplicationTaskStats;
  const load =
    stats === undefined
      ? ''
      : `, full load ${stats.FullLoadProgressPercent ?? 0}% (tables loaded ${stats.TablesLoaded ?? 0}, loading ${stats.TablesLoading ?? 0}, queued ${stats.TablesQueued ?? 0}, errored ${stats.TablesErrored ?? 0})`;
  return `status ${task.Status ?? '?'}${task.StopReason ? ` (${task.StopReason})` : ''}${load}`;
}

/** Any DMS observation in words: a resource's status, a list's size, or absence. */
function observed(value: unknown): string {
  if (value === null || value === undefined) return 'not found';
  if (Array.isArray(value))
    return value.length === 0 ? 'none left' : `${value.length} left: ${value.map(observed).join(', ')}`;
  if (typeof value !== 'object') return String(value);
  const item = value as Record<string, unknown>;
  const status = item.Status ?? item.ReplicationInstanceStatus ?? item.status;
  const name =
    item.name ?? item.ReplicationTaskIdentifier ?? item.ReplicationInstanceIdentifier ?? item.EndpointIdentifier;
  return `${typeof name === 'string' ? `${name} ` : ''}status ${String(status ?? '?')}`;
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

export const isNotFound = (error: unknown) => errorName(error) === 'ResourceNotFoundFault';
export const isAlreadyExists = (error: unknown) => errorName(error) === 'ResourceAlreadyExistsFault';
export const isInvalidState = (error: unknown) => errorName(error) === 'InvalidResourceStateFault';

/** A Describe* command built for one page (the `Marker` of the previous answer, none for the first). */
type PageCommand = (marker: string | undefined) => unknown;

/** Hard stop for a Marker that never ends (a service bug would otherwise loop forever). */
const MAX_PAGES = 10_000;

const sortTasks = (tasks: ReplicationTask[]) =>
  tasks.sort((a, b) => compareText(String(a.ReplicationTaskIdentifier), String(b.ReplicationTaskIdentifier)));

export class DmsOps {
  constructor(readonly options: DmsOpsOptions) {}

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type
  send<T>(command: any): Promise<T> {
    return withRetry(() => this.options.client.send(command) as Promise<T>, { sleep: this.options.sleep });
  }

  /**
   * Every item of a Describe* call, page after page through `Marker`. "Not found" (DMS's answer to a
   * filter that matches nothing) is an empty list.
   */
  async describeAll<T>(key: string, command: PageCommand): Promise<T[]> {
    const items: T[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      let answer: Record<string, unknown>;
      try {
        answer = await this.send<Record<string, unknown>>(command(marker));
      } catch (error) {
        if (isNotFound(error)) return items;
        throw error;
      }
      items.push(...((answer[key] as T[] | undefined) ?? []));
      marker = typeof answer.Marker === 'string' && answer.Marker !== '' ? answer.Marker : undefined;
      if (marker === undefined) return items;
    }
    throw new NodeFailure(`${key}: DMS kept answering with a Marker after ${MAX_PAGES} pages`);
  }

  async instance(identifier: string): Promise<ReplicationInstance | null> {
    const all = await this.describeAll<ReplicationInstance>(
      'ReplicationInstances',
      (Marker) =>
        new DescribeReplicationInstancesCommand({
          Filters: [{ Name: 'replication-instance-id', Values: [identifier] }],
          Marker,
        }),
    );
    return all.find((item) => item.ReplicationInstanceIdentifier === identifier) ?? null;
  }

  async endpoint(identifier: string): Promise<Endpoint | null> {
    const all = await this.describeAll<Endpoint>(
      'Endpoints',
      (Marker) => new DescribeEndpointsCommand({ Filters: [{ Name: 'endpoint-id', Values: [identifier] }], Marker }),
    );
    return all.find((item) => item.EndpointIdentifier === identifier) ?? null;
  }

  async task(identifier: string): Promise<ReplicationTask | null> {
    const all = await this.#tasks('replication-task-id', identifier);
    return all.find((item) => item.ReplicationTaskIdentifier === identifier) ?? null;
  }

  /** A DMS Serverless replication config by identifier (DescribeReplicationConfigs). */
  async replicationConfig(identifier: string): Promise<ReplicationConfig | null> {
    const all = await this.describeAll<ReplicationConfig>(
      'ReplicationConfigs',
      (Marker) =>
        new DescribeReplicationConfigsCommand({
          Filters: [{ Name: 'replication-config-id', Values: [identifier] }],
          Marker,
        }),
    );
    return all.find((item) => item.ReplicationConfigIdentifier === identifier) ?? null;
  }

  /** The replication of a DMS Serverless config (DescribeReplications): its status, provisioning, stats. */
  async replication(identifier: string): Promise<Replication | null> {
    const all = await this.describeAll<Replication>(
      'Replications',
      (Marker) =>
        new DescribeReplicationsCommand({
          Filters: [{ Name: 'replication-config-id', Values: [identifier] }],
          Marker,
        }),
    );
    return all.find((item) => item.ReplicationConfigIdentifier === identifier) ?? null;
  }

  #tasks(filter: string, value: string): Promise<ReplicationTask[]> {
    return this.describeAll<ReplicationTask>(
      'ReplicationTasks',
      (Marker) =>
        new DescribeReplicationTasksCommand({
          Filters: [{ Name: filter, Values: [value] }],
          WithoutSettings: true,
          Marker,
        }),
    );
  }

  /** Tasks that use an endpoint as source or target. */
  async tasksUsing(endpointArn: string): Promise<ReplicationTask[]> {
    return sortTasks(await this.#tasks('endpoint-arn', endpointArn));
  }

  /** Tasks that run on a replication instance. */
  async tasksOn(instanceArn: string): Promise<ReplicationTask[]> {
    return sortTasks(await this.#tasks('replication-instance-arn', instanceArn));
  }

  async connection(instanceArn: string, endpointArn: string): Promise<Connection | null> {
    const all = await this.describeAll<Connection>(
      'Connections',
      (Marker) =>
        new DescribeConnectionsCommand({
          Filters: [
            { Name: 'endpoint-arn', Values: [endpointArn] },
            { Name: 'replication-instance-arn', Values: [instanceArn] },
          ],
          Marker,
        }),
    );
    return all.find((item) => item.EndpointArn === endpointArn && item.ReplicationInstanceArn === instanceArn) ?? null;
  }

  /** Per-table statistics of a task, every page (a task with more than 100 tables has several). */
  tableStatistics(taskArn: string): Promise<TableStatistics[]> {
    return this.describeAll<TableStatistics>(
      'TableStatistics',
      (Marker) => new DescribeTableStatisticsCommand({ ReplicationTaskArn: taskArn, Marker }),
    );
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

  /**
   * Polls `read` until `done` says so; `failed` turns a state into an error message. The wait speaks
   * with the latest observation and ends at its kind's timeout (none given: the poll budget).
   */
  async waitFor<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    failed: (value: T) => string | null = () => null,
    how: DmsWaitHow<T> = {},
  ): Promise<T> {
    return speakingWait(this.options, {
      kind: how.kind ?? null,
      what,
      read,
      done,
      failed,
      show: how.show ?? observed,
      check: how.check ?? 'pgferry status shows it; the DMS console shows its events',
    });
  }
}
