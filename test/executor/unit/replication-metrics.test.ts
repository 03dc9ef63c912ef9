// DMS Serverless replications' CDC latency from CloudWatch (executor/dms/replication-metrics.ts): the
// metric's dimensions are discovered with ListMetrics (its input typed by the SDK and checked against the
// API model it ships), whatever the dimension is named, then read with GetMetricData with exactly those
// dimensions; found, not found yet, throttled and access denied, through aws-sdk-client-mock.

import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  discoverReplicationDimensions,
  replicationLatencyReader,
  replicationMetricsQuery,
} from '../../../executor/dms/replication-metrics.js';
import { checkAgainstModel } from '../../support/aws-model.js';
import { cloudWatchAccessDenied, cloudWatchThrottling } from '../../support/cloudwatch-state.js';
import { DmsFake } from '../../support/dms-fake.js';

const RESOURCE_ID = 'EXAMPLEABCDEFGHIJKLMNOPQRST';
const REPLICATION = {
  status: 'running',
  arn: `arn:aws:dms:eu-west-1:123456789012:replication-config:${RESOURCE_ID}`,
  identifier: 'orders-cdc',
};
const NOW = new Date('2026-12-04T09:30:20Z');
const minuteAgo = new Date(Math.floor(NOW.getTime() / 60_000) * 60_000 - 60_000);
const noSleep = async () => undefined;

describe('the ListMetrics query', () => {
  it('asks for the recently active CDCLatencySource metrics of AWS/DMS, and fits the SDK model', () => {
    for (const input of [replicationMetricsQuery(), replicationMetricsQuery('page-2')]) {
      expect(checkAgainstModel(input, cloudwatchSdk.ListMetrics$)).toEqual([]);
      expect(input).toMatchObject({ Namespace: 'AWS/DMS', MetricName: 'CDCLatencySource', RecentlyActive: 'PT3H' });
    }
    expect(replicationMetricsQuery('page-2').NextToken).toBe('page-2');
  });
});

describe('discovering a Serverless replication’s metric dimensions', () => {
  let fake: DmsFake;
  let client: CloudWatchClient;
  beforeEach(() => {
    fake = new DmsFake();
    client = new CloudWatchClient({ region: 'eu-west-1' });
    // Another task's metrics on an instance, listed too: never taken for the replication.
    fake.cloudwatch.put('CDCLatencySource', 'shopx-ri', 'OTHERTASKRESOURCEID', { at: minuteAgo, value: 99 });
    fake.cloudwatch.put('CDCLatencyTarget', 'shopx-ri', 'OTHERTASKRESOURCEID', { at: minuteAgo, value: 99 });
  });
  afterEach(() => fake.restore());

  const publish = (dimensions: { Name: string; Value: string }[], source = 3, target = 7) => {
    fake.cloudwatch.putWith('CDCLatencySource', dimensions, { at: minuteAgo, value: source });
    fake.cloudwatch.putWith('CDCLatencyTarget', dimensions, { at: minuteAgo, value: target });
  };

  it.each([
    ['ReplicationConfigIdentifier', RESOURCE_ID],
    ['ReplicationConfigArnId', RESOURCE_ID],
    ['ReplicationConfigName', 'orders-cdc'],
  ])('found under %s = %s: read with exactly those dimensions', async (name, value) => {
    publish([{ Name: name, Value: value }]);
    const read = replicationLatencyReader(client, () => NOW, noSleep);
    expect(await read(REPLICATION)).toEqual({
      sourceSeconds: 3,
      targetSeconds: 7,
      at: minuteAgo.toISOString(),
      why: null,
    });
    const query = fake.cloudwatch.calls[0] as { MetricDataQueries: { MetricStat: { Metric: unknown } }[] };
    expect(query.MetricDataQueries.map((item) => item.MetricStat.Metric)).toEqual([
      { Namespace: 'AWS/DMS', MetricName: 'CDCLatencySource', Dimensions: [{ Name: name, Value: value }] },
      { Namespace: 'AWS/DMS', MetricName: 'CDCLatencyTarget', Dimensions: [{ Name: name, Value: value }] },
    ]);
    expect(checkAgainstModel(fake.cloudwatch.listCalls[0], cloudwatchSdk.ListMetrics$)).toEqual([]);
    // Discovered once per replication: the next poll reads only.
    await read(REPLICATION);
    expect(fake.cloudwatch.listCalls).toHaveLength(1);
    expect(fake.cloudwatch.calls).toHaveLength(2);
  });

  it('pages through ListMetrics; of several naming it, the one with the fewest dimensions', async () => {
    fake.cloudwatch.listPageSize = 1;
    publish([
      { Name: 'ReplicationConfigIdentifier', Value: RESOURCE_ID },
      { Name: 'TableName', Value: 'orders' },
    ]);
    publish([{ Name: 'ReplicationConfigIdentifier', Value: RESOURCE_ID }]);
    expect(await discoverReplicationDimensions(client, REPLICATION, noSleep)).toEqual({
      dimensions: [{ Name: 'ReplicationConfigIdentifier', Value: RESOURCE_ID }],
    });
    expect(fake.cloudwatch.listCalls.map((call) => call.NextToken)).toEqual([undefined, '1', '2']);
  });

  it('not found yet: falls back with why, and asks again next poll', async () => {
    const read = replicationLatencyReader(client, () => NOW, noSleep);
    expect(await read(REPLICATION)).toEqual({
      sourceSeconds: null,
      targetSeconds: null,
      at: null,
      why: `no CloudWatch metric names this replication yet (AWS/DMS CDCLatencySource active in the last 3 h with a dimension ${RESOURCE_ID} or orders-cdc)`,
    });
    expect(fake.cloudwatch.calls).toHaveLength(0);
    publish([{ Name: 'ReplicationConfigIdentifier', Value: RESOURCE_ID }]);
    expect((await read(REPLICATION))?.targetSeconds).toBe(7);
    expect(fake.cloudwatch.listCalls).toHaveLength(2);
  });

  it('throttled past the retry: says so; throttled once: retried and found', async () => {
    publish([{ Name: 'ReplicationConfigIdentifier', Value: RESOURCE_ID }]);
    fake.cloudwatch.failNext(cloudWatchThrottling(), 2);
    expect(await discoverReplicationDimensions(client, REPLICATION, noSleep)).toEqual({
      why: 'CloudWatch throttled the read (Throttling)',
    });
    fake.cloudwatch.failNext(cloudWatchThrottling(), 1);
    expect(await discoverReplicationDimensions(client, REPLICATION, noSleep)).toHaveProperty('dimensions');
  });

  it('access denied: says cloudwatch:ListMetrics is missing', async () => {
    fake.cloudwatch.failNext(cloudWatchAccessDenied('cloudwatch:ListMetrics'), 2);
    const latency = await replicationLatencyReader(client, () => NOW, noSleep)(REPLICATION);
    expect(latency?.sourceSeconds).toBeNull();
    expect(latency?.why).toMatch(
      /^CloudWatch refused the read \(AccessDenied: User: .* not authorized to perform: cloudwatch:ListMetrics .*\); grant cloudwatch:ListMetrics to use DMS's own latency$/,
    );
  });

  it('a replication not running has no latency to read', async () => {
    const read = replicationLatencyReader(client, () => NOW, noSleep);
    expect(await read({ ...REPLICATION, status: 'stopped' })).toBeNull();
    expect(await read(null)).toBeNull();
    expect(fake.cloudwatch.listCalls).toHaveLength(0);
  });
});
