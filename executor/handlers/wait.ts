// Waits on replication progress, observed through the agent's slot view: CDC lag under the plan's
// max_lag_seconds before the fence, and the slot's confirmed LSN past the cutover marker after it, then the
// target's own proof that it has everything up to the fence (executor/target-caught-up.ts). A DMS task's lag
// or Serverless replication's is DMS's own CDC latency from CloudWatch when fresh (executor/dms/cdc-latency.ts,
// replication-metrics.ts). The waits speak and
// end (executor/waits.ts); the slot is the one attributed to the task, never a guess.

import type { Replication, ReplicationTask } from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { type AgentSlot, lsnToBigInt } from '../agent-client.js';
import { type CdcLatency, cdcLatencyReader, latencySeconds } from '../dms/cdc-latency.js';
import { dmsOpsFor } from '../dms/ops.js';
import { replicationLatencyReader } from '../dms/replication-metrics.js';
import { type Input, optionalNumber, optionalRecord, optionalString, requireString } from '../inputs.js';
import { dmsTargetCaughtUp, logicalTargetCaughtUp } from '../target-caught-up.js';
import { type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { formatDuration, speakingWait, waitClock } from '../waits.js';
import { replicationFullLoadWait } from './dms-serverless.js';
import { fullLoadWait } from './dms-task-start.js';
import { watchSubscriptionErrors } from './subscription-errors.js';

/** The slot of a task: the node's own `slot`, or what the task's start node recorded. */
function slotNameFor(ctx: RunContext, input: Input): string | undefined {
  const own = optionalString(input, 'slot') ?? optionalString(input, 'slotName');
  if (own !== undefined) return own;
  const task = optionalString(input, 'task');
  if (task === undefined) return undefined;
  for (const node of ctx.graph.nodes) {
    if (node.input.task !== task) continue;
    if (node.kind === 'SourceSlotCreate' && typeof node.input.slot === 'string') return node.input.slot;
    const started = node.kind === 'DmsTaskStart' || node.kind === 'DmsReplicationStart';
    const recorded = started ? ctx.outputsOf(node.id)?.slotName : undefined;
    if (typeof recorded === 'string' && recorded !== '') return recorded;
  }
  return undefined;
}

async function findSlot(
  ctx: RunContext,
  input: Input,
): Promise<{ slot: AgentSlot | null; name: string | undefined; currentLsn: string | null }> {
  const agent = await ctx.agent(input);
  const { slots, currentLsn } = await agent.slots();
  const name = slotNameFor(ctx, input);
  // No guessing ("the only logical slot on the database"): a task's slot is the one attributed to it.
  const slot = name === undefined ? null : (slots.find((item) => item.slotName === name) ?? null);
  return { slot, name, currentLsn };
}

/**
 * How old the slot's confirmed position is, estimated from the server's WAL position over the wait:
 * the confirmed LSN was the server's position at the last observation that had not passed it yet.
 * 0 when the slot confirmed everything; null while the confirmed LSN is older than the first
 * observation (the age is then at least the time since that observation).
 */
export class LsnAge {
  readonly #samples: { at: number; lsn: bigint }[] = [];
  observe(at: number, currentLsn: string): void {
    this.#samples.push({ at, lsn: lsnToBigInt(currentLsn) });
  }
  ageMs(now: number, confirmedLsn: string): number | null {
    const confirmed = lsnToBigInt(confirmedLsn);
    const last = this.#samples.at(-1);
    if (last === undefined || confirmed >= last.lsn) return 0;
    let reachedAt: number | null = null;
    for (const sample of this.#samples) if (sample.lsn <= confirmed) reachedAt = sample.at;
    return reachedAt === null ? null : now - reachedAt;
  }
  sinceFirstMs(now: number): number {
    return now - (this.#samples[0]?.at ?? now);
  }
}

const missingSlot = (task: string | undefined, name: string | undefined) =>
  name === undefined
    ? `no slot is attributed to task ${task ?? '?'} (its start node recorded none): run apply again so it is attributed`
    : `slot ${name} of task ${task ?? '?'} is not on the source while the task runs: was it dropped? DMS cannot resume without it (restarting the task with reload-target loads every table again)`;

/**
 * CDC lag before the fence, in the plan's unit: at most `maxLagSeconds`. A DMS task's lag is DMS's own
 * CDC latency from CloudWatch when it has a fresh datapoint (executor/dms/cdc-latency.ts), else the age
 * of the slot's confirmed position (estimated from the WAL position over the wait, LsnAge); which one
 * is said in every observation and in the node's note and outputs (`lagFrom`), with why CloudWatch was
 * not used. The slot's bytes are shown beside it. A DMS task must be running; a missing slot while it
 * runs is reported, not polled.
 */
async function cdcLagWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const maxLagSeconds = optionalNumber(input, 'maxLagSeconds') ?? 5;
  const task = optionalString(input, 'task');
  const dms = task !== undefined && input.engine !== 'logical' ? dmsOpsFor(ctx) : null;
  // A DMS Serverless replication is read with DescribeReplications, in the task's terms.
  const serverless = input.serverless === true;
  const readTask = async (): Promise<ReplicationTask | null> =>
    serverless ? replicationAsTask(await dms!.replication(task!.toLowerCase())) : dms!.task(task!);
  // A replication's metrics dimensions are discovered (executor/dms/replication-metrics.ts).
  const replicationLatency = replicationLatencyReader(ctx.cloudwatch, ctx.now, ctx.sleep);
  const taskLatency = dms ? cdcLatencyReader(dms, ctx.cloudwatch, ctx.now, ctx.sleep) : async () => null;
  const cloudwatchLag = async (current: ReplicationTask | null): Promise<CdcLatency | null> =>
    serverless
      ? replicationLatency(
          current && {
            status: current.Status,
            arn: current.ReplicationTaskArn,
            identifier: current.ReplicationTaskIdentifier,
          },
        )
      : taskLatency(current);
  if (!ctx.deployment.agent && optionalRecord(input, 'agent') === undefined) {
    if (!dms) return { status: 'succeeded', outputs: { lagBytes: null }, note: 'no agent to measure slot lag' };
    await untilTaskRuns(readTask, task!, ctx);
    return cloudWatchOnlyLag(readTask, task!, maxLagSeconds, cloudwatchLag, ctx);
  }
  const age = new LsnAge();
  const seen = await speakingWait(waitClock(ctx), {
    kind: 'lag',
    what: `CDC lag of ${task ?? node.id} under ${maxLagSeconds} s`,
    read: async () => {
      const current = dms ? await readTask() : null;
      const status = dms ? (current?.Status ?? 'not found') : 'running';
      const [found, latency] = await Promise.all([findSlot(ctx, input), cloudwatchLag(current)]);
      const now = ctx.now().getTime();
      if (found.currentLsn) age.observe(now, found.currentLsn);
      const confirmed = found.slot?.confirmedFlushLsn ?? null;
      const ageMs = confirmed === null ? null : age.ageMs(now, confirmed);
      const fromCloudWatch = latency === null ? null : latencySeconds(latency);
      return {
        status,
        found,
        latency,
        lagMs: fromCloudWatch !== null ? fromCloudWatch * 1000 : ageMs,
        lagFrom: fromCloudWatch !== null ? ('cloudwatch' as const) : ('slot-estimate' as const),
        ageMs,
        bytes: found.slot?.confirmedLagBytes ?? null,
        sinceFirst: age.sinceFirstMs(now),
      };
    },
    done: (o) => o.status === 'running' && o.lagMs !== null && o.lagMs <= maxLagSeconds * 1000,
    failed: (o) =>
      ['failed', 'stopped', 'not found'].includes(o.status)
        ? `task ${task} is ${o.status}`
        : o.found.slot === null
          ? missingSlot(task, o.found.name)
          : null,
    show: (o) =>
      o.found.slot === null
        ? `task ${o.status}, slot ${o.found.name ?? '(none attributed)'} not found`
        : `task ${o.status}, ${lagWords(o)} (limit ${maxLagSeconds} s), slot ${o.found.slot.slotName} ${
            o.found.slot.active ? 'active' : 'inactive'
          }, ${o.bytes ?? '?'} bytes behind`,
    check: `is the task applying changes (pgferry status), is the source busier than DMS can follow, is the slot active?`,
  });
  return {
    status: 'succeeded',
    outputs: {
      lagBytes: seen.bytes,
      lagSeconds: seen.lagMs === null ? null : seen.lagMs / 1000,
      lagFrom: seen.lagFrom,
      cloudwatch: seen.latency?.why ?? null,
    },
    note: `${lagWords(seen)} (limit ${maxLagSeconds} s), ${seen.bytes ?? '?'} bytes`,
  };
}

/**
 * No agent to read the slot: the gate has only DMS's CloudWatch latency. It waits for it under the
 * limit; when CloudWatch cannot say (no datapoints, access denied…) the task running is all it can
 * check, and the note says the lag was not measured and why.
 */
async function cloudWatchOnlyLag(
  readTask: () => Promise<ReplicationTask | null>,
  task: string,
  maxLagSeconds: number,
  cloudwatchLag: (current: ReplicationTask | null) => Promise<CdcLatency | null>,
  ctx: RunContext,
): Promise<NodeResult> {
  const seen = await speakingWait(waitClock(ctx), {
    kind: 'lag',
    what: `CDC lag of ${task} under ${maxLagSeconds} s`,
    read: async () => {
      const current = await readTask();
      return { status: current?.Status ?? 'not found', latency: await cloudwatchLag(current) };
    },
    done: (o) => {
      const seconds = o.latency === null ? null : latencySeconds(o.latency);
      return o.status === 'running' && (o.latency?.why != null || (seconds !== null && seconds <= maxLagSeconds));
    },
    failed: (o) => (['failed', 'stopped', 'not found'].includes(o.status) ? `task ${task} is ${o.status}` : null),
    show: (o) =>
      `task ${o.status}, ${o.latency === null ? 'no CloudWatch reading' : lagWords({ latency: o.latency, lagFrom: 'cloudwatch', ageMs: null, sinceFirst: 0 })} (limit ${maxLagSeconds} s)`,
    check: 'is the task applying changes (pgferry status), is the source busier than DMS can follow?',
  });
  const why = seen.latency?.why ?? null;
  if (why !== null || seen.latency === null)
    return {
      status: 'succeeded',
      outputs: { lagBytes: null, lagSeconds: null, lagFrom: null, cloudwatch: why },
      note: `task running; lag not measured: no agent to read the slot, and CloudWatch not used: ${why ?? 'no reading'}`,
    };
  const seconds = latencySeconds(seen.latency);
  return {
    status: 'succeeded',
    outputs: { lagBytes: null, lagSeconds: seconds, lagFrom: 'cloudwatch', cloudwatch: null },
    note: `${lagWords({ latency: seen.latency, lagFrom: 'cloudwatch', ageMs: null, sinceFirst: 0 })} (limit ${maxLagSeconds} s); no agent to read the slot's bytes`,
  };
}

/** The lag and where it comes from, in words: CloudWatch's latency, or the slot estimate and why. */
function lagWords(o: {
  latency: CdcLatency | null;
  lagFrom: 'cloudwatch' | 'slot-estimate';
  ageMs: number | null;
  sinceFirst: number;
}): string {
  const seconds = (value: number | null) => (value === null ? '?' : formatDuration(value * 1000));
  if (o.lagFrom === 'cloudwatch' && o.latency !== null)
    return `lag ${seconds(latencySeconds(o.latency))} from CloudWatch (CDCLatencySource ${seconds(o.latency.sourceSeconds)}, CDCLatencyTarget ${seconds(o.latency.targetSeconds)} at ${o.latency.at})`;
  const estimate = o.ageMs === null ? `more than ${formatDuration(o.sinceFirst)}` : formatDuration(o.ageMs);
  return `lag ${estimate} estimated from the slot's confirmed position${o.latency?.why ? ` (CloudWatch not used: ${o.latency.why})` : ''}`;
}

/** A DMS Serverless replication as the lag wait reads a task: config ARN, status, stop reason, failure. */
function replicationAsTask(replication: Replication | null): ReplicationTask | null {
  if (replication === null) return null;
  return {
    ReplicationTaskArn: replication.ReplicationConfigArn,
    ReplicationTaskIdentifier: replication.ReplicationConfigIdentifier,
    Status: replication.Status,
    StopReason: replication.StopReason,
    LastFailureMessage: replication.FailureMessages?.join('; '),
  };
}

async function untilTaskRuns(
  read: () => Promise<ReplicationTask | null>,
  task: string,
  ctx: RunContext,
): Promise<void> {
  await speakingWait(waitClock(ctx), {
    kind: 'task',
    what: `replication task ${task} running`,
    read,
    done: (current) => current?.Status === 'running',
    failed: (current) =>
      current === null
        ? 'not found'
        : ['failed', 'stopped'].includes(current.Status ?? '')
          ? `is ${current.Status}: ${current.LastFailureMessage ?? current.StopReason ?? ''}`
          : null,
    show: (current) => `status ${current?.Status ?? 'not found'}`,
    check: 'pgferry status shows the task and its last failure',
  });
}

async function markerWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const lsn = requireString(node, input, 'lsn', 'markerLsn');
  const want = lsnToBigInt(lsn);
  const task = optionalString(input, 'task');
  // Engine logical: a failing apply worker never confirms the marker; say so at once, not after a timeout.
  const errors = await watchSubscriptionErrors(ctx, task);
  let confirmed: string;
  try {
    const seen = await speakingWait(waitClock(ctx), {
      kind: 'marker',
      what: `the cutover marker ${lsn} confirmed by the slot of ${task ?? node.id}`,
      read: async () => {
        await errors.check();
        return findSlot(ctx, input);
      },
      done: (found) => found.slot?.confirmedFlushLsn != null && lsnToBigInt(found.slot.confirmedFlushLsn) >= want,
      failed: (found) => (found.slot === null ? missingSlot(task, found.name) : null),
      show: (found) =>
        found.slot?.confirmedFlushLsn
          ? `slot ${found.slot.slotName} confirmed ${found.slot.confirmedFlushLsn} (${found.slot.active ? 'active' : 'inactive'})`
          : `slot ${found.name ?? '?'} has no confirmed LSN yet`,
      check:
        'is the task still running and applying (pgferry status)? writes are fenced, so only the marker is left to apply',
    });
    confirmed = seen.slot!.confirmedFlushLsn!;
  } finally {
    await errors.close();
  }
  // The slot says the replication read past the marker; the target must say it has it all.
  const target =
    ctx.graph.engine === 'logical'
      ? await logicalTargetCaughtUp(node, input, ctx, lsn)
      : await dmsTargetCaughtUp(node, input, ctx);
  return {
    status: 'succeeded',
    outputs: { markerLsn: lsn, confirmedLsn: confirmed, ...target.outputs },
    note: target.detail,
  };
}

export const waitHandler: Handler = {
  async run(node, ctx) {
    const input = await ctx.resolve(node.input);
    if (node.kind === 'CdcLagWait') return cdcLagWait(node, input, ctx);
    if (node.kind === 'MarkerWait') return markerWait(node, input, ctx);
    if (node.kind === 'DmsFullLoadWait') return fullLoadWait(node, input, ctx);
    if (node.kind === 'DmsReplicationFullLoadWait') return replicationFullLoadWait(node, input, ctx);
    throw new NodeFailure(`the wait executor does not run ${node.kind} (node ${node.id})`);
  },
};
