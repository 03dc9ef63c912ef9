// One table, both sides: walk the source's key in chunks, compare each chunk's count and aggregate
// hash, bisect a mismatching chunk down to small ranges and compare those row by row; a table without
// a key gets a whole-table count and aggregate, narrowed by hash prefix when they differ. Only keys
// and hashes cross the wire, and at most one small range of them is held at a time.

import type { KeyValue, Range, TableSql } from './chunk-sql.js';
import type { ColumnDifference, RowDifference, VerifyMode } from './report-types.js';
import type { Row, Side } from './side.js';

export interface ChunkRecord {
  readonly lo: KeyValue | null;
  readonly hi: KeyValue | null;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly mismatches: number;
  readonly differences: readonly RowDifference[];
}

export interface TableJob {
  readonly name: string;
  readonly source: Side;
  readonly target: Side;
  readonly sourceSql: TableSql;
  readonly targetSql: TableSql;
  readonly key: readonly string[];
  readonly columns: readonly string[];
  readonly mode: VerifyMode;
  readonly chunkRows: number;
  /** Chunks compared concurrently within this table (the sides' pools bound the real concurrency). */
  readonly inFlight: number;
  /** Chunks a previous run finished, by the key they start after. */
  readonly resumed: ReadonlyMap<string, ChunkRecord>;
  /** Awaited before the chunk counts as done: a sink may hold the run (a test stopping a side). */
  onChunk(chunk: ChunkRecord, fromResume: boolean): void | Promise<void>;
}

/** Ranges at or below this many rows on both sides are compared row by row. */
export const LEAF_ROWS = 512;
const MAX_DEPTH = 48;

interface Summary {
  readonly rows: number;
  readonly a: string;
  readonly b: string;
}

export function keyId(key: KeyValue | null): string {
  return key === null ? '' : JSON.stringify(key);
}

function same(x: Summary, y: Summary): boolean {
  return x.rows === y.rows && x.a === y.a && x.b === y.b;
}

async function summary(side: Side, sql: TableSql, range: Range, withHash: boolean, table: string): Promise<Summary> {
  const { text, values } = sql.summary(range, withHash);
  const row = (await side.rows(text, values, table))[0]!;
  return { rows: Number(row[0]), a: row[1]!, b: row[2]! };
}

async function boundary(side: Side, sql: TableSql, range: Range, offset: number, table: string) {
  const { text, values } = sql.boundary(range, offset);
  const row = (await side.rows(text, values, table))[0];
  return row ? (row as string[]) : null;
}

function keyRecord(job: TableJob, key: KeyValue): Record<string, string> {
  return Object.fromEntries(job.key.map((name, i) => [name, key[i]!]));
}

/** Which columns differ, from rowTexts rows (canonical texts, then plain texts). */
function columnDifferences(names: readonly string[], source: Row | undefined, target: Row | undefined) {
  const n = names.length;
  const out: ColumnDifference[] = [];
  names.forEach((column, i) => {
    if (source?.[i] !== target?.[i] || (source === undefined) !== (target === undefined)) {
      out.push({ column, source: source?.[n + i] ?? null, target: target?.[n + i] ?? null });
    }
  });
  return out;
}

export interface Located {
  mismatches: number;
  differences: RowDifference[];
}

async function compareRows(job: TableJob, range: Range, room: number): Promise<Located> {
  const [sourceRows, targetRows] = await Promise.all([
    job.source.rows(job.sourceSql.rowHashes(range).text, job.sourceSql.rowHashes(range).values, job.name),
    job.target.rows(job.targetSql.rowHashes(range).text, job.targetSql.rowHashes(range).values, job.name),
  ]);
  const width = job.key.length;
  const sourceHashes = new Map<string, { key: KeyValue; hash: string }>();
  for (const row of sourceRows) {
    const key = row.slice(0, width) as string[];
    sourceHashes.set(keyId(key), { key, hash: row[width]! });
  }
  const found: { kind: RowDifference['kind']; key: KeyValue }[] = [];
  for (const row of targetRows) {
    const key = row.slice(0, width) as string[];
    const id = keyId(key);
    const mine = sourceHashes.get(id);
    if (mine === undefined) found.push({ kind: 'extra', key });
    else {
      if (mine.hash !== row[width] && job.mode !== 'count') found.push({ kind: 'different', key });
      sourceHashes.delete(id);
    }
  }
  for (const { key } of sourceHashes.values()) found.push({ kind: 'missing', key });
  const differences: RowDifference[] = [];
  for (const item of found.slice(0, Math.max(0, room))) {
    if (item.kind !== 'different') {
      differences.push({ kind: item.kind, key: keyRecord(job, item.key), columns: [] });
      continue;
    }
    const [source, target] = await Promise.all([
      job.source.rows(job.sourceSql.rowTexts(item.key).text, job.sourceSql.rowTexts(item.key).values, job.name),
      job.target.rows(job.targetSql.rowTexts(item.key).text, job.targetSql.rowTexts(item.key).values, job.name),
    ]);
    differences.push({
      kind: 'different',
      key: keyRecord(job, item.key),
      columns: columnDifferences(job.columns, source[0], target[0]),
    });
  }
  return { mismatches: found.length, differences };
}

/** Narrows a mismatching range by halving it on the side with more rows. */
async function locate(
  job: TableJob,
  range: Range,
  source: Summary,
  target: Summary,
  room: number,
  depth: number,
): Promise<Located> {
  const larger = Math.max(source.rows, target.rows);
  if (job.mode === 'rows' || larger <= LEAF_ROWS || depth >= MAX_DEPTH) return compareRows(job, range, room);
  const [side, sql] = source.rows >= target.rows ? [job.source, job.sourceSql] : [job.target, job.targetSql];
  const mid = await boundary(side, sql, range, Math.floor(larger / 2) - 1, job.name);
  if (mid === null) return compareRows(job, range, room);
  const withHash = job.mode !== 'count';
  const halves: Range[] = [
    { lo: range.lo, hi: mid },
    { lo: mid, hi: range.hi },
  ];
  const sums = await Promise.all(
    halves.flatMap((half) => [
      summary(job.source, job.sourceSql, half, withHash, job.name),
      summary(job.target, job.targetSql, half, withHash, job.name),
    ]),
  );
  const out: Located = { mismatches: 0, differences: [] };
  for (const [i, half] of halves.entries()) {
    const [s, t] = [sums[2 * i]!, sums[2 * i + 1]!];
    if (same(s, t)) continue;
    const found = await locate(job, half, s, t, room - out.differences.length, depth + 1);
    out.mismatches += found.mismatches;
    out.differences.push(...found.differences);
  }
  return out;
}

/** Compares one chunk (lo, hi]: summaries on both sides, located differences when they differ. */
export async function compareChunk(job: TableJob, range: Range, room: number): Promise<ChunkRecord> {
  const withHash = job.mode !== 'count';
  const [source, target] = await Promise.all([
    summary(job.source, job.sourceSql, range, withHash, job.name),
    summary(job.target, job.targetSql, range, withHash, job.name),
  ]);
  const base = { lo: range.lo, hi: range.hi, sourceRows: source.rows, targetRows: target.rows };
  if (job.mode !== 'rows' && same(source, target)) return { ...base, mismatches: 0, differences: [] };
  const found = await locate(job, range, source, target, room, 0);
  return { ...base, mismatches: found.mismatches, differences: found.differences };
}

/**
 * Walks the whole table. The source's key decides the chunk boundaries; the last chunk is open-ended,
 * so rows only the target has past the source's last key are found too.
 */
export async function walkTable(job: TableJob, maxDifferences: number): Promise<ChunkRecord[]> {
  const mismatching: ChunkRecord[] = [];
  let listed = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown = null;
  let lo: KeyValue | null = null;
  for (;;) {
    const recorded = job.resumed.get(keyId(lo));
    let hi: KeyValue | null;
    if (recorded) {
      hi = recorded.hi;
      listed += recorded.differences.length;
      if (recorded.mismatches > 0) mismatching.push(recorded);
      await job.onChunk(recorded, true);
    } else {
      hi = await boundary(job.source, job.sourceSql, { lo, hi: null }, job.chunkRows - 1, job.name);
      const range: Range = { lo, hi };
      const task = compareChunk(job, range, maxDifferences - listed)
        .then(async (chunk) => {
          listed += chunk.differences.length;
          if (chunk.mismatches > 0) mismatching.push(chunk);
          await job.onChunk(chunk, false);
        })
        .catch((error: unknown) => {
          failure ??= error;
        });
      pending.add(task);
      void task.finally(() => pending.delete(task));
      if (pending.size >= job.inFlight) await Promise.race(pending);
    }
    if (failure !== null) break;
    if (hi === null) break;
    lo = hi;
  }
  await Promise.all(pending);
  if (failure !== null) throw failure;
  return mismatching;
}

async function multiset(side: Side, sql: TableSql, prefix: string, table: string): Promise<Map<string, number>> {
  const { text, values } = sql.hashRows(prefix);
  return new Map((await side.rows(text, values, table)).map((row) => [row[0]!, Number(row[1])]));
}

async function buckets(side: Side, sql: TableSql, prefix: string, table: string): Promise<Map<string, Summary>> {
  const { text, values } = sql.hashBuckets(prefix);
  return new Map(
    (await side.rows(text, values, table)).map((row) => [row[0]!, { rows: Number(row[1]), a: row[2]!, b: row[3]! }]),
  );
}

/** Keyless rows that differ, by content: descend hash prefixes whose buckets differ. */
async function locateByHash(job: TableJob, prefix: string, room: number): Promise<Located> {
  const out: Located = { mismatches: 0, differences: [] };
  const [source, target] = await Promise.all([
    buckets(job.source, job.sourceSql, prefix, job.name),
    buckets(job.target, job.targetSql, prefix, job.name),
  ]);
  const empty: Summary = { rows: 0, a: '0', b: '0' };
  const names = [...new Set([...source.keys(), ...target.keys()])].sort();
  for (const name of names) {
    const s = source.get(name) ?? empty;
    const t = target.get(name) ?? empty;
    if (same(s, t)) continue;
    if (Math.max(s.rows, t.rows) > LEAF_ROWS && name.length < 32) {
      const found = await locateByHash(job, name, room - out.differences.length);
      out.mismatches += found.mismatches;
      out.differences.push(...found.differences);
      continue;
    }
    const [sourceRows, targetRows] = await Promise.all([
      multiset(job.source, job.sourceSql, name, job.name),
      multiset(job.target, job.targetSql, name, job.name),
    ]);
    for (const hash of [...new Set([...sourceRows.keys(), ...targetRows.keys()])].sort()) {
      const copies = (sourceRows.get(hash) ?? 0) - (targetRows.get(hash) ?? 0);
      if (copies === 0) continue;
      out.mismatches += Math.abs(copies);
      if (out.differences.length >= room) continue;
      const [side, sql] = copies > 0 ? [job.source, job.sourceSql] : [job.target, job.targetSql];
      const row = (await side.rows(sql.rowTextsByHash(hash).text, sql.rowTextsByHash(hash).values, job.name))[0];
      const n = job.columns.length;
      out.differences.push({
        kind: copies > 0 ? 'missing' : 'extra',
        key: null,
        copies: Math.abs(copies),
        columns: job.columns.map((column, i) => ({
          column,
          source: copies > 0 ? (row?.[n + i] ?? null) : null,
          target: copies > 0 ? null : (row?.[n + i] ?? null),
        })),
      });
    }
  }
  return out;
}

/** A table without a key: count and whole-table aggregate; located by content when they differ. */
export async function compareKeyless(job: TableJob, maxDifferences: number): Promise<ChunkRecord> {
  const recorded = job.resumed.get(keyId(null));
  if (recorded) {
    await job.onChunk(recorded, true);
    return recorded;
  }
  const withHash = job.mode !== 'count';
  const all: Range = { lo: null, hi: null };
  const [source, target] = await Promise.all([
    summary(job.source, job.sourceSql, all, withHash, job.name),
    summary(job.target, job.targetSql, all, withHash, job.name),
  ]);
  const base = { lo: null, hi: null, sourceRows: source.rows, targetRows: target.rows };
  let chunk: ChunkRecord;
  if (same(source, target)) chunk = { ...base, mismatches: 0, differences: [] };
  else if (!withHash) chunk = { ...base, mismatches: Math.abs(source.rows - target.rows), differences: [] };
  else chunk = { ...base, ...(await locateByHash(job, '', maxDifferences)) };
  await job.onChunk(chunk, false);
  return chunk;
}
