// CloudWatch's AWS/DMS metrics as the tests need them: datapoints per metric and dimensions, answered
// by GetMetricData as CloudWatch answers it (the queried window only, newest first with ScanBy
// TimestampDescending, StatusCode Complete, nothing for a metric without datapoints), and CloudWatch's
// errors (throttling, access denied) injected with `failNext`. Behind aws-sdk-client-mock (DmsFake) and
// the HTTP stand-in (test/support/dms-http.ts: awsJson1_0, X-Amz-Target GraniteServiceVersion20100801.*).
// `publishFor` is what DMS does while a task runs CDC: one datapoint a minute of each latency metric;
// `publishForReplication` the same for a DMS Serverless replication, under a dimension pgferry must
// discover with ListMetrics (also answered here, RecentlyActive and paging included).

import { DmsFault } from './dms-state.js';

export interface Datapoint {
  readonly at: Date;
  readonly value: number;
}

export const cloudWatchThrottling = () => new DmsFault('Throttling', 'Rate exceeded', 400);
export const cloudWatchAccessDenied = (action = 'cloudwatch:GetMetricData') =>
  new DmsFault(
    'AccessDenied',
    `User: arn:aws:iam::123456789012:user/pgferry is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    403,
  );

interface Dimension {
  readonly Name?: string;
  readonly Value?: string;
}

const keyOf = (namespace: string, metric: string, dimensions: readonly Dimension[]) =>
  `${namespace}|${metric}|${[...dimensions]
    .map((item) => `${item.Name}=${item.Value}`)
    .sort()
    .join(',')}`;

const taskDimensions = (instance: string, taskResourceId: string): Dimension[] => [
  { Name: 'ReplicationInstanceIdentifier', Value: instance },
  { Name: 'ReplicationTaskIdentifier', Value: taskResourceId },
];

/** Epoch seconds (the wire) or a Date (the SDK object) as ms. */
const msOf = (value: unknown) => (value instanceof Date ? value.getTime() : Number(value) * 1000);

/** A metric's name and dimensions, as ListMetrics lists it. */
interface MetricId {
  readonly metric: string;
  readonly dimensions: readonly Dimension[];
}

const THREE_HOURS_MS = 3 * 3_600_000;

export class CloudWatchMetrics {
  readonly #points = new Map<string, Datapoint[]>();
  readonly #metrics = new Map<string, MetricId>();
  readonly #faults: DmsFault[] = [];
  /** Every GetMetricData input received, for assertions on namespace and dimensions. */
  readonly calls: Record<string, unknown>[] = [];
  /** Every ListMetrics input received. */
  readonly listCalls: Record<string, unknown>[] = [];
  /** What DMS reports for a task running CDC (publishFor); null: DMS publishes nothing. */
  latency: { source: number; target: number } | null = { source: 1, target: 2 };
  /**
   * The dimension DMS names a Serverless replication's metrics by (publishForReplication), with the
   * replication config's resource id as its value. AWS does not document it; pgferry discovers it, and
   * tests change it to prove the code does not depend on the name.
   */
  replicationDimension = 'ReplicationConfigIdentifier';
  /** ListMetrics page size (CloudWatch's is 500). */
  listPageSize = 500;

  /** @param now the state's clock, ms; 0 (a describe-driven clock) lists every metric as recently active. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a datapoint of an AWS/DMS metric with the given dimensions. */
  putWith(metric: string, dimensions: readonly Dimension[], point: Datapoint): void {
    const key = keyOf('AWS/DMS', metric, dimensions);
    this.#metrics.set(key, { metric, dimensions: [...dimensions] });
    this.#points.set(key, [...(this.#points.get(key) ?? []), point]);
  }

  /** Adds a datapoint of an AWS/DMS task metric. */
  put(metric: string, instance: string, taskResourceId: string, point: Datapoint): void {
    this.putWith(metric, taskDimensions(instance, taskResourceId), point);
  }

  /** DMS's minute: both latencies of a running CDC task at the start of the current minute, once. */
  publishFor(instance: string, taskResourceId: string, now: Date): void {
    this.#publish(taskDimensions(instance, taskResourceId), now);
  }

  /** DMS's minute for a running Serverless CDC replication, named by `replicationDimension`. */
  publishForReplication(configArn: string, now: Date): void {
    this.#publish([{ Name: this.replicationDimension, Value: configArn.slice(configArn.lastIndexOf(':') + 1) }], now);
  }

  #publish(dimensions: readonly Dimension[], now: Date): void {
    if (this.latency === null) return;
    const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    for (const [metric, value] of [
      ['CDCLatencySource', this.latency.source],
      ['CDCLatencyTarget', this.latency.target],
    ] as const) {
      const key = keyOf('AWS/DMS', metric, dimensions);
      if (!(this.#points.get(key) ?? []).some((point) => point.at.getTime() === at.getTime()))
        this.putWith(metric, dimensions, { at, value });
    }
  }

  /**
   * ListMetrics as CloudWatch answers it: the metrics of the namespace and name asked (dimension
   * filters are not used by pgferry and refused here), with RecentlyActive PT3H only those with a
   * datapoint in the last 3 hours, `listPageSize` a page, NextToken to continue.
   */
  listMetrics(input: Record<string, unknown>): {
    Metrics: { Namespace: string; MetricName: string; Dimensions: Dimension[] }[];
    NextToken?: string;
  } {
    this.listCalls.push(input);
    const fault = this.#faults.shift();
    if (fault) throw fault;
    if (input.Dimensions !== undefined) throw new DmsFault('InvalidParameterValue', 'the fake takes no Dimensions');
    const since = input.RecentlyActive === 'PT3H' && this.now() > 0 ? this.now() - THREE_HOURS_MS : -Infinity;
    const listed = [...this.#metrics.entries()]
      .filter(([key, id]) => {
        if (!key.startsWith(`${String(input.Namespace ?? 'AWS/DMS')}|`)) return false;
        if (input.MetricName !== undefined && id.metric !== input.MetricName) return false;
        return (this.#points.get(key) ?? []).some((point) => point.at.getTime() >= since);
      })
      .map(([, id]) => ({ Namespace: 'AWS/DMS', MetricName: id.metric, Dimensions: [...id.dimensions] }));
    const offset = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const next = offset + this.listPageSize;
    return {
      Metrics: listed.slice(offset, next),
      ...(next < listed.length ? { NextToken: String(next) } : {}),
    };
  }

  /** Forgets every datapoint, queued fault and call (a fresh start for the next test case). */
  reset(): void {
    this.#points.clear();
    this.#metrics.clear();
    this.#faults.length = 0;
    this.calls.length = 0;
    this.listCalls.length = 0;
    this.replicationDimension = 'ReplicationConfigIdentifier';
    this.listPageSize = 500;
  }

  failNext(fault: DmsFault, times = 1): void {
    for (let i = 0; i < times; i += 1) this.#faults.push(fault);
  }

  /** GetMetricData over MetricStat queries (what the executor sends); timestamps as Dates. */
  getMetricData(input: Record<string, unknown>): {
    MetricDataResults: { Id: string; Label: string; Timestamps: Date[]; Values: number[]; StatusCode: string }[];
    Messages: never[];
  } {
    this.calls.push(input);
    const fault = this.#faults.shift();
    if (fault) throw fault;
    const from = msOf(input.StartTime);
    const to = msOf(input.EndTime);
    const descending = input.ScanBy !== 'TimestampAscending';
    const queries = (input.MetricDataQueries ?? []) as {
      Id: string;
      MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] } };
    }[];
    return {
      MetricDataResults: queries.map((query) => {
        const metric = query.MetricStat?.Metric;
        const points = (
          this.#points.get(keyOf(metric?.Namespace ?? '', metric?.MetricName ?? '', metric?.Dimensions ?? [])) ?? []
        )
          .filter((point) => point.at.getTime() >= from && point.at.getTime() < to)
          .sort((a, b) => (descending ? b.at.getTime() - a.at.getTime() : a.at.getTime() - b.at.getTime()));
        return {
          Id: query.Id,
          Label: metric?.MetricName ?? query.Id,
          Timestamps: points.map((point) => point.at),
          Values: points.map((point) => point.value),
          StatusCode: 'Complete',
        };
      }),
      Messages: [],
    };
  }
}
