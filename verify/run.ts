// A whole verification: each database pair in turn, then one report. Shared by `pgferry verify` and
// the cutover's DataVerify graph node, so both engines (dms, logical) verify the same way.

import { wildcardToRegex } from '../compiler/knowledge/dms-wildcard.js';
import { Checkpoint } from './checkpoint.js';
import { VerifyError } from './errors.js';
import {
  type DatabaseReport,
  VERIFY_REPORT_FORMAT_VERSION,
  type VerifyMode,
  type VerifyReport,
} from './report-types.js';
import type { SideAccess } from './side.js';
import { type ProgressSink, type RollingOptions, verifyDatabase } from './verify-database.js';

export interface DatabasePair {
  readonly source: SideAccess;
  readonly target: SideAccess;
  /** SQL predicate over `pg_class c JOIN pg_namespace n`: the tables the plan's tasks migrate. */
  readonly selection: string;
}

export interface VerifyOptions {
  readonly plan: string;
  readonly pairs: readonly DatabasePair[];
  readonly mode: VerifyMode;
  /** `schema.table` patterns with `%`/`*` wildcards (`_` one character); empty: every selected table. */
  readonly tables: readonly string[];
  readonly jobs: number;
  readonly chunkRows?: number;
  readonly maxDifferences?: number;
  readonly schema?: boolean;
  readonly postLoadSql: readonly string[];
  readonly rolling: RollingOptions | null;
  readonly allowedMismatches: number;
  /** Where each database's checkpoint lives (null: no resume). */
  readonly checkpointFile: (sourceDatabase: string) => string | null;
  /** Ignore an existing checkpoint. */
  readonly fresh?: boolean;
  readonly progress?: ProgressSink;
  /** Test hook: freeze the process once this many chunks are checkpointed (see Checkpoint.open). */
  readonly holdAfterChunks?: number | null;
}

export const DEFAULT_CHUNK_ROWS = 10_000;
export const DEFAULT_MAX_DIFFERENCES = 100;

/** `--tables` patterns as anchored regular expressions over `schema.table`. */
export function tablePatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((pattern) => {
    const spelled = pattern.replaceAll('*', '%');
    return new RegExp(wildcardToRegex(spelled.includes('.') ? spelled : `%.${spelled}`));
  });
}

export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const databases: DatabaseReport[] = [];
  const only = tablePatterns(options.tables);
  for (const pair of options.pairs) {
    const identity = {
      mode: options.mode,
      source: pair.source.database,
      target: pair.target.database,
      selection: pair.selection,
      tables: options.tables,
      chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
    };
    const checkpoint = await Checkpoint.open(
      options.rolling ? null : options.checkpointFile(pair.source.database),
      identity,
      options.fresh === true,
      options.holdAfterChunks ?? null,
    );
    const report = await verifyDatabase({
      source: pair.source,
      target: pair.target,
      mode: options.mode,
      selection: pair.selection,
      only,
      jobs: Math.max(1, options.jobs),
      chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
      maxDifferences: options.maxDifferences ?? DEFAULT_MAX_DIFFERENCES,
      schema: options.schema ?? true,
      postLoadSql: options.postLoadSql,
      rolling: options.rolling,
      checkpoint,
      appName: `pgferry verify ${options.plan}`,
      ...(options.progress ? { progress: options.progress } : {}),
    });
    if (report.tables.length === 0) {
      throw new VerifyError(
        `no table to verify in source database ${pair.source.database}${options.tables.length > 0 ? ` matching ${options.tables.join(', ')}` : ''}`,
        { database: pair.source.database },
      );
    }
    await checkpoint.remove();
    databases.push(report);
  }
  const mismatches = databases.reduce((n, db) => n + db.mismatches, 0);
  const errors = databases.reduce((n, db) => n + db.errors, 0);
  return {
    formatVersion: VERIFY_REPORT_FORMAT_VERSION,
    plan: options.plan,
    mode: options.mode,
    rolling: options.rolling !== null,
    databases,
    mismatches,
    errors,
    ok: errors === 0 && mismatches <= options.allowedMismatches,
    allowedMismatches: options.allowedMismatches,
  };
}
