// `pgferry apply PLAN [--dry-run]`: run the plan until the next manual gate; resumes from the journal.

import { applyGraph, dryRun, PHASES_FOR } from '../../executor/operations.js';
import { flag } from '../command.js';
import { executorCommand, openSession, planRef } from '../executor-command.js';
import { EXIT } from '../io.js';
import { readCatalogOption } from '../plan-input.js';
import { interruptOptions, nextStep, renderEvent, renderRefresh, renderRunJson, renderSummary } from '../run-report.js';

export const command = executorCommand({
  name: 'apply',
  synopsis: 'PLAN.yaml [--dry-run] [options]',
  description: `Runs the prepare and load phases until a manual gate, recording progress in .pgferry/<plan>/journal.json.
Run it again to resume: finished nodes are skipped, existing AWS resources are adopted.
Exit 0 when it finished or stopped at a gate, 1 when a node failed.`,
  flags: {
    'dry-run': flag.boolean('say what each node would do (create, adopt, modify, run, skip), run nothing'),
    catalog: flag.string(
      'FILE',
      'the `pgferry catalog` snapshot the plan was reviewed against: the source preflight reads a fresh one through the agent, reports what changed and stops on what the plan no longer fits (a key dropped on a CDC table, another cluster)',
      { env: 'PGFERRY_CATALOG' },
    ),
  },
  output: { formats: ['text', 'json'], default: 'text' },
  examples: [
    'pgferry apply plans/orders.yaml --dry-run',
    'pgferry apply plans/orders.yaml',
    'pgferry apply plans/orders.yaml --catalog catalog.json',
  ],
  run: async (invocation, io) => {
    const json = invocation.format === 'json';
    const reviewed = await readCatalogOption(io, invocation.flags.catalog);
    const session = await openSession(
      invocation,
      io,
      reviewed === null ? {} : { reviewedCatalog: { file: invocation.flags.catalog!, snapshot: reviewed } },
    );
    const ref = planRef(invocation);
    if (invocation.flags['dry-run']) {
      const lines = await dryRun(session, PHASES_FOR.apply);
      if (json) io.stdout(`${JSON.stringify(lines, null, 2)}\n`);
      else for (const line of lines) io.stdout(`${line.probe.action.padEnd(9)} ${line.id}  ${line.probe.detail}\n`);
      return lines.some((line) => line.probe.action === 'error') ? EXIT.failed : EXIT.ok;
    }
    const summary = await applyGraph(session, {
      ...interruptOptions(io, 'apply', ref),
      phases: PHASES_FOR.apply,
      ...(json
        ? {}
        : {
            onEvent: (event) => renderEvent(io, event),
            onRefresh: (refresh, reset) => renderRefresh(io, refresh, reset),
          }),
    });
    const next = nextStep(session, PHASES_FOR.apply, ref);
    if (json) return renderRunJson(io, summary, session.plan, next);
    if (summary.drift.length > 0) io.stdout(`plan changed in nodes that had not run: ${summary.drift.join(', ')}\n`);
    if (summary.rerun.length > 0) {
      io.stdout(`plan changed in nodes that ran; run again (--allow-plan-change): ${summary.rerun.join(', ')}\n`);
    }
    if (summary.modifying.length > 0) {
      const list = summary.modifying.map((item) => `${item.id} (${item.fields.join(', ')})`).join(', ');
      io.stdout(`plan changed in DMS resources that exist; modified in place: ${list}\n`);
    }
    return renderSummary(io, summary, session.plan, ref, 'apply', next);
  },
});
