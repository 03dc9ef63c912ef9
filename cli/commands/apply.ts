// `pgferry apply PLAN [--dry-run]`: run the plan until the next manual gate; resumes from the journal.

import {
  executorCommand,
  interruptOptions,
  nextStep,
  openSession,
  planRef,
  renderEvent,
  renderRefresh,
  renderSummary,
} from '../../executor/cli-support.js';
import { applyGraph, dryRun, PHASES_FOR } from '../../executor/operations.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry apply PLAN.yaml [--dry-run] [--compiled DIR] [--state-dir DIR] [--parallelism N]
                     [--region R] [--dms-endpoint URL] [--ssm-endpoint URL]
                     [--secretsmanager-endpoint URL] [--cloudwatch-endpoint URL] [--agent-url URL]
                     [--agent-cert FILE --agent-key FILE] [--agent-ca FILE]
                     [--target-url URL] [--source-url URL --source-password ssm:/path] [--allow-plan-change]

Runs the prepare and load phases until a manual gate, recording progress in .pgferry/<plan>/journal.json.
Run it again to resume: finished nodes are skipped, existing AWS resources are adopted.

Example:
  pgferry apply plans/orders.yaml --dry-run
  pgferry apply plans/orders.yaml
`;

export const command: CliCommand = executorCommand(HELP, { 'dry-run': { type: 'boolean' } }, async (parsed, io) => {
  const session = await openSession(parsed, io);
  if (parsed.values['dry-run']) {
    const lines = await dryRun(session, PHASES_FOR.apply);
    if (parsed.values.json) io.stdout(`${JSON.stringify(lines, null, 2)}\n`);
    else for (const line of lines) io.stdout(`${line.probe.action.padEnd(9)} ${line.id}  ${line.probe.detail}\n`);
    return lines.some((line) => line.probe.action === 'error') ? EXIT.failed : EXIT.ok;
  }
  const summary = await applyGraph(session, {
    ...interruptOptions(io, 'apply', planRef(parsed)),
    phases: PHASES_FOR.apply,
    onEvent: (event) => renderEvent(io, event),
    onRefresh: (refresh, reset) => renderRefresh(io, refresh, reset),
  });
  if (summary.drift.length > 0) io.stdout(`plan changed in nodes that had not run: ${summary.drift.join(', ')}\n`);
  if (summary.rerun.length > 0) {
    io.stdout(`plan changed in nodes that ran; run again (--allow-plan-change): ${summary.rerun.join(', ')}\n`);
  }
  if (summary.modifying.length > 0) {
    const list = summary.modifying.map((item) => `${item.id} (${item.fields.join(', ')})`).join(', ');
    io.stdout(`plan changed in DMS resources that exist; modified in place: ${list}\n`);
  }
  return renderSummary(
    io,
    summary,
    session.plan,
    planRef(parsed),
    'apply',
    nextStep(session, PHASES_FOR.apply, planRef(parsed)),
  );
});
