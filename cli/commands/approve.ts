// `pgferry approve PLAN GATE`: open a manual gate (restart-consent, cutover, …) in the journal.

import { userInfo } from 'node:os';
import { canonicalJson } from '../../contracts/canonical-json.js';
import { approveGate, UnknownGateError, verbForGate } from '../../executor/operations.js';
import type { Session } from '../../executor/session.js';
import { describeSettingChange, parseSettingChanges } from '../../executor/setting-changes.js';
import { executorCommand, openSession, planRef } from '../executor-command.js';
import { EXIT } from '../io.js';

export const command = executorCommand({
  name: 'approve',
  synopsis: ['PLAN.yaml GATE [options]', '--compiled DIR GATE [options]'],
  description: `Records the approval of a gate; the next apply, cutover or cleanup goes past it. While another
pgferry command runs, the approval is recorded beside the journal and taken in by the next command.
Before the source restart it lists the settings the restart changes, calling out any that go down.
The approver is PGFERRY_APPROVER, else USER.`,
  flags: {},
  inputErrors: [UnknownGateError],
  extraPositionals: { min: 1, max: 1, missing: 'name the gate: pgferry approve PLAN.yaml GATE' },
  output: { formats: ['text', 'json'], default: 'text' },
  examples: ['pgferry approve plans/orders.yaml restart-consent'],
  run: async (invocation, io) => {
    const gate = invocation.rest[0]!;
    const session = await openSession(invocation, io);
    const by = io.env.PGFERRY_APPROVER ?? io.env.USER ?? userInfo().username;
    const result = await approveGate(session, gate, by);
    const next = `pgferry ${verbForGate(session, gate)} ${planRef(invocation)}`;
    const preview = result === 'already' ? [] : restartPreview(session, gate);
    if (invocation.format === 'json') {
      io.stdout(canonicalJson({ plan: session.plan, gate, result, approvedBy: by, next, restartPreview: preview }));
      return EXIT.ok;
    }
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
    for (const line of preview) io.stdout(`${line}\n`);
    return EXIT.ok;
  },
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
