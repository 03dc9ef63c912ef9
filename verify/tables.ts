// What the verifier needs to know about a table on one side: its columns (with the base type a domain
// stands for) and the key it is chunked by (the primary key, else the narrowest unique index whose
// columns are all NOT NULL, without predicate or expression). SQL that runs on every major from 9.5.

import { quoteIdent } from '../contracts/sql-quote.js';
import type { Side } from './side.js';

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

export interface ColumnInfo {
  readonly name: string;
  /** format_type(): `numeric(28,6)`, `character(5)`, `public.mood`. */
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
  /** Base type name after resolving a domain (`float8`, `_int4`, `mood`). */
  readonly base: string;
  readonly baseSchema: string;
  /** pg_type.typtype of the base type: b base, e enum, r range, c composite, p pseudo, m multirange. */
  readonly typtype: string;
  /** Element type name of an array base type, else null. */
  readonly element: string | null;
  readonly collation: string | null;
  readonly elementTyptype: string | null;
  readonly elementSchema: string | null;
}

export interface TableInfo extends TableName {
  readonly columns: readonly ColumnInfo[];
  /** Key column names in index order; empty when the table has no comparable key. */
  readonly key: readonly string[];
  readonly keyKind: 'primary key' | 'unique' | 'none';
  /** pg_class.reltuples: an estimate, for progress only. */
  readonly estimatedRows: number;
  /** pg_table_size (heap and TOAST) over the estimated rows: how wide a row is on disk, roughly; null unknown. */
  readonly estimatedRowBytes: number | null;
}

export function qualified(table: TableName): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

export function displayName(table: TableName): string {
  return `${table.schema}.${table.name}`;
}

export const COLUMNS_SQL = `
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
       pg_get_expr(d.adbin, d.adrelid), bt.typname, bn.nspname, bt.typtype::text,
       et.typname, CASE WHEN a.attcollation <> 0 THEN co.collname END, et.typtype::text, en.nspname
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typlen = -1 AND bt.typelem <> 0
LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

// The comparable key: primary key first, then the narrowest unique, valid, total, plain-column index
// whose columns are all NOT NULL; ties broken by index name so both runs pick the same one.
export const KEY_SQL = `
SELECT CASE WHEN i.indisprimary THEN 'primary key' ELSE 'unique' END,
       array_to_json(ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                           ORDER BY k.ord))::text
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid
                  AND a.attnum = ANY (i.indkey::int2[]) AND NOT a.attnotnull)
ORDER BY i.indisprimary DESC, i.indnatts, ic.relname
LIMIT 1`;

/** Whether the table exists on this side (a missing table on the target is an error, not a mismatch). */
export async function tableExists(side: Side, table: TableName): Promise<boolean> {
  const rows = await side.rows('SELECT (to_regclass($1) IS NOT NULL)::text', [qualified(table)], displayName(table));
  return rows[0]?.[0] === 'true';
}

export async function readTable(side: Side, table: TableName): Promise<TableInfo> {
  const name = qualified(table);
  const where = displayName(table);
  const columns = (await side.rows(COLUMNS_SQL, [name], where)).map(
    (row): ColumnInfo => ({
      name: row[0]!,
      type: row[1]!,
      notNull: row[2] === 'true',
      default: row[3] ?? null,
      base: row[4]!,
      baseSchema: row[5]!,
      typtype: row[6]!,
      element: row[7] ?? null,
      collation: row[8] ?? null,
      elementTyptype: row[9] ?? null,
      elementSchema: row[10] ?? null,
    }),
  );
  const keyRow = (await side.rows(KEY_SQL, [name], where))[0];
  const estimate = await side.rows(
    'SELECT greatest(reltuples, 0)::bigint::text, pg_table_size(oid)::text FROM pg_class WHERE oid = $1::regclass',
    [name],
  );
  const rows = Number(estimate[0]?.[0] ?? 0);
  return {
    ...table,
    columns,
    key: keyRow ? (JSON.parse(keyRow[1]!) as string[]) : [],
    keyKind: keyRow ? (keyRow[0] as 'primary key' | 'unique') : 'none',
    estimatedRows: rows,
    // Never analyzed (reltuples 0, or -1 from 14 on): unknown.
    estimatedRowBytes: rows > 0 ? Number(estimate[0]?.[1] ?? 0) / rows : null,
  };
}

/**
 * Ordinary tables (leaf partitions included, partitioned parents excluded: they hold no rows of their
 * own) that `predicate` selects, over `pg_class c JOIN pg_namespace n`. pgferry's own schema (the
 * cutover marker) is never compared.
 */
export async function listTables(side: Side, predicate: string): Promise<TableName[]> {
  const rows = await side.rows(`
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgferry')
  AND n.nspname !~ '^pg_(toast|temp)' AND (${predicate})
ORDER BY n.nspname::text COLLATE "C", c.relname::text COLLATE "C"`);
  return rows.map((row) => ({ schema: row[0]!, name: row[1]! }));
}
