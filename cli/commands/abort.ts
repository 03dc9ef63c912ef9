// `pgferry abort PLAN`: run the compensations of everything that ran (stop the task, unfence, revert
// target settings), latest first, then the finalisers (drop the slot). Safe to run twice.

import { executorCommand, openSession } from '../../executor/cli-support.js';
import { abortPlan } from '../../executor/operations.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry abort PLAN.yaml [apply's options]

Undoes what the run did, as far as it can be undone, and marks the journal aborted.

Example:
  pgferry abort plans/orders.yaml
`;

export const command: CliCommand = executorCommand(HELP, {}, async (parsed, io) => {
  const session = await openSession(parsed, io);
  const steps = await abortPlan(session);
  if (parsed.values.json) io.stdout(`${JSON.stringify(steps, null, 2)}\n`);
  else {
    for (const step of steps)
      io.stdout(`${step.result === 'done' ? '✓' : '✗'} ${step.node} ${step.kind}: ${step.detail}\n`);
    if (steps.length === 0) io.stdout('nothing to undo\n');
  }
  const failed = steps.filter((step) => step.result === 'failed');
  if (failed.length > 0) {
    io.stderr(`${failed.length} compensation(s) failed; fix the cause and run abort again (it is idempotent)\n`);
    return EXIT.failed;
  }
  io.stdout(`plan ${session.plan} aborted\n`);
  return EXIT.ok;
});
