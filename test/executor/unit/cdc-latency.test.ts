// DMS's CDC latency from CloudWatch (executor/dms/cdc-latency.ts): the GetMetricData input is typed by the
// SDK and checked against the API model it ships; realistic datapoints (one a minute, newest first),
// missing and stale data, throttling and access denied, each through aws-sdk-client-mock and through the
// HTTP stand-in with the real client. A failure is an answer (`why`), never an exception.

import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cdcLatencyQuery,
  latencySeconds,
  readCdcLatency,
  type TaskMetricsId,
  taskResourceId,
} from '../../../executor/dms/cdc-latency.js';
import { checkAgainstModel } from '../../support/aws-model.js';
import {
  type CloudWatchMetrics,
  cloudWatchAccessDenied,
  cloudWatchThrottling,
} from '../../support/cloudwatch-state.js';
import { DmsFake } from '../../support/dms-fake.js';
import { type DmsStandIn, startDmsStandIn } from '../../support/dms-http.js';

const TASK: TaskMetricsId = {
  instance: 'shopx-ri',
  taskArn: 'arn:aws:dms:eu-west-1:123456789012:task:CQOCS5FVZY3XQLCMTMG4SPJ5FVDNS6TUZBGLLHA',
};
const NOW = new Date('2026-12-04T09:30:20Z');
const minutesAgo = (n: number) => new Date(Math.floor(NOW.getTime() / 60_000) * 60_000 - n * 60_000);
const noSleep = async () => undefined;

/** A task's minutes of DMS latency, newest last: [source, target] seconds per minute. */
function publish(metrics: CloudWatchMetrics, minutes: readonly (readonly [number, number])[], newestAgo = 1) {
  minutes.forEach(([source, target], i) => {
    const at = minutesAgo(newestAgo + minutes.length - 1 - i);
    metrics.put('CDCLatencySource', TASK.instance, taskResourceId(TASK.taskArn), { at, value: source });
    metrics.put('CDCLatencyTarget', TASK.instance, taskResourceId(TASK.taskArn), { at, value: target });
  });
}

describe('the CloudWatch query', () => {
  it('names the task as CloudWatch does and fits the SDK model', () => {
    const input = cdcLatencyQuery(TASK, NOW);
    expect(checkAgainstModel(input, cloudwatchSdk.GetMetricData$)).toEqual([]);
    expect(input.MetricDataQueries?.map((query) => query.MetricStat?.Metric)).toEqual([
      {
        Namespace: 'AWS/DMS',
        MetricName: 'CDCLatencySource',
        Dimensions: [
          { Name: 'ReplicationInstanceIdentifier', Value: 'shopx-ri' },
          { Name: 'ReplicationTaskIdentifier', Value: 'CQOCS5FVZY3XQLCMTMG4SPJ5FVDNS6TUZBGLLHA' },
        ],
      },
      expect.objectContaining({ MetricName: 'CDCLatencyTarget' }),
    ]);
    expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(10 * 60_000);
  });
});

/** The same cases against each fake: how each one reads and how a test feeds it. */
const cases = (read: () => ReturnType<typeof readCdcLatency>, metrics: () => CloudWatchMetrics) => {
  it('the newest fresh datapoint of each latency; the lag is the larger', async () => {
    publish(metrics(), [
      [40, 55],
      [12, 20],
      [2, 3],
    ]);
    const latency = await read();
    expect(latency).toEqual({ sourceSeconds: 2, targetSeconds: 3, at: minutesAgo(1).toISOString(), why: null });
    expect(latencySeconds(latency)).toBe(3);
  });

  it('no datapoints (the task captures nothing yet, or the metrics are elsewhere): says so', async () => {
    expect(await read()).toEqual({
      sourceSeconds: null,
      targetSeconds: null,
      at: null,
      why: 'CloudWatch has no CDC latency datapoints of the task in the last 10 min',
    });
  });

  it('only stale datapoints: not used, with their age', async () => {
    publish(metrics(), [[1, 1]], 8);
    expect((await read()).why).toBe(
      `CloudWatch's newest CDC latency datapoint is 8 min old (${minutesAgo(8).toISOString()})`,
    );
  });

  it('throttled past the retry: says so', async () => {
    publish(metrics(), [[1, 1]]);
    metrics().failNext(cloudWatchThrottling(), 10);
    expect((await read()).why).toBe('CloudWatch throttled the read (Throttling)');
  });

  it('throttled once: retried and read', async () => {
    publish(metrics(), [[4, 5]]);
    metrics().failNext(cloudWatchThrottling(), 1);
    expect((await read()).targetSeconds).toBe(5);
  });

  it('access denied: says what permission is missing', async () => {
    metrics().failNext(cloudWatchAccessDenied(), 10);
    const latency = await read();
    expect(latency.sourceSeconds).toBeNull();
    expect(latency.why).toMatch(
      /^CloudWatch refused the read \(AccessDenied: User: .* is not authorized to perform: cloudwatch:GetMetricData .*\); grant cloudwatch:GetMetricData/,
    );
  });
};

describe('CDC latency through aws-sdk-client-mock', () => {
  let fake: DmsFake;
  beforeEach(() => {
    fake = new DmsFake();
  });
  afterEach(() => fake.restore());
  cases(
    () => readCdcLatency(new CloudWatchClient({ region: 'eu-west-1' }), TASK, NOW, noSleep),
    () => fake.cloudwatch,
  );
});

describe('CDC latency through the HTTP stand-in (the real client, every request checked against the model)', () => {
  let standIn: DmsStandIn;
  let client: CloudWatchClient;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    standIn = await startDmsStandIn();
    for (const [key, value] of Object.entries(standIn.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    client = new CloudWatchClient({ region: 'eu-west-1', endpoint: standIn.url, maxAttempts: 1 });
  });
  afterAll(async () => {
    await standIn.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  beforeEach(() => standIn.state.cloudwatch.reset());
  afterEach(() => {
    expect(standIn.rejected).toEqual([]);
  });
  cases(
    () => readCdcLatency(client, TASK, NOW, noSleep),
    () => standIn.state.cloudwatch,
  );
});
