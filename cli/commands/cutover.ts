// `pgferry cutover PLAN`: run through the cutover nodes (lag wait, fence, marker, sequences, post-load,
// FK restore, stop), behind the plan's gates; reports how long writes were fenced.

import { applyGraph, PHASES_FOR } from '../../executor/operations.js';
import type { Session } from '../../executor/session.js';
import { executorCommand, openSession, planRef } from '../executor-command.js';
import { interruptOptions, nextStep, renderEvent, renderRefresh, renderRunJson, renderSummary } from '../run-report.js';

/**
 * Seconds from the write fence to the last cutover step (gates excluded): how long the application
 * could not write before the target was ready. Null until every such step succeeded.
 */
export function fenceSeconds(session: Session): number | null {
  const steps = session.compiled.graph.nodes.filter((node) => node.phase === 'cutover' && node.kind !== 'ManualGate');
  const fence = steps.find((node) => node.kind === 'SourceWriteFence');
  const fencedAt = fence ? session.journal.nodes[fence.id]?.outputs.fencedAt : undefined;
  if (typeof fencedAt !== 'string') return null;
  const records = steps.map((node) => session.journal.nodes[node.id]);
  if (records.some((record) => record?.state !== 'succeeded' || record.finishedAt === null)) return null;
  const last = Math.max(...records.map((record) => Date.parse(record!.finishedAt!)));
  return Math.max(0, (last - Date.parse(fencedAt)) / 1000);
}

export const command = executorCommand({
  name: 'cutover',
  synopsis: 'PLAN.yaml [options]',
  description: `Runs the cutover phase: waits for CDC lag under the plan's limit, fences writes on the source,
writes a marker and waits for it, syncs sequences, runs post-load SQL, restores FKs, stops the task.
Exit 0 when it finished or stopped at a gate, 1 when a node failed.`,
  flags: {},
  output: { formats: ['text', 'json'], default: 'text' },
  examples: ['pgferry approve plans/orders.yaml cutover', 'pgferry cutover plans/orders.yaml'],
  run: async (invocation, io) => {
    const json = invocation.format === 'json';
    const ref = planRef(invocation);
    const session = await openSession(invocation, io);
    const summary = await applyGraph(session, {
      ...interruptOptions(io, 'cutover', ref),
      phases: PHASES_FOR.cutover,
      ...(json
        ? {}
        : {
            onEvent: (event) => renderEvent(io, event),
            onRefresh: (refresh, reset) => renderRefresh(io, refresh, reset),
          }),
    });
    const next = nextStep(session, PHASES_FOR.cutover, ref);
    const seconds = fenceSeconds(session);
    if (json) return renderRunJson(io, summary, session.plan, next, { fencedSeconds: seconds });
    const code = renderSummary(io, summary, session.plan, ref, 'cutover', next);
    if (seconds !== null)
      io.stdout(`writes were fenced on the source for ${seconds.toFixed(1)} s before the target was ready\n`);
    return code;
  },
});
