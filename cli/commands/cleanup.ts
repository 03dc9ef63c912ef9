// `pgferry cleanup PLAN`: the cleanup phase (delete the task, endpoints and instance, drop the slot) as
// the plan's cleanup policy compiled it. After an abort it runs whatever the earlier phases left.

import {
  executorCommand,
  interruptOptions,
  nextStep,
  openSession,
  planRef,
  renderEvent,
  renderSummary,
} from '../../executor/cli-support.js';
import { applyGraph, PHASES_FOR } from '../../executor/operations.js';
import type { CliCommand } from '../io.js';

const HELP = `usage: pgferry cleanup PLAN.yaml [apply's options]

Deletes what the plan's cleanup policy says (DMS task, endpoints, replication instance, slot).

Example:
  pgferry cleanup plans/orders.yaml
`;

export const command: CliCommand = executorCommand(HELP, {}, async (parsed, io) => {
  const session = await openSession(parsed, io);
  const aborted = session.journal.aborted;
  const summary = await applyGraph(session, {
    ...interruptOptions(io, 'cleanup', planRef(parsed)),
    phases: aborted ? ['cleanup'] : PHASES_FOR.cleanup,
    afterAbort: aborted,
    onEvent: (event) => renderEvent(io, event),
  });
  return renderSummary(
    io,
    summary,
    session.plan,
    planRef(parsed),
    'cleanup',
    nextStep(session, PHASES_FOR.cleanup, planRef(parsed)),
  );
});
