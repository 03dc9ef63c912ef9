// Verifies one source database against its target database: opens both sides on their snapshots
// within the connection budget, compares the schema and sequences, then the tables (several at once,
// chunks of each in parallel), recording finished chunks in the checkpoint. Table-level failures
// (missing on the target, permission, no key, a type without a canonical form) are recorded as errors
// for that table and the others go on; an unreachable side fails the whole database.

import { checkComparable } from './canonical.js';
import type { Checkpoint } from './checkpoint.js';
import { tableSql } from './chunk-sql.js';
import { type ChunkRecord, compareChunk, compareKeyless, type TableJob, walkTable } from './compare-table.js';
import { VerifyError } from './errors.js';
import type { DatabaseReport, RowDifference, SchemaDifference, TableResult, VerifyMode } from './report-types.js';
import { waitForDrain } from './rolling.js';
import { compareColumns, compareObjects, compareSequences, type SchemaContext } from './schema-compare.js';
import { Side, type SideAccess } from './side.js';
import { displayName, listTables, readTable, type TableInfo, type TableName, tableExists } from './tables.js';

export interface RollingOptions {
  /** Re-check rounds after the first pass. */
  readonly rounds: number;
  /** Longest wait for the replication slots to pass the source's WAL position, per round. */
  readonly drainTimeoutMs: number;
  readonly pollMs: number;
}

export interface VerifyDatabaseOptions {
  readonly source: SideAccess;
  readonly target: SideAccess;
  readonly mode: VerifyMode;
  /** SQL predicate over `pg_class c JOIN pg_namespace n` choosing the source tables (the plan's tasks). */
  readonly selection: string;
  /** `--tables`: keep only tables whose `schema.table` matches one of these regular expressions. */
  readonly only: readonly RegExp[];
  /** Connections per side. */
  readonly jobs: number;
  readonly chunkRows: number;
  /** Differences listed per table (all are counted). */
  readonly maxDifferences: number;
  readonly schema: boolean;
  readonly postLoadSql: readonly string[];
  readonly rolling: RollingOptions | null;
  readonly checkpoint: Checkpoint;
  readonly appName: string;
  readonly progress?: ProgressSink;
}

export interface ProgressSink {
  /** Tables chosen and their estimated rows (for the ETA). */
  planned(tables: readonly { readonly table: string; readonly estimatedRows: number }[]): void;
  /** Awaited like tableDone (a test stops a side here at a chosen chunk). */
  rows(table: string, rows: number): void | Promise<void>;
  /** Awaited: a sink may hold the run until it has written its line (or a test has changed the target). */
  tableDone(result: TableResult): void | Promise<void>;
}

/**
 * Rows wider than this on disk (on average) hash a chunk as the concatenation of their md5s rather than
 * of their texts, so the server holds 32 bytes a row for the chunk's hash instead of the row's text.
 */
export const WIDE_ROW_BYTES = 2048;

/** The extended hash functions the 'row-hash' chunk form folds are new in PostgreSQL 11. */
export const ROW_HASH_VERSION = 110000;

interface Prepared {
  readonly info: TableInfo;
  readonly job: TableJob | null;
  readonly error: VerifyError | null;
}

function errorResult(table: string, error: VerifyError, key: readonly string[] = []): TableResult {
  return {
    table,
    check: 'error',
    key,
    sourceRows: 0,
    targetRows: 0,
    chunks: 0,
    mismatches: 0,
    differences: [],
    seconds: 0,
    error: error.message,
    ...(error.where.column ? { column: error.where.column } : {}),
  };
}

function fail(message: string, table: string, column?: string): VerifyError {
  return new VerifyError(message, { table, ...(column ? { column } : {}) });
}

async function prepare(
  opts: VerifyDatabaseOptions,
  source: Side,
  target: Side,
  name: TableName,
  schemaDiffs: SchemaDifference[],
  onChunk: (table: string, chunk: ChunkRecord, resumed: boolean) => void | Promise<void>,
): Promise<Prepared> {
  const table = displayName(name);
  const mine = await readTable(source, name);
  if (!(await tableExists(target, name))) {
    return {
      info: mine,
      job: null,
      error: fail(`table ${table} is missing on the target database ${target.database}`, table),
    };
  }
  const theirs = await readTable(target, name);
  if (opts.schema) {
    schemaDiffs.push(...compareColumns(mine, theirs));
    schemaDiffs.push(...(await compareObjects({ source, target, postLoadSql: opts.postLoadSql }, mine, theirs)));
  }
  const targetColumns = new Map(theirs.columns.map((column) => [column.name, column]));
  const sourceColumns = new Map(mine.columns.map((column) => [column.name, column]));
  // Columns on both sides are compared; a column only one side has is a schema difference.
  const shared = mine.columns.filter((column) => targetColumns.has(column.name));
  try {
    for (const column of shared) {
      for (const [side, info] of [
        ['source', column],
        ['target', targetColumns.get(column.name)!],
      ] as const) {
        try {
          checkComparable(info);
        } catch (error) {
          const message = `${side} database ${side === 'source' ? source.database : target.database}, table ${table}: ${(error as Error).message}`;
          throw fail(message, table, column.name);
        }
      }
    }
    const missingKey = mine.key.find((column) => !targetColumns.has(column));
    if (missingKey !== undefined)
      throw fail(
        `table ${table}: key column ${missingKey} is missing on the target database ${target.database}`,
        table,
        missingKey,
      );
    if (mine.key.length === 0 && opts.mode === 'rows') {
      throw fail(
        `table ${table} in database ${source.database} has no comparable key (no primary key, no unique index on NOT NULL columns): --mode rows needs one; checksum mode compares it as a whole (a weaker check)`,
        table,
      );
    }
  } catch (error) {
    return { info: mine, job: null, error: error as VerifyError };
  }
  const targetShared = shared.map((column) => targetColumns.get(column.name)!);
  // Decided once, from the source, so both sides hash a chunk the same way. A table never analyzed
  // has no width estimate: it gets the form whose memory does not depend on the row width.
  const narrow = mine.estimatedRowBytes !== null && mine.estimatedRowBytes <= WIDE_ROW_BYTES;
  const hashable = source.serverVersion >= ROW_HASH_VERSION && target.serverVersion >= ROW_HASH_VERSION;
  const form = hashable ? 'row-hash' : narrow ? 'concat' : 'row-md5';
  const job: TableJob = {
    name: table,
    source,
    target,
    sourceSql: tableSql(mine, shared, targetColumns, form),
    targetSql: tableSql({ ...theirs, key: mine.key }, targetShared, sourceColumns, form),
    key: mine.key,
    columns: shared.map((column) => column.name),
    mode: opts.mode,
    chunkRows: opts.chunkRows,
    inFlight: Math.max(2, opts.jobs),
    resumed: opts.checkpoint.chunksOf(table),
    onChunk: (chunk, resumed) => onChunk(table, chunk, resumed),
  };
  return { info: mine, job, error: null };
}

function summarise(
  job: TableJob,
  chunks: readonly ChunkRecord[],
  maxDifferences: number,
  seconds: number,
  check: TableResult['check'],
): TableResult {
  const differences: RowDifference[] = [];
  for (const chunk of chunks) differences.push(...chunk.differences);
  return {
    table: job.name,
    check,
    key: job.key,
    sourceRows: chunks.reduce((n, chunk) => n + chunk.sourceRows, 0),
    targetRows: chunks.reduce((n, chunk) => n + chunk.targetRows, 0),
    chunks: chunks.length,
    mismatches: chunks.reduce((n, chunk) => n + chunk.mismatches, 0),
    differences: differences.slice(0, maxDifferences),
    seconds,
    error: null,
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

async function verifyTable(opts: VerifyDatabaseOptions, job: TableJob, chunks: ChunkRecord[]): Promise<TableResult> {
  const started = Date.now();
  if (job.key.length === 0) {
    const chunk = await compareKeyless(job, opts.maxDifferences);
    return summarise(job, [chunk], opts.maxDifferences, (Date.now() - started) / 1000, 'keyless');
  }
  await walkTable(job, opts.maxDifferences);
  return summarise(job, chunks, opts.maxDifferences, (Date.now() - started) / 1000, 'keyed');
}

/** Rolling mode: re-check the chunks that differed, on fresh snapshots, once replication caught up. */
async function recheck(
  opts: VerifyDatabaseOptions,
  source: Side,
  target: Side,
  jobs: Map<string, TableJob>,
  results: Map<string, TableResult>,
  mismatching: Map<string, ChunkRecord[]>,
): Promise<void> {
  const rolling = opts.rolling!;
  for (let round = 0; round < rolling.rounds; round++) {
    const pending = [...mismatching.entries()].filter(([, chunks]) => chunks.length > 0);
    if (pending.length === 0) return;
    await waitForDrain(source, rolling);
    await Promise.all([source.refreshSnapshot(), target.refreshSnapshot()]);
    for (const [table, chunks] of pending) {
      const job = { ...jobs.get(table)!, resumed: new Map<string, ChunkRecord>(), onChunk: () => undefined };
      const again: ChunkRecord[] = [];
      for (const chunk of chunks) {
        const fresh =
          job.key.length === 0
            ? await compareKeyless(job, opts.maxDifferences)
            : await compareChunk(job, { lo: chunk.lo, hi: chunk.hi }, opts.maxDifferences);
        if (fresh.mismatches > 0) again.push(fresh);
      }
      mismatching.set(table, again);
      const before = results.get(table)!;
      const differences = again.flatMap((chunk) => chunk.differences).slice(0, opts.maxDifferences);
      results.set(table, {
        ...before,
        mismatches: again.reduce((n, chunk) => n + chunk.mismatches, 0),
        differences,
      });
    }
  }
}

export async function verifyDatabase(opts: VerifyDatabaseOptions): Promise<DatabaseReport> {
  const started = Date.now();
  const [source, target] = await Promise.all([
    Side.open('source', opts.source, opts.jobs, opts.appName).catch((error: unknown) => ({ error })),
    Side.open('target', opts.target, opts.jobs, opts.appName).catch((error: unknown) => ({ error })),
  ]);
  if ('error' in source || 'error' in target) {
    if (!('error' in source)) await source.close();
    if (!('error' in target)) await target.close();
    throw 'error' in source ? source.error : (target as { error: unknown }).error;
  }
  try {
    const names = (await listTables(source, opts.selection)).filter(
      (name) => opts.only.length === 0 || opts.only.some((pattern) => pattern.test(displayName(name))),
    );
    const schemaDiffs: SchemaDifference[] = [];
    const results = new Map<string, TableResult>();
    const jobs = new Map<string, TableJob>();
    const chunksOf = new Map<string, ChunkRecord[]>();
    const mismatching = new Map<string, ChunkRecord[]>();
    const onChunk = (table: string, chunk: ChunkRecord, resumed: boolean) => {
      chunksOf.get(table)?.push(chunk);
      if (chunk.mismatches > 0) mismatching.get(table)?.push(chunk);
      if (!resumed) opts.checkpoint.recordChunk(table, chunk);
      return opts.progress?.rows(table, chunk.sourceRows);
    };
    const prepared: Prepared[] = [];
    for (const name of names) {
      const table = displayName(name);
      const done = opts.checkpoint.finished(table);
      try {
        const item = await prepare(opts, source, target, name, schemaDiffs, onChunk);
        prepared.push(item);
        if (done && item.job) results.set(table, done);
        else if (item.error) results.set(table, errorResult(table, item.error, item.info.key));
        else if (item.job) {
          jobs.set(table, item.job);
          chunksOf.set(table, []);
          mismatching.set(table, []);
        }
      } catch (error) {
        if (!(error instanceof VerifyError) || error.where.side === undefined) throw error;
        results.set(table, errorResult(table, error));
      }
    }
    if (opts.schema) {
      const schemas = [...new Set(names.map((name) => name.schema))];
      schemaDiffs.push(
        ...(await compareSequences({ source, target, postLoadSql: opts.postLoadSql } as SchemaContext, schemas)),
      );
    }
    opts.progress?.planned(
      prepared.map((item) => ({ table: displayName(item.info), estimatedRows: item.info.estimatedRows })),
    );
    for (const [table, result] of results) if (result.check !== 'error') opts.progress?.tableDone({ ...result, table });
    await eachLimited([...jobs.values()], opts.jobs, async (job) => {
      let result: TableResult;
      try {
        result = await verifyTable(opts, job, chunksOf.get(job.name)!);
      } catch (error) {
        if (!(error instanceof VerifyError) || error.message.startsWith('lost the connection')) throw error;
        result = errorResult(job.name, error, job.key);
      }
      results.set(job.name, result);
      if (result.check !== 'error' && opts.rolling === null) opts.checkpoint.recordTable(job.name, result);
      await opts.progress?.tableDone(result);
    });
    if (opts.rolling !== null) await recheck(opts, source, target, jobs, results, mismatching);
    await opts.checkpoint.save();
    const tables = names.map((name) => results.get(displayName(name))!).filter(Boolean);
    const rowMismatches = tables.reduce((n, table) => n + table.mismatches, 0);
    return {
      sourceDatabase: source.database,
      targetDatabase: target.database,
      tables,
      schema: schemaDiffs,
      rows: tables.reduce((n, table) => n + table.sourceRows, 0),
      mismatches: rowMismatches + schemaDiffs.length,
      errors: tables.filter((table) => table.check === 'error').length,
      resumedChunks: opts.checkpoint.resumedFrom,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    // Whatever happened (a lost connection, Ctrl-C), the chunks that finished are kept for the next run.
    await opts.checkpoint.save().catch(() => undefined);
    await Promise.all([source.close(), target.close()]);
  }
}
