// The cutover's DataVerify node: runs the verifier (verify/) on one database pair from the node's
// input, after the drain and before the writes-open gate. Finished chunks are checkpointed next to the
// journal, so a re-run after a failure or a kill resumes; the node fails when the mismatches exceed
// what the plan allows (on_mismatch: stop), so writes never open on unverified data.

import { verifyCheckpointPath } from '../../verify/checkpoint.js';
import { renderReport } from '../../verify/render.js';
import type { VerifyMode } from '../../verify/report-types.js';
import { runVerify } from '../../verify/run.js';
import type { SideAccess } from '../../verify/side.js';
import { type Input, optionalNumber, optionalString, stringList } from '../inputs.js';
import { connectionFor } from '../pg-connect.js';
import { type Handler, NodeFailure, type RunContext } from '../types.js';
import { handlerByKind } from './by-kind.js';

/** Source and target access from a node input's `source` and `connection` (overrides applied). */
export async function verifyAccess(ctx: RunContext, input: Input): Promise<{ source: SideAccess; target: SideAccess }> {
  const [target, source] = await Promise.all([
    connectionFor(ctx, input, 'connection'),
    connectionFor(ctx, input, 'source'),
  ]);
  return { source, target };
}

export const verifyHandler: Handler = handlerByKind('verify', {
  async DataVerify(_node, input, ctx) {
    const access = await verifyAccess(ctx, input);
    const sourceDatabase = optionalString(input, 'sourceDatabase') ?? access.source.database;
    const allowed = optionalNumber(input, 'allowedMismatches') ?? 0;
    const report = await runVerify({
      plan: ctx.deployment.plan,
      pairs: [{ ...access, selection: optionalString(input, 'selection') ?? 'true' }],
      mode: (optionalString(input, 'mode') ?? 'checksum') as VerifyMode,
      tables: stringList(input, 'tables'),
      jobs: optionalNumber(input, 'jobs') ?? 2,
      chunkRows: optionalNumber(input, 'chunkRows') ?? 10_000,
      postLoadSql: stringList(input, 'postLoadSql'),
      rolling: null,
      allowedMismatches: allowed,
      checkpointFile: (db) => verifyCheckpointPath(ctx.journalDir, db),
    }).catch((error: unknown) => {
      throw new NodeFailure(
        `verification of ${sourceDatabase} could not finish: ${ctx.redactor.messageOf(error)}`,
        true,
      );
    });
    const db = report.databases[0]!;
    const outputs = {
      result: report.ok ? 'ok' : report.errors > 0 ? 'error' : 'mismatch',
      rows: db.rows,
      mismatches: report.mismatches,
      errors: report.errors,
    };
    const summary = `${db.rows} rows in ${db.tables.length} tables, ${report.mismatches} mismatch(es), ${report.errors} error(s)`;
    if (report.errors > 0)
      throw new NodeFailure(
        `verification of ${sourceDatabase} failed: ${db.tables
          .filter((t) => t.error)
          .map((t) => t.error)
          .join('; ')}`,
      );
    if (!report.ok && optionalString(input, 'onMismatch') !== 'warn') {
      throw new NodeFailure(
        `verification of ${sourceDatabase} found ${report.mismatches} mismatch(es) (allowed ${allowed}); writes stay closed. Details: pgferry verify ${ctx.deployment.plan} --database ${sourceDatabase}\n${renderReport(report, 'text')}`,
      );
    }
    return { status: 'succeeded', outputs, note: summary };
  },
});
