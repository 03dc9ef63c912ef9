// `pgferry approve PLAN GATE`: open a manual gate (restart-consent, cutover, …) in the journal.

import { userInfo } from 'node:os';
import { executorCommand, openSession, planRef } from '../../executor/cli-support.js';
import { approveGate, verbForGate } from '../../executor/operations.js';
import type { Session } from '../../executor/session.js';
import { describeSettingChange, parseSettingChanges } from '../../executor/setting-changes.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry approve PLAN.yaml GATE

Records the approval of a gate; the next apply, cutover or cleanup goes past it. While another\npgferry command runs, the approval is recorded beside the journal and taken in by the next command.\nBefore the source restart it lists the settings the restart changes, calling out any that go down.

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
  const ref = planRef({ ...parsed, positionals: usesCompiled ? [] : parsed.positionals.slice(0, 1) });
  const next = `pgferry ${verbForGate(session, gate)} ${ref}`;
  if (result === 'already') {
    io.stdout(`gate ${gate} was already approved\n`);
    return EXIT.ok;
  }
  io.stdout(
    result === 'approved'
      ? `gate ${gate} approved for plan ${session.plan}; continue with: ${next}\n`
      : `gate ${gate} approved for plan ${session.plan} while another pgferry command runs: ` +
          `it is recorded and taken in by the next command (${next})\n`,
  );
  for (const line of restartPreview(session, gate)) io.stdout(`${line}\n`);
  return EXIT.ok;
});

/** For a gate in front of the source restart: the settings the restart changes, decreases called out. */
function restartPreview(session: Session, approved: string): string[] {
  const restart = session.compiled.graph.nodes.find((node) => node.kind === 'SourceRestart');
  const gate = restart?.gate;
  if (!restart || gate !== approved) return [];
  const names = new Set(Array.isArray(restart.input.restartSettings) ? restart.input.restartSettings.map(String) : []);
  const apply = session.compiled.graph.nodes.find((node) => node.kind === 'SourceConfigApply');
  const recorded = apply ? session.journal.nodes[apply.id]?.outputs.settingChanges : undefined;
  if (typeof recorded !== 'string') {
    return [
      `the restart applies: ${[...names].sort().join(', ')} (the source config apply has not run yet; pgferry apply --dry-run shows the values)`,
    ];
  }
  const changes = parseSettingChanges(recorded).filter((change) => names.has(change.name));
  if (changes.length === 0) return ['the restart changes no setting: pgferry skips it if nothing is pending'];
  return ['the restart changes:', ...changes.map((change) => `  ${describeSettingChange(change)}`)];
}
