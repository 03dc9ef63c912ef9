// Measures LOB-like columns (largest value and 99th percentile) under a stated bound on the cost: at
// most `maxTables` tables per database (the largest first), at most `rowCap` rows read per table
// (TABLESAMPLE SYSTEM … REPEATABLE on 9.5+ for tables estimated above the cap, so the read touches a
// fraction of the pages; the first rows otherwise), and one statement per `batchSize` tables. The
// number of statements is therefore bounded by maxTables / batchSize whatever the schema's size.

import type { LobSize } from '../contracts/catalog.js';
import { quoteIdent } from '../contracts/sql-quote.js';

export interface LobSamplingOptions {
  readonly rowCap: number;
  readonly maxTables: number;
  readonly batchSize: number;
}

export const DEFAULT_LOB_SAMPLING: LobSamplingOptions = { rowCap: 1000, maxTables: 100, batchSize: 20 };

export interface LobCandidate {
  /** Key the caller uses to find the table again. */
  readonly key: string;
  readonly schema: string;
  readonly name: string;
  readonly estimatedRows: number;
  readonly sizeBytes: number;
  readonly canSelect: boolean;
  readonly columns: readonly { readonly name: string; readonly typname: string }[];
}

export interface LobPlan {
  readonly batches: readonly (readonly LobCandidate[])[];
  readonly overBudget: number;
  readonly withoutSelect: number;
}

/** Chooses the tables to measure: readable ones, largest first, up to the budget. */
export function planLobSampling(candidates: readonly LobCandidate[], options: LobSamplingOptions): LobPlan {
  const readable = candidates.filter((candidate) => candidate.canSelect);
  const ordered = [...readable].sort(
    (a, b) => b.sizeBytes - a.sizeBytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const chosen = ordered.slice(0, options.maxTables);
  const batches: LobCandidate[][] = [];
  for (let i = 0; i < chosen.length; i += options.batchSize) batches.push(chosen.slice(i, i + options.batchSize));
  return {
    batches,
    overBudget: ordered.length - chosen.length,
    withoutSelect: candidates.length - readable.length,
  };
}

/** Bytes of a value as DMS moves it: raw for bytea and text types, the text form for the rest. */
function sizeExpression(column: string, typname: string): string {
  const ref = `r.${quoteIdent(column)}`;
  return ['bytea', 'text', 'varchar', 'bpchar'].includes(typname)
    ? `pg_catalog.octet_length(${ref})`
    : `pg_catalog.octet_length(${ref}::text)`;
}

function usesTableSample(candidate: LobCandidate, options: LobSamplingOptions, versionNum: number): boolean {
  return versionNum >= 90500 && candidate.estimatedRows > options.rowCap;
}

/** Percentage of pages that should hold about twice the row cap (LIMIT keeps the cap exact). */
function samplePercent(candidate: LobCandidate, options: LobSamplingOptions): string {
  const percent = Math.min(100, Math.max(0.0001, (200 * options.rowCap) / candidate.estimatedRows));
  return percent.toFixed(4);
}

/** One statement measuring every column of a batch: rows (t, c, max, p99, n, rows read). */
export function batchSql(batch: readonly LobCandidate[], options: LobSamplingOptions, versionNum: number): string {
  return batch
    .map((candidate, t) => {
      const table = `${quoteIdent(candidate.schema)}.${quoteIdent(candidate.name)}`;
      const sample = usesTableSample(candidate, options, versionNum)
        ? ` TABLESAMPLE SYSTEM (${samplePercent(candidate, options)}) REPEATABLE (0)`
        : '';
      const values = candidate.columns
        .map((column, c) => `(${c}, ${sizeExpression(column.name, column.typname)})`)
        .join(', ');
      const read = candidate.columns.map((column) => quoteIdent(column.name)).join(', ');
      return `SELECT ${t} AS t, k.c, max(k.v)::bigint::text AS max, (percentile_disc(0.99) WITHIN GROUP (ORDER BY k.v))::bigint::text AS p99,
       count(k.v)::int AS n, count(*)::int AS rows
  FROM (SELECT ${read} FROM ${table}${sample} LIMIT ${options.rowCap}) r
  CROSS JOIN LATERAL (VALUES ${values}) AS k(c, v) GROUP BY k.c`;
    })
    .join('\nUNION ALL\n');
}

export interface LobRow {
  readonly t: number;
  readonly c: number;
  readonly max: string | null;
  readonly p99: string | null;
  readonly n: number;
  readonly rows: number;
}

/** Sizes per `key` → column name, from a batch's rows; a table with no rows measures zero. */
export function lobSizes(
  batch: readonly LobCandidate[],
  rows: readonly LobRow[],
  options: LobSamplingOptions,
  versionNum: number,
): Map<string, Map<string, LobSize>> {
  const out = new Map<string, Map<string, LobSize>>();
  batch.forEach((candidate, t) => {
    const columns = new Map<string, LobSize>();
    candidate.columns.forEach((column, c) => {
      const row = rows.find((r) => Number(r.t) === t && Number(r.c) === c);
      const read = row?.rows ?? 0;
      const whole = !usesTableSample(candidate, options, versionNum) && read < options.rowCap;
      columns.set(column.name, {
        maxBytes: Number(row?.max ?? 0),
        p99Bytes: Number(row?.p99 ?? 0),
        values: row?.n ?? 0,
        coverage: whole ? 'all' : 'sample',
      });
    });
    out.set(candidate.key, columns);
  });
  return out;
}
