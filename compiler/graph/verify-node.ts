// The cutover's data verification node (plan key `cutover.verify`): one per database, after the
// target-side cutover chain (so after the drain, the sequence sync and the foreign keys) and before the
// writes-open gate, which requires what it provides. `pgferry verify` builds the same input on demand.

import type { NodeInput } from '../../contracts/node-inputs.js';
import { selectedByTasks } from '../emit/table-patterns.js';
import { targetDatabase, tasksOf } from '../model/names.js';
import { nodeId } from '../model/node-ids.js';
import type { Plan, VerifySettings } from '../model/plan.js';
import type { GraphBuilder } from './builder.js';
import { fact } from './facts.js';

export const DEFAULT_VERIFY_SETTINGS: VerifySettings = {
  mode: 'checksum',
  tables: [],
  allowed_mismatches: 0,
  on_mismatch: 'stop',
  jobs: 2,
  chunk_rows: 10_000,
};

/** The DataVerify input for one source database; `settings` default to the plan's, else the defaults. */
export function dataVerifyInput(
  b: Pick<GraphBuilder, 'plan' | 'targetConnection' | 'sourceConnection'>,
  sourceDb: string,
  settings: VerifySettings = b.plan.cutover.verify ?? DEFAULT_VERIFY_SETTINGS,
): NodeInput<'DataVerify'> {
  const plan: Plan = b.plan;
  return {
    connection: b.targetConnection(targetDatabase(plan, sourceDb)),
    source: b.sourceConnection(sourceDb),
    sourceDatabase: sourceDb,
    mode: settings.mode,
    selection: selectedByTasks(tasksOf(plan, sourceDb)),
    tables: [...settings.tables],
    allowedMismatches: settings.allowed_mismatches,
    onMismatch: settings.on_mismatch,
    jobs: settings.jobs,
    chunkRows: settings.chunk_rows,
    postLoadSql: [...plan.target.schema_objects.post_load_sql],
  };
}

/** Adds the node when the plan asks for verification; returns the facts writes-open must wait for. */
export function addDataVerify(b: GraphBuilder, sourceDb: string, after: string): string[] {
  const settings = b.plan.cutover.verify;
  if (settings === null) return [after];
  const db = targetDatabase(b.plan, sourceDb);
  b.add({
    id: nodeId.cutoverVerify(db),
    kind: 'DataVerify',
    phase: 'cutover',
    title: `Verify the data of ${sourceDb} on ${db} (${settings.mode})`,
    requires: [after],
    provides: [fact.targetVerified(db)],
    input: dataVerifyInput(b, sourceDb, settings),
    origin: '/cutover/verify',
  });
  return [after, fact.targetVerified(db)];
}
