// `pgferry status`: the journal's node states merged with live DMS task status (FullLoadProgressPercent,
// per-table statistics, an ETA for the full load) and the agent's slot view. Live sources that cannot
// be reached are reported as such; status never fails because AWS or the agent is down.

import { DescribeTableStatisticsCommand, type TableStatistics } from '@aws-sdk/client-database-migration-service';
import { DmsOps } from './dms/ops.js';
import type { Session } from './session.js';

export interface TaskStatus {
  readonly task: string;
  readonly status: string | null;
  readonly stopReason: string | null;
  readonly fullLoadProgressPercent: number | null;
  readonly etaSeconds: number | null;
  readonly lastFailure: string | null;
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
    readonly state: string;
    readonly attempts: number;
    readonly error: string | null;
    readonly note: string | null;
    readonly outputs: Readonly<Record<string, unknown>>;
  }[];
  readonly gates: Readonly<Record<string, { readonly approved: boolean; readonly approvedAt: string | null }>>;
  readonly tasks: readonly TaskStatus[];
  readonly slots: readonly Readonly<Record<string, unknown>>[] | null;
  readonly problems: readonly string[];
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
          lastFailure: null,
          tables: [],
        });
        continue;
      }
      let stats: TableStatistics[] = [];
      try {
        const answer = await ops.send<{ TableStatistics?: TableStatistics[] }>(
          new DescribeTableStatisticsCommand({ ReplicationTaskArn: task.ReplicationTaskArn! }),
        );
        stats = answer.TableStatistics ?? [];
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
        lastFailure: task.LastFailureMessage ?? null,
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
          .sort((a, b) => a.table.localeCompare(b.table)),
      });
    } catch (error) {
      problems.push(`DMS task ${id}: ${session.redactor.messageOf(error)}`);
    }
  }
  return out;
}

export async function statusReport(session: Session, live: boolean): Promise<StatusReport> {
  const journal = session.journal;
  const problems: string[] = [];
  const gates: Record<string, { approved: boolean; approvedAt: string | null }> = {};
  for (const node of session.compiled.graph.nodes) {
    const gate =
      node.gate ?? (node.kind === 'ManualGate' ? String(node.input.gate ?? node.input.name ?? node.id) : null);
    if (gate !== null)
      gates[gate] = {
        approved: journal.gates[gate] !== undefined,
        approvedAt: journal.gates[gate]?.approvedAt ?? null,
      };
  }
  let slots: Record<string, unknown>[] | null = null;
  let tasks: TaskStatus[] = [];
  if (live) {
    tasks = await liveTasks(session, problems);
    if (session.deployment.agent) {
      try {
        const agent = await session.agent();
        slots = (await agent.slots()).slots.map((slot) => ({ ...slot }));
      } catch (error) {
        problems.push(`agent slots: ${session.redactor.messageOf(error)}`);
      }
    }
  }
  return {
    plan: session.plan,
    planHash: session.compiled.graph.planHash,
    journal: session.journalFile,
    started: Object.values(journal.nodes).some((node) => node.state !== 'pending'),
    aborted: journal.aborted,
    updatedAt: journal.updatedAt,
    nodes: session.compiled.graph.nodes.map((node) => {
      const record = journal.nodes[node.id];
      return {
        id: node.id,
        kind: node.kind,
        phase: node.phase,
        state: record?.state ?? 'pending',
        attempts: record?.attempts ?? 0,
        error: record?.error ?? null,
        note: record?.note ?? null,
        outputs: record?.outputs ?? {},
      };
    }),
    gates,
    tasks,
    slots,
    problems,
  };
}
