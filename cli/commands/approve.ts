// `pgferry approve PLAN GATE`: open a manual gate (restart-consent, cutover, …) in the journal.

import { userInfo } from 'node:os';
import { executorCommand, openSession, planRef } from '../../executor/cli-support.js';
import { approveGate } from '../../executor/operations.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry approve PLAN.yaml GATE

Records the approval of a gate; the next apply or cutover goes past it.

Example:
  pgferry approve plans/orders.yaml restart-consent
`;

export const command: CliCommand = executorCommand(HELP, {}, async (parsed, io) => {
  const usesCompiled = typeof parsed.values.compiled === 'string';
  const gate = parsed.positionals[usesCompiled ? 0 : 1];
  if (gate === undefined || parsed.positionals.length > (usesCompiled ? 1 : 2)) {
    io.stderr('usage: pgferry approve PLAN.yaml GATE\n');
    return EXIT.usage;
  }
  const session = await openSession(
    usesCompiled ? { ...parsed, positionals: [] } : { ...parsed, positionals: parsed.positionals.slice(0, 1) },
    io,
  );
  const by = io.env.PGFERRY_APPROVER ?? io.env.USER ?? userInfo().username;
  const result = await approveGate(session, gate, by);
  io.stdout(
    result === 'approved'
      ? `gate ${gate} approved for plan ${session.plan}; continue with: pgferry ${gate === 'cutover' ? 'cutover' : 'apply'} ${planRef({ ...parsed, positionals: usesCompiled ? [] : parsed.positionals.slice(0, 1) })}\n`
      : `gate ${gate} was already approved\n`,
  );
  return EXIT.ok;
});
