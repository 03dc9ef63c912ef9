// `pgferry abort PLAN`: run the compensations of everything that ran (stop the task, unfence, revert
// target settings), latest first, then the finalisers (drop the slot). Safe to run twice. Steps whose
// input never existed (a task that never started has no slot) are skipped with a note. What is left on
// the source is listed with how to undo it; `--restore-source` rolls the source's config back.

import { executorCommand, openSession, planRef } from '../../executor/cli-support.js';
import { abortPlan } from '../../executor/operations.js';
import { sourceLeftovers } from '../../executor/source-restore.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry abort PLAN.yaml [--restore-source] [apply's options]

Undoes what the run did, as far as it can be undone, and marks the journal aborted.

  --restore-source   also roll the source's pg_hba.conf and settings back to the agent's backup from
                     before pgferry's apply, and restart PostgreSQL when a restart-only setting moves back

Example:
  pgferry abort plans/orders.yaml
`;

const MARK = { done: '✓', failed: '✗', skipped: '–' } as const;

export const command: CliCommand = executorCommand(
  HELP,
  { 'restore-source': { type: 'boolean' } },
  async (parsed, io) => {
    const session = await openSession(parsed, io);
    const steps = await abortPlan(session, undefined, { restoreSource: parsed.values['restore-source'] === true });
    const left = sourceLeftovers(session, planRef(parsed));
    if (parsed.values.json) io.stdout(`${JSON.stringify({ steps, leftOnSource: left }, null, 2)}\n`);
    else {
      for (const step of steps) io.stdout(`${MARK[step.result]} ${step.node} ${step.kind}: ${step.detail}\n`);
      if (steps.length === 0) io.stdout('nothing to undo\n');
      if (left.length > 0) {
        io.stdout('left on the source:\n');
        for (const item of left) io.stdout(`  ${item.what}\n    undo: ${item.undo}\n`);
      }
    }
    const failed = steps.filter((step) => step.result === 'failed');
    if (failed.length > 0) {
      io.stderr(`${failed.length} compensation(s) failed; fix the cause and run abort again (it is idempotent)\n`);
      return EXIT.failed;
    }
    io.stdout(`plan ${session.plan} aborted\n`);
    return EXIT.ok;
  },
);
