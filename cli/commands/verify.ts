// `pgferry verify PLAN`: compare the migrated data, schema and sequences of each database on the source
// and the target (verify/), with a progress bar on a terminal and a text, JSON or markdown report.
// Exit 0 when everything matches (or within --allowed), 1 on mismatches or errors, 2 on bad usage.

import { GraphBuilder } from '../../compiler/graph/builder.js';
import { DEFAULT_VERIFY_SETTINGS, dataVerifyInput } from '../../compiler/graph/verify-node.js';
import type { Plan } from '../../compiler/model/plan.js';
import { executorCommand, openSession, UsageError } from '../../executor/cli-support.js';
import { verifyAccess } from '../../executor/handlers/verify.js';
import { verifyCheckpointPath } from '../../verify/checkpoint.js';
import { VerifyError } from '../../verify/errors.js';
import { progressSink } from '../../verify/progress.js';
import { type ReportFormat, renderReport } from '../../verify/render.js';
import { VERIFY_MODES, type VerifyMode } from '../../verify/report-types.js';
import { type DatabasePair, runVerify } from '../../verify/run.js';
import { type CliCommand, EXIT } from '../io.js';

const HELP = `usage: pgferry verify PLAN.yaml [--database DB] [--tables PATTERN[,PATTERN…]]
                      [--mode count|checksum|rows] [--format text|json|markdown] [--jobs N]
                      [--rolling] [--allowed N] [--chunk-rows N] [--fresh] [--no-schema]
                      [--source-url URL --source-password REF] [--target-url URL]

Compares every row of the tables the plan migrates, on the source and the target, each side read from
one REPEATABLE READ READ ONLY snapshot; then columns, keys, indexes, foreign keys, checks, triggers and
sequences. Differences are located to the key and column. An interrupted run resumes from
.pgferry/<plan>/verify-<database>.json (--fresh starts over).

  --mode       count (rows per key range), checksum (default: count + hash per chunk, bisected to the
               differing rows), rows (every row's hash compared)
  --tables     schema.table patterns, % or * any run, _ one character (default: the plan's cutover.verify
               tables, else every table the tasks migrate)
  --jobs       connections per side (default: cutover.verify.jobs, else 2)
  --rolling    compare while replication runs; re-check mismatching chunks once the slots caught up,
               and report only differences that persist
  --allowed    mismatches tolerated before the exit code says failure (default: cutover.verify)

Example:
  pgferry verify plans/orders.yaml --database orders --format markdown > verify-orders.md
`;

const EXTRA = {
  database: { type: 'string' },
  tables: { type: 'string' },
  mode: { type: 'string' },
  format: { type: 'string' },
  jobs: { type: 'string' },
  rolling: { type: 'boolean' },
  allowed: { type: 'string' },
  'chunk-rows': { type: 'string' },
  fresh: { type: 'boolean' },
  'no-schema': { type: 'boolean' },
  rounds: { type: 'string' },
} as const;

function wholeNumber(value: string | boolean | undefined, flag: string, min: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} needs a whole number ≥ ${min}, not '${value}'`);
  return n;
}

function choice<T extends string>(
  value: string | boolean | undefined,
  flag: string,
  allowed: readonly T[],
): T | undefined {
  if (typeof value !== 'string') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

export const command: CliCommand = executorCommand(HELP, EXTRA, async (parsed, io) => {
  const v = parsed.values;
  const mode = choice<VerifyMode>(v.mode, 'mode', VERIFY_MODES);
  const format = choice<ReportFormat>(v.format, 'format', ['text', 'json', 'markdown']) ?? 'text';
  const jobs = wholeNumber(v.jobs, 'jobs', 1);
  const allowed = wholeNumber(v.allowed, 'allowed', 0);
  const chunkRows = wholeNumber(v['chunk-rows'], 'chunk-rows', 1);
  const rounds = wholeNumber(v.rounds, 'rounds', 1);
  const session = await openSession(parsed, io);
  const plan = session.compiled.plan as Plan | null;
  if (plan === null) throw new UsageError('the compiled output has no plan.resolved.json: recompile the plan');
  const settings = { ...DEFAULT_VERIFY_SETTINGS, ...(plan.cutover.verify ?? {}) };
  const database = typeof v.database === 'string' ? v.database : undefined;
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
    typeof v.tables === 'string'
      ? v.tables
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : settings.tables;
  const progress = progressSink((text) => io.stderr(text), io.isTTY && !io.env.NO_COLOR);
  try {
    const report = await runVerify({
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
    });
    progress.finish();
    io.stdout(renderReport(report, format));
    return report.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    progress.finish();
    if (error instanceof VerifyError) {
      io.stderr(`pgferry verify: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
});
