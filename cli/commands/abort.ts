// `pgferry abort PLAN`: run the compensations of everything that ran (stop the task, unfence, revert
// target settings), latest first, then the finalisers (drop the slot). Safe to run twice. Steps whose
// input never existed (a task that never started has no slot) are skipped with a note. What is left on
// the source is listed with how to undo it; `--restore-source` rolls the source's config back.

import { canonicalJson } from '../../contracts/canonical-json.js';
import { abortPlan } from '../../executor/operations.js';
import { sourceLeftovers } from '../../executor/source-restore.js';
import { flag } from '../command.js';
import { executorCommand, openSession, planRef } from '../executor-command.js';
import { EXIT } from '../io.js';

const MARK = { done: '✓', failed: '✗', skipped: '–' } as const;

export const command = executorCommand({
  name: 'abort',
  synopsis: 'PLAN.yaml [--restore-source] [options]',
  description: `Undoes what the run did, as far as it can be undone, and marks the journal aborted.
Exit 1 when a compensation failed (fix the cause and run abort again: it is idempotent).`,
  flags: {
    'restore-source': flag.boolean(
      "also roll the source's pg_hba.conf and settings back to the agent's backup from before apply (restarts PostgreSQL when a restart-only setting moves back)",
    ),
  },
  output: { formats: ['text', 'json'], default: 'text' },
  examples: ['pgferry abort plans/orders.yaml'],
  run: async (invocation, io) => {
    const session = await openSession(invocation, io);
    const steps = await abortPlan(session, undefined, { restoreSource: invocation.flags['restore-source'] === true });
    const left = sourceLeftovers(session, planRef(invocation));
    const failed = steps.filter((step) => step.result === 'failed');
    if (invocation.format === 'json') {
      io.stdout(canonicalJson({ plan: session.plan, steps, leftOnSource: left, aborted: failed.length === 0 }));
      return failed.length > 0 ? EXIT.failed : EXIT.ok;
    }
    for (const step of steps) io.stdout(`${MARK[step.result]} ${step.node} ${step.kind}: ${step.detail}\n`);
    if (steps.length === 0) io.stdout('nothing to undo\n');
    if (left.length > 0) {
      io.stdout('left on the source:\n');
      for (const item of left) io.stdout(`  ${item.what}\n    undo: ${item.undo}\n`);
    }
    if (failed.length > 0) {
      io.stderr(`${failed.length} compensation(s) failed; fix the cause and run abort again (it is idempotent)\n`);
      return EXIT.failed;
    }
    io.stdout(`plan ${session.plan} aborted\n`);
    return EXIT.ok;
  },
});
