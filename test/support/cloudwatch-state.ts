// CloudWatch's AWS/DMS metrics as the tests need them: datapoints per metric and dimensions, answered
// by GetMetricData as CloudWatch answers it (the queried window only, newest first with ScanBy
// TimestampDescending, StatusCode Complete, nothing for a metric without datapoints), and CloudWatch's
// errors (throttling, access denied) injected with `failNext`. Behind aws-sdk-client-mock (DmsFake) and
// the HTTP stand-in (test/support/dms-http.ts: awsJson1_0, X-Amz-Target GraniteServiceVersion20100801.*).
// `publishFor` is what DMS does while a task runs CDC: one datapoint a minute of each latency metric.

import { DmsFault } from './dms-state.js';

export interface Datapoint {
  readonly at: Date;
  readonly value: number;
}

export const cloudWatchThrottling = () => new DmsFault('Throttling', 'Rate exceeded', 400);
export const cloudWatchAccessDenied = () =>
  new DmsFault(
    'AccessDenied',
    'User: arn:aws:iam::123456789012:user/pgferry is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows the cloudwatch:GetMetricData action',
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

/** Epoch seconds (the wire) or a Date (the SDK object) as ms. */
const msOf = (value: unknown) => (value instanceof Date ? value.getTime() : Number(value) * 1000);

export class CloudWatchMetrics {
  readonly #points = new Map<string, Datapoint[]>();
  readonly #faults: DmsFault[] = [];
  /** Every GetMetricData input received, for assertions on namespace and dimensions. */
  readonly calls: Record<string, unknown>[] = [];
  /** What DMS reports for a task running CDC (publishFor); null: DMS publishes nothing. */
  latency: { source: number; target: number } | null = { source: 1, target: 2 };

  /** Adds a datapoint of an AWS/DMS task metric. */
  put(metric: string, instance: string, taskResourceId: string, point: Datapoint): void {
    const key = keyOf('AWS/DMS', metric, [
      { Name: 'ReplicationInstanceIdentifier', Value: instance },
      { Name: 'ReplicationTaskIdentifier', Value: taskResourceId },
    ]);
    this.#points.set(key, [...(this.#points.get(key) ?? []), point]);
  }

  /** DMS's minute: both latencies of a running CDC task at the start of the current minute, once. */
  publishFor(instance: string, taskResourceId: string, now: Date): void {
    if (this.latency === null) return;
    const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    for (const [metric, value] of [
      ['CDCLatencySource', this.latency.source],
      ['CDCLatencyTarget', this.latency.target],
    ] as const) {
      const key = keyOf('AWS/DMS', metric, [
        { Name: 'ReplicationInstanceIdentifier', Value: instance },
        { Name: 'ReplicationTaskIdentifier', Value: taskResourceId },
      ]);
      if (!(this.#points.get(key) ?? []).some((point) => point.at.getTime() === at.getTime()))
        this.put(metric, instance, taskResourceId, { at, value });
    }
  }

  /** Forgets every datapoint, queued fault and call (a fresh start for the next test case). */
  reset(): void {
    this.#points.clear();
    this.#faults.length = 0;
    this.calls.length = 0;
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
