// How a run of the graph is shown (apply, cutover, cleanup): each node as it starts and ends, the drift the
// refresh found, Ctrl-C, and the end of the run (what failed, which gate waits, the command that goes on),
// as text or, with --json, as one JSON document at the end.

import { topologicalOrder } from '../compiler/graph/order.js';
import { canonicalJson } from '../contracts/canonical-json.js';
import type { GraphNode, Phase } from '../contracts/graph.js';
import type { EngineEvent, RunSummary } from '../executor/engine.js';
import { driftLine, type Refresh } from '../executor/refresh.js';
import type { Session } from '../executor/session.js';
import { type CliIo, EXIT } from './io.js';

export function renderEvent(io: CliIo, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
      io.stdout(`→ ${event.node.id}  ${event.node.title}\n`);
      break;
    case 'succeeded':
      io.stdout(
        `✓ ${event.node.id}${event.adopted ? '  (adopted existing)' : ''}${event.note ? `  ${event.note}` : ''}\n`,
      );
      break;
    case 'failed':
      io.stdout(`✗ ${event.node.id}  ${event.error}\n`);
      break;
    case 'waiting-gate':
      io.stdout(`⏸ ${event.node.id}  waiting for gate ${event.gate}\n`);
      break;
  }
}

/** What the refresh against AWS found, before the run's progress. */
export function renderRefresh(io: CliIo, refresh: Refresh, reset: readonly string[]): void {
  for (const item of refresh.drift) io.stdout(`drift: ${driftLine(item)}\n`);
  for (const line of refresh.unknown) io.stdout(`drift: cannot tell for ${line}\n`);
  if (reset.length > 0) io.stdout(`runs again after the refresh: ${reset.join(', ')}\n`);
}

/** apply/cutover/cleanup options for Ctrl-C: record the interrupted nodes and say how to go on. */
export function interruptOptions(io: CliIo, verb: string, ref: string) {
  return {
    ...(io.onInterrupt ? { onInterrupt: io.onInterrupt.bind(io) } : {}),
    onInterrupted: (nodes: readonly string[]) => {
      io.stderr(
        `\ninterrupted${nodes.length > 0 ? `: ${nodes.join(', ')} recorded as interrupted (what it started may still run, e.g. a DMS task)` : ''}\n` +
          `resume with:  pgferry ${verb} ${ref}  (finished nodes are skipped, existing resources adopted)\n` +
          `or undo with: pgferry abort ${ref}\n`,
      );
    },
  };
}

const PHASE_WORDS: Record<string, string> = { apply: 'prepare and load', cutover: 'the cutover', cleanup: 'cleanup' };

/**
 * What comes after the phases a command ran: the first gate not yet approved in a later phase (in
 * dependency order) and the command that continues, or null when nothing is left.
 */
export function nextStep(session: Session, phases: readonly Phase[], ref: string): string | null {
  const graph = session.compiled.graph;
  const left = topologicalOrder(graph.nodes, graph.edges).ordered.filter((node) => {
    const state = session.journal.nodes[node.id]?.state;
    return !phases.includes(node.phase) && state !== 'succeeded' && state !== 'skipped';
  });
  const first = left[0];
  if (!first) return null;
  const verb = first.phase === 'cleanup' ? 'cleanup' : first.phase === 'cutover' ? 'cutover' : 'apply';
  const gateOf = (node: GraphNode) => (node.kind === 'ManualGate' ? String(node.input.gate ?? '') : (node.gate ?? ''));
  const gate = left
    .filter((node) => node.phase === first.phase)
    .map(gateOf)
    .find((g) => g !== '' && !session.journal.gates[g]);
  return gate ? `pgferry approve ${ref} ${gate}, then pgferry ${verb} ${ref}` : `pgferry ${verb} ${ref}`;
}

/** The end of a run: what failed and why, or which gate waits, and the command to go on. */
export function renderSummary(
  io: CliIo,
  summary: RunSummary,
  plan: string,
  ref: string,
  verb: string,
  next: string | null = null,
): number {
  if (summary.failed.length > 0) {
    io.stderr(`\n${summary.failed.length} node(s) failed:\n`);
    for (const failure of summary.failed) io.stderr(`  ${failure.id}: ${failure.error}\n`);
    io.stderr(
      `\nfix the cause, then resume:  pgferry ${verb} ${ref}\nor undo what ran:          pgferry abort ${ref}\n`,
    );
    return EXIT.failed;
  }
  for (const gate of summary.waitingGates) {
    io.stdout(`\nwaiting for approval: pgferry approve ${ref} ${gate}, then pgferry ${verb} ${ref}\n`);
  }
  if (summary.waitingGates.length === 0 && summary.blocked.length > 0) {
    io.stdout(`\n${summary.blocked.length} node(s) could not run yet: ${summary.blocked.join(', ')}\n`);
  }
  if (summary.waitingGates.length === 0 && summary.blocked.length === 0) {
    const what = PHASE_WORDS[verb] ?? verb;
    const then = next === null ? '' : `; next: ${next}`;
    io.stdout(
      summary.ran.length === 0
        ? `\n${plan}: nothing to do, ${what} already done${then}\n`
        : `\n${plan}: done${next === null ? '' : ` with ${what}`}${then}\n`,
    );
  }
  return EXIT.ok;
}

/** The exit code of a run: 1 when a node failed, else 0 (stopped at a gate is a normal stop). */
export function runExitCode(summary: RunSummary): number {
  return summary.failed.length > 0 ? EXIT.failed : EXIT.ok;
}

/** --json for apply, cutover and cleanup: the whole outcome as one canonical JSON document. */
export function renderRunJson(
  io: CliIo,
  summary: RunSummary,
  plan: string,
  next: string | null,
  extra: Readonly<Record<string, unknown>> = {},
): number {
  io.stdout(canonicalJson({ plan, ...summary, next, ...extra }));
  return runExitCode(summary);
}
