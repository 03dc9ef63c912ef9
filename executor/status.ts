// `pgferry status`: the journal's node states merged with live DMS task status (FullLoadProgressPercent,
// per-table statistics, an ETA for the full load), for `engine: logical` each subscription's state on the
// target, and the agent's slot view. Live sources that cannot be reached are reported as such; status
// never fails because AWS, the target or the agent is down.

import { dirname } from 'node:path';
import type { ReplicationTask, TableStatistics } from '@aws-sdk/client-database-migration-service';
import { compareText } from '../contracts/compare.js';
import type { GraphNode } from '../contracts/graph.js';
import { Checkpoint, verifyCheckpointPath } from '../verify/checkpoint.js';
import { type CdcLatency, cdcLatencyReader } from './dms/cdc-latency.js';
import { DmsOps } from './dms/ops.js';
import { replicationLatencyReader } from './dms/replication-metrics.js';
import { optionalNumber } from './inputs.js';
import { gatesOf } from './operations.js';
import { type DriftItem, driftLine, refreshDms } from './refresh.js';
import type { Session } from './session.js';
import { liveSubscriptions, type SubscriptionStatus } from './status-logical.js';

export interface TaskStatus {
  readonly task: string;
  readonly status: string | null;
  readonly stopReason: string | null;
  readonly fullLoadProgressPercent: number | null;
  readonly etaSeconds: number | null;
  /** Full-load rows per second so far (all tables' rows over the task's elapsed time). */
  readonly rowsPerSecond: number | null;
  readonly lastFailure: string | null;
  /** DMS's own CDC latency from CloudWatch (a running CDC task), seconds; null when there is none. */
  readonly cdcLatencySourceSeconds: number | null;
  readonly cdcLatencyTargetSeconds: number | null;
  /** When that datapoint was taken; or why there is none (no datapoints, stale, access denied…). */
  readonly cdcLatencyAt: string | null;
  readonly cdcLatencyWhy: string | null;
  readonly tables: readonly {
    readonly table: string;
    readonly state: string | null;
    readonly fullLoadRows: number;
    readonly inserts: number;
    readonly updates: number;
    readonly deletes: number;
    readonly validationState: string | null;
  }[];
}

export interface StatusReport {
  readonly plan: string;
  readonly planHash: string;
  readonly journal: string;
  readonly started: boolean;
  readonly aborted: boolean;
  readonly updatedAt: string | null;
  readonly nodes: readonly {
    readonly id: string;
    readonly kind: string;
    readonly phase: string;
    readonly title: string;
    /** The nodes this one waits for (the graph's edges into it). */
    readonly after: readonly string[];
    /** The manual gate the node sits behind, or that it is (ManualGate nodes). */
    readonly gate: string | null;
    readonly state: string;
    readonly startedAt: string | null;
    readonly finishedAt: string | null;
    readonly attempts: number;
    readonly error: string | null;
    readonly note: string | null;
    readonly outputs: Readonly<Record<string, unknown>>;
  }[];
  readonly gates: Readonly<
    Record<
      string,
      { readonly approved: boolean; readonly approvedAt: string | null /** What opens it. */; readonly command: string }
    >
  >;
  /** The plan's cutover thresholds, from its CDC lag waits (null: no such wait in the graph). */
  readonly lagThresholds: { readonly maxLagSeconds: number | null; readonly maxLagBytes: number | null };
  readonly tasks: readonly TaskStatus[];
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly slots: readonly Readonly<Record<string, unknown>>[] | null;
  /** DMS resources where AWS differs from the journal or the plan, with the action that implies. */
  readonly drift: readonly DriftItem[];
  readonly problems: readonly string[];
}

/** Full-load rows per second so far; null before the task has run a second. */
export function fullLoadRate(rows: number, elapsedMs: number | undefined): number | null {
  if (elapsedMs === undefined || elapsedMs < 1000) return null;
  return Math.round((rows / elapsedMs) * 1000);
}

/** Remaining seconds of a full load, from elapsed time and percent done (linear). */
export function fullLoadEta(percent: number | undefined, elapsedMs: number | undefined): number | null {
  if (percent === undefined || elapsedMs === undefined || percent <= 0 || percent >= 100) return null;
  return Math.round(((elapsedMs / percent) * (100 - percent)) / 1000);
}

function taskIds(session: Session): string[] {
  const ids = new Set<string>();
  for (const node of session.compiled.graph.nodes) {
    if (node.kind !== 'DmsTaskCreate') continue;
    const request = node.input.request as Record<string, unknown> | undefined;
    const id = session.journal.nodes[node.id]?.outputs.identifier ?? request?.ReplicationTaskIdentifier;
    if (typeof id === 'string') ids.add(id.toLowerCase());
  }
  return [...ids].sort();
}

const NO_LATENCY = {
  cdcLatencySourceSeconds: null,
  cdcLatencyTargetSeconds: null,
  cdcLatencyAt: null,
  cdcLatencyWhy: null,
} as const;

/** CloudWatch's CDC latency of a task running CDC (what the lag gate prefers to its slot estimate). */
async function latencyOf(session: Session, ops: DmsOps, task: ReplicationTask) {
  if (task.MigrationType === 'full-load') return NO_LATENCY;
  const read = cdcLatencyReader(ops, session.cloudwatch, session.now, session.sleep);
  const latency = await read(task).catch(
    (error: unknown): CdcLatency => ({
      sourceSeconds: null,
      targetSeconds: null,
      at: null,
      why: `the task's instance could not be described (${session.redactor.messageOf(error)})`,
    }),
  );
  return latencyFields(latency);
}

function latencyFields(latency: CdcLatency | null) {
  if (latency === null) return NO_LATENCY;
  return {
    cdcLatencySourceSeconds: latency.sourceSeconds,
    cdcLatencyTargetSeconds: latency.targetSeconds,
    cdcLatencyAt: latency.at,
    cdcLatencyWhy: latency.why,
  };
}

async function liveTasks(session: Session, problems: string[]): Promise<TaskStatus[]> {
  const ops = new DmsOps({ client: session.dms, sleep: session.sleep, pollMs: 0, maxPolls: 1 });
  const out: TaskStatus[] = [];
  for (const id of taskIds(session)) {
    try {
      const task = await ops.task(id);
      if (!task) {
        out.push({
          task: id,
          status: null,
          stopReason: null,
          fullLoadProgressPercent: null,
          etaSeconds: null,
          rowsPerSecond: null,
          lastFailure: null,
          ...NO_LATENCY,
          tables: [],
        });
        continue;
      }
      let stats: TableStatistics[] = [];
      try {
        stats = await ops.tableStatistics(task.ReplicationTaskArn!);
      } catch (error) {
        problems.push(`table statistics of ${id}: ${session.redactor.messageOf(error)}`);
      }
      out.push({
        task: id,
        status: task.Status ?? null,
        stopReason: task.StopReason ?? null,
        fullLoadProgressPercent: task.ReplicationTaskStats?.FullLoadProgressPercent ?? null,
        etaSeconds: fullLoadEta(
          task.ReplicationTaskStats?.FullLoadProgressPercent,
          task.ReplicationTaskStats?.ElapsedTimeMillis,
        ),
        rowsPerSecond: fullLoadRate(
          stats.reduce((sum, row) => sum + (row.FullLoadRows ?? 0), 0),
          task.ReplicationTaskStats?.ElapsedTimeMillis,
        ),
        lastFailure: task.LastFailureMessage ?? null,
        ...(await latencyOf(session, ops, task)),
        tables: stats
          .map((row) => ({
            table: `${row.SchemaName}.${row.TableName}`,
            state: row.TableState ?? null,
            fullLoadRows: row.FullLoadRows ?? 0,
            inserts: row.Inserts ?? 0,
            updates: row.Updates ?? 0,
            deletes: row.Deletes ?? 0,
            validationState: row.ValidationState ?? null,
          }))
          .sort((a, b) => compareText(a.table, b.table)),
      });
    } catch (error) {
      problems.push(`DMS task ${id}: ${session.redactor.messageOf(error)}`);
    }
  }
  return out;
}

/** The plan's DMS Serverless replication configs, by identifier. */
function replicationIds(session: Session): string[] {
  const ids = new Set<string>();
  for (const node of session.compiled.graph.nodes)
    if (node.kind === 'DmsReplicationConfigCreate' && typeof node.input.task === 'string')
      ids.add(node.input.task.toLowerCase());
  return [...ids].sort();
}

/**
 * Each DMS Serverless replication as DescribeReplications reports it, in a task's terms: its status
 * (with the capacity DMS provisioned), why it stopped, its full-load progress, failure messages and,
 * running CDC, CloudWatch's latency (its metrics' dimensions discovered: executor/dms/replication-metrics.ts).
 */
async function liveReplications(session: Session, problems: string[]): Promise<TaskStatus[]> {
  const ops = new DmsOps({ client: session.dms, sleep: session.sleep, pollMs: 0, maxPolls: 1 });
  const readReplicationLatency = replicationLatencyReader(session.cloudwatch, session.now, session.sleep);
  const out: TaskStatus[] = [];
  for (const id of replicationIds(session)) {
    try {
      const replication = await ops.replication(id);
      const stats = replication?.ReplicationStats;
      const provision = replication?.ProvisionData;
      out.push({
        task: id,
        status:
          replication?.Status === undefined
            ? null
            : `${replication.Status}${provision?.ProvisionState ? ` (serverless, capacity ${provision.ProvisionState}${provision.ProvisionedCapacityUnits ? `, ${provision.ProvisionedCapacityUnits} DCU` : ''})` : ' (serverless)'}`,
        stopReason: replication?.StopReason ?? null,
        fullLoadProgressPercent: stats?.FullLoadProgressPercent ?? null,
        etaSeconds: fullLoadEta(stats?.FullLoadProgressPercent, stats?.ElapsedTimeMillis),
        rowsPerSecond: null,
        lastFailure: replication?.FailureMessages?.join('; ') || null,
        ...(replication === null || replication.ReplicationType === 'full-load'
          ? NO_LATENCY
          : latencyFields(
              await readReplicationLatency({
                status: replication.Status,
                arn: replication.ReplicationConfigArn,
                identifier: replication.ReplicationConfigIdentifier,
              }),
            )),
        tables: [],
      });
    } catch (error) {
      problems.push(`DMS Serverless replication ${id}: ${session.redactor.messageOf(error)}`);
    }
  }
  return out;
}

/** The gate a node sits behind, or that a ManualGate node is (named as gatesOf names it). */
function gateOf(node: GraphNode): string | null {
  return node.kind === 'ManualGate' ? String(node.input.gate ?? node.input.name ?? node.gate ?? node.id) : node.gate;
}

/**
 * The first CDC lag wait's threshold: the plan's max_lag_seconds, which is what the gate enforces. The
 * bytes behind are shown beside it but gate nothing, so no byte threshold is drawn that the plan never set.
 */
function lagThresholds(session: Session): StatusReport['lagThresholds'] {
  const wait = session.compiled.graph.nodes.find((node) => node.kind === 'CdcLagWait');
  return { maxLagSeconds: wait ? (optionalNumber(wait.input, 'maxLagSeconds') ?? null) : null, maxLagBytes: null };
}

export interface StatusOptions {
  /** How the plan is named in printed commands (`--compiled DIR` or the plan file); default the plan's name. */
  readonly planRef?: string;
}

export async function statusReport(
  session: Session,
  live: boolean,
  options: StatusOptions = {},
): Promise<StatusReport> {
  const journal = session.journal;
  const problems: string[] = [];
  const ref = options.planRef ?? session.plan;
  const gates: Record<string, { approved: boolean; approvedAt: string | null; command: string }> = {};
  for (const gate of gatesOf(session.compiled.graph))
    gates[gate] = {
      approved: journal.gates[gate] !== undefined,
      approvedAt: journal.gates[gate]?.approvedAt ?? null,
      command: `pgferry approve ${ref} ${gate}`,
    };
  let slots: Record<string, unknown>[] | null = null;
  let tasks: TaskStatus[] = [];
  let subscriptions: SubscriptionStatus[] = [];
  let drift: readonly DriftItem[] = [];
  if (live) {
    const refresh = await refreshDms(session);
    drift = refresh.drift;
    problems.push(...drift.map((item) => `drift: ${driftLine(item)}`));
    tasks = [...(await liveTasks(session, problems)), ...(await liveReplications(session, problems))];
    if (session.deployment.agent) {
      try {
        const agent = await session.agent();
        slots = (await agent.slots()).slots.map((slot) => ({ ...slot }));
      } catch (error) {
        problems.push(`agent slots: ${session.redactor.messageOf(error)}`);
      }
    }
    subscriptions = await liveSubscriptions(session, slots, problems);
  }
  const after = new Map<string, string[]>();
  for (const edge of session.compiled.graph.edges) after.set(edge.to, [...(after.get(edge.to) ?? []), edge.from]);
  return {
    plan: session.plan,
    planHash: session.compiled.graph.planHash,
    journal: session.journalFile,
    started: Object.values(journal.nodes).some((node) => node.state !== 'pending'),
    aborted: journal.aborted,
    updatedAt: journal.updatedAt,
    nodes: await Promise.all(
      session.compiled.graph.nodes.map(async (node) => {
        const record = journal.nodes[node.id];
        return {
          id: node.id,
          kind: node.kind,
          phase: node.phase,
          title: node.title,
          after: [...new Set(after.get(node.id))].sort(compareText),
          gate: gateOf(node),
          state: record?.state ?? 'pending',
          startedAt: record?.startedAt ?? null,
          finishedAt: record?.finishedAt ?? null,
          attempts: record?.attempts ?? 0,
          error: record?.error ?? null,
          // A wait in progress shows its latest observation (a killed run's last one, with its time).
          note:
            record?.state === 'running' && record.progress
              ? `${record.progress.line} [as of ${record.progress.at}]`
              : (record?.note ?? (await verifyProgressNote(session, node))),
          outputs: record?.outputs ?? {},
        };
      }),
    ),
    gates,
    lagThresholds: lagThresholds(session),
    tasks,
    subscriptions,
    slots,
    drift,
    problems,
  };
}

/** A DataVerify node that has not finished: how far its checkpoint got (tables done, chunks, rows). */
async function verifyProgressNote(session: Session, node: GraphNode): Promise<string | null> {
  if (node.kind !== 'DataVerify') return null;
  const database = node.input.sourceDatabase;
  if (typeof database !== 'string') return null;
  const progress = await Checkpoint.progress(verifyCheckpointPath(dirname(session.journalFile), database));
  return progress === null
    ? null
    : `verify progress: ${progress.tablesDone} table(s) done, ${progress.chunks} chunk(s), ${progress.rows} source rows compared`;
}
