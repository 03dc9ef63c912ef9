// DMS's CDC latency of a DMS Serverless replication, from CloudWatch. AWS's documentation does not name
// the dimension a Serverless replication's AWS/DMS metrics carry, so pgferry does not assume one: it
// lists the recently active CDCLatencySource metrics (ListMetrics, namespace AWS/DMS, RecentlyActive
// PT3H, every page) and takes the one whose dimensions hold a value equal to the replication config's
// resource id (the last part of its ARN) or its ReplicationConfigIdentifier, then reads both latencies
// with exactly those dimensions (readCdcLatency, as for a task). Several matches: the one with the
// fewest dimensions (the replication itself, not a breakdown of it), then by name, so the choice is
// deterministic. The dimensions found are kept per replication; none found yet (DMS publishes a few
// minutes after CDC starts), throttling and access denied are answers (`why`) and are asked again next
// poll. CloudWatch is only read, never written.

import {
  type CloudWatchClient,
  type Dimension,
  ListMetricsCommand,
  type ListMetricsCommandInput,
  type Metric,
} from '@aws-sdk/client-cloudwatch';
import { compareText } from '../../contracts/compare.js';
import { type Sleeper, withRetry } from '../../contracts/retry.js';
import { type CdcLatency, failureWhy, readCdcLatency, taskResourceId } from './cdc-latency.js';

/** A Serverless replication as the latency reader needs it (from DescribeReplications). */
export interface ReplicationRef {
  readonly status: string | undefined;
  /** The replication config's ARN; its last part is its resource id. */
  readonly arn: string | undefined;
  readonly identifier: string | undefined;
}

/** The ListMetrics input for one page of the recently active CDCLatencySource metrics of AWS/DMS. */
export function replicationMetricsQuery(nextToken?: string): ListMetricsCommandInput {
  return {
    Namespace: 'AWS/DMS',
    MetricName: 'CDCLatencySource',
    RecentlyActive: 'PT3H',
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

const dimensionKey = (dimensions: readonly Dimension[]) =>
  dimensions.map((item) => `${item.Name}=${item.Value}`).join(',');

/** The metric naming the replication among those listed, or null (see the header for the choice). */
export function metricOfReplication(metrics: readonly Metric[], values: readonly string[]): Metric | null {
  const naming = metrics.filter((metric) =>
    (metric.Dimensions ?? []).some((item) => item.Value !== undefined && values.includes(item.Value)),
  );
  naming.sort(
    (a, b) =>
      (a.Dimensions?.length ?? 0) - (b.Dimensions?.length ?? 0) ||
      compareText(dimensionKey(a.Dimensions ?? []), dimensionKey(b.Dimensions ?? [])),
  );
  return naming[0] ?? null;
}

/** The dimensions of the replication's latency metrics, or why there are none. Never throws. */
export async function discoverReplicationDimensions(
  client: CloudWatchClient,
  replication: { readonly arn: string; readonly identifier: string | undefined },
  sleep: Sleeper,
): Promise<{ dimensions: Dimension[] } | { why: string }> {
  const values = [taskResourceId(replication.arn), replication.identifier].filter(
    (value): value is string => value !== undefined && value !== '',
  );
  const metrics: Metric[] = [];
  try {
    let nextToken: string | undefined;
    do {
      // One retry for throttling, as for GetMetricData: the wait asks again soon.
      const page = await withRetry(() => client.send(new ListMetricsCommand(replicationMetricsQuery(nextToken))), {
        sleep,
        attempts: 2,
      });
      metrics.push(...(page.Metrics ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  } catch (error) {
    return { why: failureWhy(error, 'cloudwatch:ListMetrics') };
  }
  const metric = metricOfReplication(metrics, values);
  if (metric === null)
    return {
      why: `no CloudWatch metric names this replication yet (AWS/DMS CDCLatencySource active in the last 3 h with a dimension ${values.join(' or ')})`,
    };
  return { dimensions: (metric.Dimensions ?? []).map((item) => ({ Name: item.Name, Value: item.Value })) };
}

/**
 * Reads Serverless replications' latency poll after poll, their dimensions discovered once each; null
 * while a replication is not running, when DMS publishes none.
 */
export function replicationLatencyReader(
  client: CloudWatchClient,
  now: () => Date,
  sleep: Sleeper,
): (replication: ReplicationRef | null) => Promise<CdcLatency | null> {
  const found = new Map<string, Dimension[]>();
  return async (replication) => {
    if (replication?.status !== 'running') return null;
    const none = (why: string): CdcLatency => ({ sourceSeconds: null, targetSeconds: null, at: null, why });
    if (replication.arn === undefined) return none('DMS did not say the replication config ARN');
    let dimensions = found.get(replication.arn);
    if (dimensions === undefined) {
      const discovered = await discoverReplicationDimensions(
        client,
        { arn: replication.arn, identifier: replication.identifier },
        sleep,
      );
      if ('why' in discovered) return none(discovered.why);
      dimensions = discovered.dimensions;
      found.set(replication.arn, dimensions);
    }
    return readCdcLatency(client, { dimensions }, now(), sleep);
  };
}
