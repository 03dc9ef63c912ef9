// The executor's verbs: apply (up to a phase), approve a gate, abort with compensations. Each takes
// the lock for its whole duration and leaves the journal consistent whatever happens.

import { topologicalOrder } from '../compiler/graph/order.js';
import { compareText } from '../contracts/compare.js';
import type { ExecutionGraph, GraphNode, Phase } from '../contracts/graph.js';
import { RELOAD_GATE } from './dms/failed-task.js';
import { type EngineEvent, type RunSummary, runGraph } from './engine.js';
import { handlers as defaultHandlers } from './handlers/index.js';
import { graphDrift, graphHash } from './journal.js';
import { executorOfKind } from './kinds.js';
import { type HeldLock, LockHeldError } from './lock.js';
import { writePendingApproval } from './pending-approvals.js';
import { MissingOutputError } from './placeholders.js';
import { applyRefresh, type Refresh, refreshDms } from './refresh.js';
import type { PlanChange, Session } from './session.js';
import { RESTORE_KIND, restoreSourceStep } from './source-restore.js';
import type { DryRunProbe, HandlerRegistry } from './types.js';

export const PHASES_FOR = {
  apply: ['prepare', 'load'],
  cutover: ['prepare', 'load', 'cutover'],
  cleanup: ['prepare', 'load', 'cutover', 'cleanup'],
} as const satisfies Record<string, readonly Phase[]>;

export interface ApplyOptions {
  readonly phases: readonly Phase[];
  readonly parallelism?: number;
  readonly handlers?: HandlerRegistry;
  readonly onEvent?: (event: EngineEvent) => void;
  /** Cleanup after an abort: run the selected phases whatever did not finish before them. */
  readonly afterAbort?: boolean;
  /** What the refresh against AWS found before the run, and the nodes it set to run again. */
  readonly onRefresh?: (refresh: Refresh, reset: readonly string[]) => void;
  /** Ctrl-C: registers what to do on an interrupt for the run's duration (returns the unregister). */
  readonly onInterrupt?: (handler: () => Promise<void>) => () => void;
  /** After an interrupt: the nodes that were running, now recorded as interrupted (failed). */
  readonly onInterrupted?: (nodes: readonly string[]) => void;
}

/** `approve` named a gate the plan does not have: a bad invocation, not a failed run. */
export class UnknownGateError extends Error {}

export const INTERRUPTED = 'interrupted (Ctrl-C) while running';

/**
 * Records the nodes a Ctrl-C caught running as failed ('interrupted'), so the journal says what was
 * cut short instead of leaving them 'running'; the next run retries them (every handler adopts what
 * exists). Returns their ids.
 */
async function markInterrupted(session: Session): Promise<string[]> {
  const ids: string[] = [];
  for (const [id, record] of Object.entries(session.journal.nodes)) {
    if (record.state !== 'running') continue;
    record.state = 'failed';
    record.error = INTERRUPTED;
    record.finishedAt = session.now().toISOString();
    ids.push(id);
  }
  await session.save();
  return ids.sort(compareText);
}

export async function applyGraph(
  session: Session,
  options: ApplyOptions,
): Promise<
  RunSummary & { drift: PlanChange['changed']; rerun: PlanChange['rerun']; modifying: PlanChange['modifying'] }
> {
  const lock = await session.lock();
  const unregister = options.onInterrupt?.(async () => {
    const ids = await markInterrupted(session);
    await lock.release();
    options.onInterrupted?.(ids);
  });
  try {
    await session.reload();
    const change = session.checkDrift();
    if (session.journal.aborted && !options.afterAbort) {
      throw new Error(
        `plan ${session.plan} was aborted; start over with a fresh state directory (or remove ${session.journalFile})`,
      );
    }
    // A node left 'running' by a crashed run is retried: every handler adopts what exists.
    for (const record of Object.values(session.journal.nodes)) if (record.state === 'running') record.state = 'pending';
    // Refresh before trusting the journal: what AWS says is gone is created again, a failed task the
    // plan runs is restarted. Not for cleanup, which would re-create what it is about to delete.
    if (!options.afterAbort && !options.phases.includes('cleanup')) {
      const refresh = await refreshDms(session);
      const reset = applyRefresh(session.journal, session.compiled.graph, refresh.drift);
      options.onRefresh?.(refresh, reset);
    }
    await session.save();
    const summary = await runGraph({
      graph: session.compiled.graph,
      journal: session.journal,
      handlers: options.handlers ?? defaultHandlers,
      context: (node) => session.context(node),
      phases: new Set(options.phases),
      parallelism: Math.max(1, options.parallelism ?? session.options.parallelism ?? 4),
      redactor: session.redactor,
      now: session.now,
      save: () => session.save(),
      onEvent: options.onEvent,
      afterAbort: session.journal.aborted && options.afterAbort === true,
    });
    return { ...summary, drift: change.changed, rerun: change.rerun, modifying: change.modifying };
  } finally {
    unregister?.();
    await lock.release();
  }
}

export interface DryRunLine {
  readonly id: string;
  readonly state: string;
  readonly probe: DryRunProbe | { readonly action: 'error'; readonly detail: string };
}

/** What `apply` would do, with read-only probes only; the journal is not written. */
export async function dryRun(
  session: Session,
  phases: readonly Phase[],
  registry: HandlerRegistry = defaultHandlers,
): Promise<DryRunLine[]> {
  const lines: DryRunLine[] = [];
  const graph = session.compiled.graph;
  const drift = session.journal.graphHash === graphHash(graph) ? null : graphDrift(session.journal, graph);
  const modify = new Map(drift?.modifiable.map((item) => [item.id, item.fields]) ?? []);
  for (const node of graph.nodes) {
    if (!phases.includes(node.phase)) continue;
    const state = session.journal.nodes[node.id]?.state ?? 'pending';
    const fields = modify.get(node.id);
    if (fields) {
      const detail = `changed since it ran, modified in place: ${fields.join(', ')}`;
      lines.push({ id: node.id, state, probe: { action: 'modify', detail } });
      continue;
    }
    if (drift?.blocking.includes(node.id) && !session.options.allowPlanChange) {
      const why = drift.reasons[node.id] ?? 'apply refuses it without --allow-plan-change';
      lines.push({ id: node.id, state, probe: { action: 'error', detail: `changed since it ran: ${why}` } });
      continue;
    }
    if (state === 'succeeded') {
      lines.push({ id: node.id, state, probe: { action: 'skip', detail: 'already done' } });
      continue;
    }
    if (node.gate !== null && session.journal.gates[node.gate] === undefined) {
      lines.push({
        id: node.id,
        state,
        probe: { action: 'wait-gate', detail: `needs: pgferry approve ${session.plan} ${node.gate}` },
      });
      continue;
    }
    const handler = registry[node.executor];
    try {
      const probe = handler.probe
        ? await handler.probe(node, session.context(node))
        : ({ action: 'run', detail: node.title } as const);
      lines.push({ id: node.id, state, probe });
    } catch (error) {
      lines.push({ id: node.id, state, probe: { action: 'error', detail: session.redactor.messageOf(error) } });
    }
  }
  return lines;
}

/** The command that runs the nodes behind a gate: apply (prepare, load), cutover or cleanup. */
export function verbForGate(session: Session, gate: string): 'apply' | 'cutover' | 'cleanup' {
  const gated = session.compiled.graph.nodes.filter(
    (node) => node.gate === gate || (node.kind === 'ManualGate' && String(node.input.gate ?? node.id) === gate),
  );
  const phases = new Set(gated.map((node) => node.phase));
  if (phases.has('prepare') || phases.has('load')) return 'apply';
  return phases.has('cutover') ? 'cutover' : phases.has('cleanup') ? 'cleanup' : 'apply';
}

/**
 * Every gate of a graph: nodes behind a gate, manual gate nodes, and the reload gate when a task's
 * plan lets apply reload it.
 */
export function gatesOf(graph: ExecutionGraph): string[] {
  const known = new Set<string>();
  for (const node of graph.nodes) {
    if (node.gate !== null) known.add(node.gate);
    if (node.kind === 'ManualGate') known.add(String(node.input.gate ?? node.input.name ?? node.gate ?? node.id));
    if ((node.kind === 'DmsTaskStart' || node.kind === 'DmsReplicationStart') && node.input.allowReload === true)
      known.add(RELOAD_GATE);
  }
  return [...known].sort(compareText);
}

/**
 * Records an approval. While another command holds the journal's lock (a long full load), the approval
 * is written beside the journal instead and taken in by the next command that loads it (pre-approval).
 */
export async function approveGate(
  session: Session,
  gate: string,
  by: string,
): Promise<'approved' | 'already' | 'pending'> {
  const known = new Set(gatesOf(session.compiled.graph));
  if (!known.has(gate)) {
    throw new UnknownGateError(
      `plan ${session.plan} has no gate '${gate}' (gates: ${[...known].join(', ') || 'none'})`,
    );
  }
  const approval = { approvedAt: session.now().toISOString(), approvedBy: by };
  let lock: HeldLock;
  try {
    lock = await session.lock();
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    if (session.journal.gates[gate] !== undefined) return 'already';
    await writePendingApproval(session.journalFile, gate, approval);
    return 'pending';
  }
  try {
    await session.reload();
    if (session.journal.gates[gate] !== undefined) return 'already';
    session.journal.gates[gate] = approval;
    session.journal.updatedAt = session.now().toISOString();
    await session.save();
    return 'approved';
  } finally {
    await lock.release();
  }
}

export interface AbortStep {
  readonly node: string;
  readonly kind: string;
  /** `skipped`: its input names an output that was never recorded, so there is nothing to undo. */
  readonly result: 'done' | 'failed' | 'skipped';
  readonly detail: string;
}

/** Why a step cannot run: an input `@ref` to an output its node never produced (null when it can). */
async function missingInput(session: Session, node: GraphNode): Promise<string | null> {
  try {
    await session.context(node).resolve(node.input);
    return null;
  } catch (error) {
    if (error instanceof MissingOutputError) return error.message;
    return null;
  }
}

function compensationNode(node: GraphNode): GraphNode | null {
  const compensation = node.compensation;
  if (compensation === null) return null;
  return {
    ...node,
    id: `${node.id}#compensate`,
    kind: compensation.kind,
    executor: executorOfKind[compensation.kind],
    title: compensation.title,
    input: compensation.input,
    gate: null,
    compensation: null,
  };
}

/**
 * Compensations for everything that ran, in the graph's dependency order reversed (what depends on a
 * node is undone before it: the source is unfenced before the task is stopped), then the finalisers
 * that have not run, in dependency order (the slot is dropped after its task stopped).
 */
export async function abortPlan(
  session: Session,
  registry: HandlerRegistry = defaultHandlers,
  options: { readonly restoreSource?: boolean } = {},
): Promise<AbortStep[]> {
  const lock = await session.lock();
  const steps: AbortStep[] = [];
  try {
    await session.reload();
    const journal = session.journal;
    const record = async (node: GraphNode, kind: string, input: GraphNode, run: () => Promise<string>) => {
      let step: AbortStep;
      const missing = await missingInput(session, input);
      if (missing !== null) {
        step = { node: node.id, kind, result: 'skipped', detail: `nothing to undo: ${missing}` };
      } else {
        try {
          step = { node: node.id, kind, result: 'done', detail: session.redactor.redact(await run()) };
        } catch (error) {
          step = { node: node.id, kind, result: 'failed', detail: session.redactor.messageOf(error) };
        }
      }
      steps.push(step);
      journal.compensations.push({
        node: node.id,
        kind,
        result: `${step.result}: ${step.detail}`,
        at: session.now().toISOString(),
      });
      await session.save();
    };
    const graph = session.compiled.graph;
    const ordered = topologicalOrder(graph.nodes, graph.edges).ordered;
    for (const node of [...ordered].reverse()) {
      const state = journal.nodes[node.id]?.state ?? 'pending';
      // A failed or interrupted node may have had its effect (a task started, then the wait failed).
      if (state === 'pending' || state === 'waiting-gate' || state === 'skipped') continue;
      const undo = compensationNode(node);
      if (!undo) continue;
      await record(node, undo.kind, undo, async () => {
        const result = await registry[undo.executor].run(undo, session.context(undo));
        return result.status === 'succeeded' ? (result.note ?? undo.title) : `waiting for gate ${result.gate}`;
      });
    }
    for (const node of ordered) {
      if (!node.finally || journal.nodes[node.id]?.state === 'succeeded') continue;
      await record(node, node.kind, node, async () => {
        const result = await registry[node.executor].run({ ...node, gate: null }, session.context(node));
        if (result.status === 'succeeded') {
          const entry = journal.nodes[node.id];
          if (entry) {
            entry.state = 'succeeded';
            entry.outputs = { ...result.outputs } as typeof entry.outputs;
            entry.finishedAt = session.now().toISOString();
          }
          return result.note ?? node.title;
        }
        return `waiting for gate ${result.gate}`;
      });
    }
    // Last, once the slots are gone: the source's own config back to before pgferry's apply.
    const restore = options.restoreSource ? restoreSourceStep(session) : null;
    if (restore) await record(restore.node, RESTORE_KIND, restore.node, restore.run);
    journal.aborted = true;
    await session.save();
    return steps;
  } finally {
    await lock.release();
  }
}
