// The statements one side runs for one table: chunk boundaries by key, a chunk's count and aggregate
// hash, the per-row hashes of a small range, and the canonical column texts of one row. Ranges are
// half-open on the low side: (lo, hi], where a null lo is "from the start" and a null hi "to the end".
//
// A keyed chunk's hash is the md5 of its rows' canonical texts concatenated in key order (record literals
// delimit themselves, so the concatenation is unambiguous): one md5 over the chunk, where a per-row md5
// with an order-independent sum of its halves cost 3-5x as much in the server (profiled on PostgreSQL
// 15: the hex text, substr, bit(64) casts and numeric sums per row outweighed reading the row). It
// orders by the key, the order the ranges are cut in, so it adds no dependency on collation that the
// ranges did not have. The concatenation is held in the server for one chunk: tables with wide rows
// (AggregateForm 'row-md5') concatenate each row's md5 instead, 32 bytes a row.
// On PostgreSQL 11 and later on both sides (AggregateForm 'row-hash'), a chunk's hash is instead the
// sum of its rows' 64-bit hashes, each folded from its columns' extended hash functions: most column
// types are hashed as they are stored, without printing them (canonical.ts says which), and an
// order-independent sum needs no sort nor any text held in the server. Profiled on PostgreSQL 15 over
// 1M rows: 0.9 s for the wide rows of bench/verify where the md5 of their texts cost 2.4 s (and a plain
// read 0.3 s). Ranges of at most LEAF_ROWS rows are still compared by each row's md5 of its canonical
// text, on every major.
// A keyless table's whole-table summary takes the same form as its chunks would; the hash buckets that
// locate its differing rows by content use the sums of the two 64-bit halves of each row's md5 on every
// major (sum over bigint is numeric, so it never overflows), no ORDER BY over the whole table.

import { quoteIdent } from '../contracts/sql-quote.js';
import { canonicalExpression, rowHashExpression, rowTextExpression } from './canonical.js';
import { type ColumnInfo, qualified, type TableInfo } from './tables.js';

export type KeyValue = readonly string[];

export interface Range {
  readonly lo: KeyValue | null;
  readonly hi: KeyValue | null;
}

/**
 * How a chunk's rows are hashed: their texts concatenated, (wide rows) their md5s concatenated, or
 * (PostgreSQL 11 and later on both sides) the sum of their 64-bit row hashes.
 */
export type AggregateForm = 'concat' | 'row-md5' | 'row-hash';

export interface TableSql {
  readonly keyed: boolean;
  /** Key of the first row after `lo`, skipping `offset` rows (null when there are none). */
  boundary(range: Range, offset: number): { text: string; values: string[] };
  summary(range: Range, withHash: boolean): { text: string; values: string[] };
  rowHashes(range: Range): { text: string; values: string[] };
  /** Canonical text of each compared column, then its plain text for the report. */
  rowTexts(key: KeyValue): { text: string; values: string[] };
  /** Keyless tables: count and aggregate over rows whose hash starts with `prefix`, by the next hex digit. */
  hashBuckets(prefix: string): { text: string; values: string[] };
  /** Keyless tables: distinct row hashes and their counts within one hash prefix. */
  hashRows(prefix: string): { text: string; values: string[] };
  /** Keyless tables: the canonical column texts of the rows with one hash. */
  rowTextsByHash(hash: string): { text: string; values: string[] };
}

const HALVES = `coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0)::text, coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)::text`;

/**
 * `columns` are the compared columns in source order, as this side has them; `others` the same
 * columns on the other side (for json/jsonb normalisation).
 */
export function tableSql(
  table: TableInfo,
  columns: readonly ColumnInfo[],
  others: ReadonlyMap<string, ColumnInfo>,
  form: AggregateForm = 'concat',
): TableSql {
  const from = qualified(table);
  const byName = new Map(table.columns.map((column) => [column.name, column]));
  const key = table.key.map((name) => byName.get(name)!);
  const keyRefs = key.map((column) => quoteIdent(column.name));
  const keyRow = `(${keyRefs.join(', ')})`;
  const keyText = keyRefs.map((ref) => `${ref}::text`).join(', ');
  // Qualified: a bare name in ORDER BY would pick the `::text` output column and sort keys as text.
  const orderBy = keyRefs.map((ref) => `${from}.${ref}`).join(', ');
  const rowText = rowTextExpression(columns, others);
  const rowHash = `md5(${rowText})`;
  // Per column: the canonical text (what is compared), then the plain text (what is shown).
  const columnTexts = [
    ...columns.map((column) => canonicalExpression(column, others.get(column.name))),
    ...columns.map((column) => `${quoteIdent(column.name)}::text`),
  ].join(', ');

  const literal = (values: string[], keyValue: KeyValue): string => {
    const parts = key.map((column, i) => {
      values.push(keyValue[i]!);
      return `$${values.length}::${column.type}`;
    });
    return `(${parts.join(', ')})`;
  };
  const where = (range: Range, values: string[]): string => {
    const parts: string[] = [];
    if (range.lo) parts.push(`${keyRow} > ${literal(values, range.lo)}`);
    if (range.hi) parts.push(`${keyRow} <= ${literal(values, range.hi)}`);
    return parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
  };

  return {
    keyed: key.length > 0,
    boundary(range, offset) {
      const values: string[] = [];
      const text = `SELECT ${keyText} FROM ${from} ${where(range, values)} ORDER BY ${orderBy} OFFSET ${Math.max(0, Math.floor(offset))} LIMIT 1`;
      return { text, values };
    },
    summary(range, withHash) {
      const values: string[] = [];
      const filter = key.length > 0 ? where(range, values) : '';
      const ordered = form === 'concat' ? 'r' : 'md5(r)';
      const text = !withHash
        ? `SELECT count(*)::text, '0', '0' FROM ${from} ${filter}`
        : form === 'row-hash'
          ? `SELECT count(*)::text, coalesce(sum(${rowHashExpression(columns, others)}), 0)::text, '0' FROM ${from} ${filter}`
          : key.length > 0
            ? `SELECT count(*)::text, coalesce(md5(string_agg(${ordered}, '')), ''), '0' FROM (SELECT ${rowText} AS r FROM ${from} ${filter} ORDER BY ${orderBy}) s`
            : `SELECT count(*)::text, ${HALVES} FROM (SELECT ${rowHash} AS h FROM ${from}) s`;
      return { text, values };
    },
    rowHashes(range) {
      const values: string[] = [];
      const text = `SELECT ${keyText}, ${rowHash} FROM ${from} ${where(range, values)} ORDER BY ${orderBy}`;
      return { text, values };
    },
    rowTexts(keyValue) {
      const values: string[] = [];
      const text = `SELECT ${columnTexts} FROM ${from} WHERE ${keyRow} = ${literal(values, keyValue)}`;
      return { text, values };
    },
    hashBuckets(prefix) {
      const depth = prefix.length + 1;
      const text = `SELECT substr(h, 1, ${depth}), count(*)::text, ${HALVES} FROM (SELECT ${rowHash} AS h FROM ${from}) s WHERE h LIKE $1 GROUP BY 1 ORDER BY 1`;
      return { text, values: [`${prefix}%`] };
    },
    hashRows(prefix) {
      const text = `SELECT h, count(*)::text FROM (SELECT ${rowHash} AS h FROM ${from}) s WHERE h LIKE $1 GROUP BY 1 ORDER BY 1`;
      return { text, values: [`${prefix}%`] };
    },
    rowTextsByHash(hash) {
      const text = `SELECT ${columnTexts} FROM ${from} WHERE ${rowHash} = $1 LIMIT 1`;
      return { text, values: [hash] };
    },
  };
}
