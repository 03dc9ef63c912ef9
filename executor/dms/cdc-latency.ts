// DMS's own CDC latency of a task, from CloudWatch: `CDCLatencySource` (seconds between the last event
// DMS captured from the source and now) and `CDCLatencyTarget` (seconds between the oldest event waiting
// to commit on the target and now; it includes the source latency), namespace AWS/DMS, per task with the
// dimensions ReplicationInstanceIdentifier (the instance's identifier, as named in the plan) and
// ReplicationTaskIdentifier (the task's resource id: the last part of its ARN, not the name the plan gives
// it; a task created with ResourceIdentifier has that there). A DMS Serverless replication's dimensions
// are discovered with ListMetrics (executor/dms/replication-metrics.ts) and read here the same way. DMS publishes one datapoint a minute while
// the task runs CDC, and CloudWatch shows it a minute or two later.
//
// One GetMetricData call reads both for the last LOOKBACK_MS; the newest datapoint counts if it is at most
// FRESH_MS old. Anything else (no datapoints, stale ones, throttling after a retry, access denied) is an
// answer too: `seconds` null and `why` in words, so the lag gate falls back to its slot estimate and
// says so, and status lists it. CloudWatch is only read, never written.

import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { ReplicationTask } from '@aws-sdk/client-database-migration-service';
import {
  DescribeReplicationInstancesCommand,
  type ReplicationInstance,
} from '@aws-sdk/client-database-migration-service';
import { type Sleeper, withRetry } from '../../contracts/retry.js';
import type { DmsOps } from './ops.js';

/** How far back the query looks. */
export const LOOKBACK_MS = 10 * 60_000;
/** A datapoint older than this does not speak for now (one a minute, shown a minute or two late). */
export const FRESH_MS = 5 * 60_000;

export interface TaskMetricsId {
  /** The replication instance's identifier (ReplicationInstanceIdentifier). */
  readonly instance: string;
  /** The task's ARN; its last part is the ReplicationTaskIdentifier dimension. */
  readonly taskArn: string;
}

/** The exact dimensions of a metric, as ListMetrics names them (a DMS Serverless replication's). */
export interface DiscoveredMetricsId {
  readonly dimensions: readonly Dimension[];
}

/** Whose metrics: a task on an instance (dimensions known), or a replication (dimensions discovered). */
export type MetricsId = TaskMetricsId | DiscoveredMetricsId;

export interface CdcLatency {
  /** The newest fresh CDCLatencySource / CDCLatencyTarget, seconds; null when there is none. */
  readonly sourceSeconds: number | null;
  readonly targetSeconds: number | null;
  /** When the newest datapoint used was taken (ISO), null when none. */
  readonly at: string | null;
  /** Why there is no fresh latency (null when there is): for the lag gate's fallback and status. */
  readonly why: string | null;
}

/** Which task's metrics: its instance's identifier (described by the task's instance ARN) and its ARN. */
export async function taskMetricsId(dms: DmsOps, task: ReplicationTask): Promise<TaskMetricsId | null> {
  if (task.ReplicationTaskArn === undefined || task.ReplicationInstanceArn === undefined) return null;
  const instances = await dms.describeAll<ReplicationInstance>(
    'ReplicationInstances',
    (Marker) =>
      new DescribeReplicationInstancesCommand({
        Filters: [{ Name: 'replication-instance-arn', Values: [task.ReplicationInstanceArn!] }],
        Marker,
      }),
  );
  const instance = instances.find((item) => item.ReplicationInstanceArn === task.ReplicationInstanceArn);
  return instance?.ReplicationInstanceIdentifier === undefined
    ? null
    : { instance: instance.ReplicationInstanceIdentifier, taskArn: task.ReplicationTaskArn };
}

/** The ReplicationTaskIdentifier dimension of a task: its ARN's resource id. */
export function taskResourceId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf(':') + 1);
}

const METRICS = { source: 'CDCLatencySource', target: 'CDCLatencyTarget' } as const;

function dimensionsOf(id: MetricsId): Dimension[] {
  if ('dimensions' in id) return id.dimensions.map((item) => ({ Name: item.Name, Value: item.Value }));
  return [
    { Name: 'ReplicationInstanceIdentifier', Value: id.instance },
    { Name: 'ReplicationTaskIdentifier', Value: taskResourceId(id.taskArn) },
  ];
}

/** The GetMetricData input for the two latencies over [now - LOOKBACK_MS, now]. */
export function cdcLatencyQuery(id: MetricsId, now: Date): GetMetricDataCommandInput {
  const dimensions = dimensionsOf(id);
  return {
    MetricDataQueries: Object.entries(METRICS).map(([key, metric]) => ({
      Id: key,
      MetricStat: {
        Metric: { Namespace: 'AWS/DMS', MetricName: metric, Dimensions: dimensions },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    })),
    StartTime: new Date(now.getTime() - LOOKBACK_MS),
    EndTime: now,
    ScanBy: 'TimestampDescending',
  };
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

/** Why a CloudWatch call failed, in words an operator acts on (`action`: the permission it needs). */
export function failureWhy(error: unknown, action = 'cloudwatch:GetMetricData'): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  if (/AccessDenied/i.test(name))
    return `CloudWatch refused the read (${name}: ${message}); grant ${action} to use DMS's own latency`;
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(name)) return `CloudWatch throttled the read (${name})`;
  return `CloudWatch could not be read (${name}: ${message})`;
}

/** The newest value of a result and its time; results come newest first (ScanBy TimestampDescending). */
function newest(result: MetricDataResult | undefined): { value: number; at: Date } | null {
  const values = result?.Values ?? [];
  const times = result?.Timestamps ?? [];
  let best: { value: number; at: Date } | null = null;
  values.forEach((value, i) => {
    const at = times[i];
    if (at !== undefined && (best === null || at.getTime() > best.at.getTime())) best = { value, at };
  });
  return best;
}

/** Reads a task's or replication's CDC latency; never throws (a failure is `why`). */
export async function readCdcLatency(
  client: CloudWatchClient,
  id: MetricsId,
  now: Date,
  sleep: Sleeper,
): Promise<CdcLatency> {
  const none = (why: string): CdcLatency => ({ sourceSeconds: null, targetSeconds: null, at: null, why });
  let results: MetricDataResult[];
  try {
    // One retry for throttling: the wait polls again soon, and falls back to its estimate meanwhile.
    const answer = await withRetry(() => client.send(new GetMetricDataCommand(cdcLatencyQuery(id, now))), {
      sleep,
      attempts: 2,
    });
    results = answer.MetricDataResults ?? [];
  } catch (error) {
    return none(failureWhy(error));
  }
  const source = newest(results.find((result) => result.Id === 'source'));
  const target = newest(results.find((result) => result.Id === 'target'));
  const freshest = [source, target].filter((point) => point !== null).sort((a, b) => b.at.getTime() - a.at.getTime());
  if (freshest.length === 0)
    return none(
      `CloudWatch has no CDC latency datapoints of the ${'dimensions' in id ? 'replication' : 'task'} in the last 10 min`,
    );
  const ageMs = now.getTime() - freshest[0]!.at.getTime();
  if (ageMs > FRESH_MS)
    return none(
      `CloudWatch's newest CDC latency datapoint is ${Math.round(ageMs / 60_000)} min old (${freshest[0]!.at.toISOString()})`,
    );
  const fresh = (point: { value: number; at: Date } | null) =>
    point !== null && now.getTime() - point.at.getTime() <= FRESH_MS ? point.value : null;
  return {
    sourceSeconds: fresh(source),
    targetSeconds: fresh(target),
    at: freshest[0]!.at.toISOString(),
    why: null,
  };
}

/**
 * Reads one task's latency poll after poll (its metrics id described once); null while the task is
 * not running, when DMS publishes none.
 */
export function cdcLatencyReader(
  dms: DmsOps,
  client: CloudWatchClient,
  now: () => Date,
  sleep: Sleeper,
): (task: ReplicationTask | null) => Promise<CdcLatency | null> {
  let id: TaskMetricsId | null = null;
  return async (task) => {
    if (task?.Status !== 'running') return null;
    id ??= await taskMetricsId(dms, task);
    if (id === null)
      return {
        sourceSeconds: null,
        targetSeconds: null,
        at: null,
        why: 'the task has no replication instance to name',
      };
    return readCdcLatency(client, id, now(), sleep);
  };
}

/** The lag a latency reading stands for: the larger of the two (target latency includes the source's). */
export function latencySeconds(latency: CdcLatency): number | null {
  const known = [latency.sourceSeconds, latency.targetSeconds].filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}
