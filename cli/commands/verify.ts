// `pgferry verify PLAN`: compare the migrated data, schema and sequences of each database on the source
// and the target (verify/), with a progress bar on a terminal and a text, JSON or markdown report.
// Exit 0 when everything matches (or within --allowed), 1 on mismatches or errors, 2 on bad usage.

import { GraphBuilder } from '../../compiler/graph/builder.js';
import { DEFAULT_VERIFY_SETTINGS, dataVerifyInput } from '../../compiler/graph/verify-node.js';
import type { Plan } from '../../compiler/model/plan.js';
import { verifyAccess } from '../../executor/handlers/verify.js';
import { verifyCheckpointPath } from '../../verify/checkpoint.js';
import { VerifyError } from '../../verify/errors.js';
import { progressSink } from '../../verify/progress.js';
import { type ReportFormat, renderReport } from '../../verify/render.js';
import { VERIFY_MODES, type VerifyMode } from '../../verify/report-types.js';
import { type DatabasePair, runVerify } from '../../verify/run.js';
import { flag, UsageError } from '../command.js';
import { executorCommand, openSession } from '../executor-command.js';
import { EXIT } from '../io.js';

/** PGFERRY_VERIFY_HOLD_AFTER_CHUNKS: the kill-and-resume test's hook (docs/verify.md, Resuming). */
function holdAfterChunks(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`PGFERRY_VERIFY_HOLD_AFTER_CHUNKS needs a whole number ≥ 1, not '${value}'`);
  return n;
}

export const command = executorCommand({
  name: 'verify',
  synopsis: [
    'PLAN.yaml [--database DB] [--tables PATTERN[,PATTERN…]] [--mode count|checksum|rows]',
    '          [--format text|json|markdown] [--jobs N] [--rolling] [--allowed N] [--chunk-rows N] [--fresh] [options]',
  ],
  description: `Compares every row of the tables the plan migrates, on the source and the target, each side read from
one REPEATABLE READ READ ONLY snapshot; then columns, keys, indexes, foreign keys, checks, triggers and
sequences. Differences are located to the key and column. An interrupted run resumes from
.pgferry/<plan>/verify-<database>.json (--fresh starts over).
Exit 0 when everything matches (or within --allowed), 1 on mismatches or errors.`,
  flags: {
    database: flag.string('DB', "one of the plan's source databases (default: all)"),
    tables: flag.string(
      'PATTERNS',
      "schema.table patterns, % or * any run, _ one character (default: the plan's cutover.verify tables, else every table the tasks migrate)",
    ),
    mode: flag.choice(
      VERIFY_MODES,
      'count (rows per key range), checksum (count + hash per chunk, bisected to the differing rows), rows (every row hashed)',
    ),
    jobs: flag.count('N', 'connections per side (default: cutover.verify.jobs, else 2)', 1),
    rolling: flag.boolean(
      'compare while replication runs; re-check mismatching chunks once the slots caught up, report only differences that persist',
    ),
    allowed: flag.count('N', 'mismatches tolerated before the exit code says failure (default: cutover.verify)', 0),
    'chunk-rows': flag.count('N', 'rows per checksum chunk (default: cutover.verify.chunk_rows)', 1),
    rounds: flag.count('N', 're-check rounds for --rolling (default 3)', 1),
    fresh: flag.boolean('ignore the checkpoint of an interrupted run and start over'),
    'no-schema': flag.boolean('compare rows only, not columns, keys, indexes, constraints, triggers and sequences'),
  },
  output: { formats: ['text', 'json', 'markdown'] as ReportFormat[], default: 'text' },
  examples: ['pgferry verify plans/orders.yaml --database orders --format markdown > verify-orders.md'],
  failures: [VerifyError],
  run: async (invocation, io) => {
    const v = invocation.flags;
    const mode: VerifyMode | undefined = v.mode;
    const format = invocation.format;
    const { jobs, allowed, rounds } = v;
    const chunkRows = v['chunk-rows'];
    const session = await openSession(invocation, io);
    const plan = session.compiled.plan as Plan | null;
    if (plan === null) throw new UsageError('the compiled output has no plan.resolved.json: recompile the plan');
    const settings = { ...DEFAULT_VERIFY_SETTINGS, ...(plan.cutover.verify ?? {}) };
    const database = v.database;
    if (database !== undefined && !plan.source.databases.includes(database)) {
      throw new UsageError(
        `--database ${database} is not one of the plan's source databases (${plan.source.databases.join(', ')})`,
      );
    }
    const databases = database === undefined ? plan.source.databases : [database];
    const builder = new GraphBuilder(plan);
    const ctx = session.context(null);
    const pairs: DatabasePair[] = [];
    for (const db of databases) {
      const input = await ctx.resolve(dataVerifyInput(builder, db, settings));
      pairs.push({
        ...(await verifyAccess(ctx, input as unknown as Record<string, unknown>)),
        selection: input.selection,
      });
    }
    const tables =
      v.tables !== undefined
        ? v.tables
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : settings.tables;
    const progress = progressSink((text) => io.stderr(text), io.isTTY && !io.env.NO_COLOR);
    let report: Awaited<ReturnType<typeof runVerify>>;
    try {
      report = await runVerify({
        plan: session.plan,
        pairs,
        mode: mode ?? settings.mode,
        tables,
        jobs: jobs ?? settings.jobs,
        chunkRows: chunkRows ?? settings.chunk_rows,
        schema: v['no-schema'] !== true,
        postLoadSql: plan.target.schema_objects.post_load_sql,
        rolling: v.rolling === true ? { rounds: rounds ?? 3, drainTimeoutMs: 300_000, pollMs: 1000 } : null,
        allowedMismatches: allowed ?? settings.allowed_mismatches,
        checkpointFile: (db) => verifyCheckpointPath(ctx.journalDir, db),
        fresh: v.fresh === true,
        progress,
        holdAfterChunks: holdAfterChunks(io.env.PGFERRY_VERIFY_HOLD_AFTER_CHUNKS),
      });
    } finally {
      progress.finish();
    }
    io.stdout(renderReport(report, format));
    return report.ok ? EXIT.ok : EXIT.failed;
  },
});
