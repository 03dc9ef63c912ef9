// `pgferry cleanup PLAN`: the cleanup phase (delete the task, endpoints and instance, drop the slot) as
// the plan's cleanup policy compiled it. After an abort it runs whatever the earlier phases left.

import { applyGraph, PHASES_FOR } from '../../executor/operations.js';
import { executorCommand, openSession, planRef } from '../executor-command.js';
import { interruptOptions, nextStep, renderEvent, renderRunJson, renderSummary } from '../run-report.js';

export const command = executorCommand({
  name: 'cleanup',
  synopsis: 'PLAN.yaml [options]',
  description: `Deletes what the plan's cleanup policy says (DMS task, endpoints, replication instance, slot).
Exit 0 when it finished or stopped at a gate, 1 when a node failed.`,
  flags: {},
  output: { formats: ['text', 'json'], default: 'text' },
  examples: ['pgferry cleanup plans/orders.yaml'],
  run: async (invocation, io) => {
    const json = invocation.format === 'json';
    const ref = planRef(invocation);
    const session = await openSession(invocation, io);
    const aborted = session.journal.aborted;
    const summary = await applyGraph(session, {
      ...interruptOptions(io, 'cleanup', ref),
      phases: aborted ? ['cleanup'] : PHASES_FOR.cleanup,
      afterAbort: aborted,
      ...(json ? {} : { onEvent: (event) => renderEvent(io, event) }),
    });
    const next = nextStep(session, PHASES_FOR.cleanup, ref);
    if (json) return renderRunJson(io, summary, session.plan, next);
    return renderSummary(io, summary, session.plan, ref, 'cleanup', next);
  },
});
