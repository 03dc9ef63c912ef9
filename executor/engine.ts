// Walks the graph: nodes in dependency order, at most `parallelism` at once, the journal saved after
// every state change. A failed node stops its dependents only; independent branches go on. A node
// behind a closed gate waits, and so does everything after it.

import type { ExecutionGraph, GraphNode, Phase } from '../contracts/graph.js';
import type { Journal, NodeRecord } from './journal.js';
import type { Redactor } from './redact.js';
import type { HandlerRegistry, NodeOutputs, RunContext } from './types.js';

export interface EngineOptions {
  readonly graph: ExecutionGraph;
  readonly journal: Journal;
  readonly handlers: HandlerRegistry;
  /** Builds the context a handler sees (per node, so `log` can name it). */
  readonly context: (node: GraphNode) => RunContext;
  readonly phases: ReadonlySet<Phase>;
  readonly parallelism: number;
  readonly redactor: Redactor;
  readonly now: () => Date;
  readonly save: () => Promise<void>;
  readonly onEvent?: (event: EngineEvent) => void;
  /**
   * Cleanup after an abort: a node does not wait for predecessors outside the selected phases (they
   * will never run), but edges inside them still order the run: a task is deleted before the
   * endpoints and the instance it uses, as DMS demands.
   */
  readonly afterAbort?: boolean;
}

export type EngineEvent =
  | { readonly type: 'start'; readonly node: GraphNode }
  | { readonly type: 'succeeded'; readonly node: GraphNode; readonly adopted: boolean; readonly note?: string }
  | { readonly type: 'failed'; readonly node: GraphNode; readonly error: string }
  | { readonly type: 'waiting-gate'; readonly node: GraphNode; readonly gate: string };

export interface RunSummary {
  readonly ran: readonly string[];
  readonly failed: readonly { readonly id: string; readonly error: string }[];
  readonly waitingGates: readonly string[];
  /** Nodes in the selected phases that could not run because something before them did not finish. */
  readonly blocked: readonly string[];
  readonly complete: boolean;
}

function predecessorsOf(graph: ExecutionGraph): Map<string, string[]> {
  const preds = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
  for (const edge of graph.edges) preds.get(edge.to)?.push(edge.from);
  return preds;
}

function done(record: NodeRecord | undefined): boolean {
  return record?.state === 'succeeded' || record?.state === 'skipped';
}

function cleanOutputs(outputs: NodeOutputs, redactor: Redactor): NodeRecord['outputs'] {
  const out: NodeRecord['outputs'] = {};
  for (const key of Object.keys(outputs).sort()) {
    const value = outputs[key]!;
    out[key] = typeof value === 'string' ? redactor.redact(value) : value;
  }
  return out;
}

export async function runGraph(options: EngineOptions): Promise<RunSummary> {
  const { graph, journal, handlers, redactor } = options;
  const preds = predecessorsOf(graph);
  const phaseOf = new Map(graph.nodes.map((node) => [node.id, node.phase]));
  const waitsFor = (id: string) => {
    const phase = phaseOf.get(id);
    return !options.afterAbort || (phase !== undefined && options.phases.has(phase));
  };
  const attempted = new Set<string>();
  const ran: string[] = [];
  const failed: { id: string; error: string }[] = [];
  const gates = new Set<string>();
  const running = new Map<string, Promise<void>>();

  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    journal.updatedAt = options.now().toISOString();
    saving = saving.then(options.save, options.save);
    return saving;
  };

  const eligible = (node: GraphNode): boolean => {
    if (!options.phases.has(node.phase) || attempted.has(node.id) || running.has(node.id)) return false;
    if (done(journal.nodes[node.id])) return false;
    return (preds.get(node.id) ?? []).every((id) => !waitsFor(id) || done(journal.nodes[id]));
  };

  const runOne = async (node: GraphNode): Promise<void> => {
    const record = journal.nodes[node.id]!;
    if (node.gate !== null && journal.gates[node.gate] === undefined) {
      record.state = 'waiting-gate';
      gates.add(node.gate);
      options.onEvent?.({ type: 'waiting-gate', node, gate: node.gate });
      await save();
      return;
    }
    record.state = 'running';
    record.attempts += 1;
    record.startedAt = options.now().toISOString();
    record.error = null;
    await save();
    options.onEvent?.({ type: 'start', node });
    const context: RunContext = {
      ...options.context(node),
      progress: (line) => {
        record.progress = { at: options.now().toISOString(), line: redactor.redact(line) };
        save().catch(() => undefined);
      },
    };
    try {
      const result = await handlers[node.executor].run(node, context);
      if (result.status === 'waiting-gate') {
        record.state = 'waiting-gate';
        gates.add(result.gate);
        options.onEvent?.({ type: 'waiting-gate', node, gate: result.gate });
      } else {
        record.state = 'succeeded';
        delete record.modify;
        record.outputs = { ...record.outputs, ...cleanOutputs(result.outputs, redactor) };
        record.note = result.note === undefined ? null : redactor.redact(result.note);
        record.finishedAt = options.now().toISOString();
        ran.push(node.id);
        options.onEvent?.({ type: 'succeeded', node, adopted: result.outputs.adopted === true, note: result.note });
      }
    } catch (error) {
      const message = redactor.messageOf(error);
      record.state = 'failed';
      record.error = message;
      record.finishedAt = options.now().toISOString();
      failed.push({ id: node.id, error: message });
      options.onEvent?.({ type: 'failed', node, error: message });
    }
    delete record.progress;
    await save();
  };

  for (;;) {
    for (const node of graph.nodes) {
      if (running.size >= options.parallelism) break;
      if (!eligible(node)) continue;
      attempted.add(node.id);
      const task = runOne(node).finally(() => running.delete(node.id));
      running.set(node.id, task);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await saving;

  const blocked = graph.nodes
    .filter((node) => options.phases.has(node.phase) && !done(journal.nodes[node.id]) && !attempted.has(node.id))
    .map((node) => node.id);
  return {
    ran,
    failed,
    waitingGates: [...gates].sort(),
    blocked,
    complete: failed.length === 0 && blocked.length === 0 && gates.size === 0,
  };
}
