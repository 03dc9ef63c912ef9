// What a run leaves on the source after abort (the migration role, the agent's pg_hba block and the
// changed settings), and the step that undoes the config change through the agent: roll back to the
// backup the agent took before pgferry's apply, then restart when a restart-only setting moves back.

import type { GraphNode } from '../contracts/graph.js';
import { quoteIdent } from '../contracts/sql-quote.js';
import type { Journal } from './journal.js';
import type { Session } from './session.js';

export const RESTORE_KIND = 'SourceRestore';

export interface SourceLeftover {
  /** What is still there. */
  readonly what: string;
  /** How to undo it. */
  readonly undo: string;
}

function configApplyNode(session: Session): GraphNode | undefined {
  return session.compiled.graph.nodes.find((node) => node.kind === 'SourceConfigApply');
}

function restored(journal: Journal, node: GraphNode): boolean {
  return journal.compensations.some(
    (entry) => entry.node === node.id && entry.kind === RESTORE_KIND && entry.result.startsWith('done'),
  );
}

/** The config apply that changed the source and has not been rolled back, if any. */
function changedConfig(session: Session): GraphNode | null {
  const node = configApplyNode(session);
  if (!node) return null;
  const record = session.journal.nodes[node.id];
  if (record?.state !== 'succeeded' || record.outputs.changed === false) return null;
  return restored(session.journal, node) ? null : node;
}

export function sourceLeftovers(session: Session, planRef: string): SourceLeftover[] {
  const out: SourceLeftover[] = [];
  for (const node of session.compiled.graph.nodes) {
    if (node.kind !== 'SourceRoleEnsure' || session.journal.nodes[node.id]?.state !== 'succeeded') continue;
    const role = String(node.input.role ?? '');
    out.push({
      what: `role ${role}`,
      undo: `DROP ROLE ${quoteIdent(role)}; (as a superuser on the source, once its slots are gone)`,
    });
  }
  const config = changedConfig(session);
  if (config) {
    const outputs = session.journal.nodes[config.id]!.outputs;
    const bundleText = session.compiled.artifacts.get('source/bundle.json');
    const block = bundleText ? String((JSON.parse(bundleText) as { hba?: { block?: unknown } }).hba?.block ?? '') : '';
    const settings =
      typeof outputs.settingChanges === 'string' && outputs.settingChanges !== '' ? outputs.settingChanges : null;
    const parts = [
      block ? `pg_hba block '${block}'` : 'pg_hba rules',
      settings ? `settings ${settings}` : "the bundle's settings",
    ];
    const backup =
      typeof outputs.backupId === 'string' ? `agent backup ${outputs.backupId}` : "the agent's latest backup";
    out.push({
      what: parts.join(', '),
      undo: `pgferry abort ${planRef} --restore-source (rolls back to ${backup}, then restarts PostgreSQL if a restart setting moves back)`,
    });
  }
  return out;
}

/** The restore step for abort, or null when nothing pgferry changed in the source's config is left. */
export function restoreSourceStep(session: Session): { node: GraphNode; run: () => Promise<string> } | null {
  const node = changedConfig(session);
  if (!node) return null;
  return {
    node,
    async run() {
      const backupId = session.journal.nodes[node.id]!.outputs.backupId;
      if (typeof backupId !== 'string' || backupId === '') {
        throw new Error(
          'the journal has no agent backup id for the config apply (applied by an older pgferry): pick the backup with the agent (GET /v1/backups) and roll back with POST /v1/rollback',
        );
      }
      const ctx = session.context(node);
      const agent = await ctx.agent(await ctx.resolve(node.input));
      const reason = `pgferry ${session.plan}: abort --restore-source`;
      const answer = await agent.call('rollback', { body: { backupId, reason } });
      const pending = answer.pendingRestart;
      if (!answer.restartRequired && pending.length === 0) return `rolled back to agent backup ${backupId}`;
      await agent.call('restart', {
        body: { confirm: true, reason, onlyIfPendingRestart: true, acknowledgeReplicationInterruption: true },
      });
      return `rolled back to agent backup ${backupId}; restarted for ${pending.join(', ') || 'the restored settings'}`;
    },
  };
}
