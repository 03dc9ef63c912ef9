// Sequence sync at cutover: read every sequence's current value on the source (owned by a column or
// not) and set the target's to value + margin, so the target never hands out a value the source used.

import type pg from 'pg';
import type { CatalogSnapshot } from '../contracts/catalog.js';
import { quoteIdent } from '../contracts/sql-quote.js';

export interface SourceSequence {
  readonly schema: string;
  readonly name: string;
  /** Text: int8 can exceed JS numbers. Null when nextval was never called. */
  readonly lastValue: string | null;
}

/** Works on every major from 9.4 on: pg_class for the list, the sequence relation for the value. */
export async function readSourceSequences(client: pg.Client): Promise<SourceSequence[]> {
  const list = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1, 2`,
  );
  const out: SourceSequence[] = [];
  for (const row of list.rows) {
    const value = await client.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${quoteIdent(row.schema)}.${quoteIdent(row.name)}`,
    );
    const first = value.rows[0];
    out.push({ schema: row.schema, name: row.name, lastValue: first?.is_called ? first.last_value : null });
  }
  return out;
}

export function sequencesFromCatalog(catalog: CatalogSnapshot, database: string): SourceSequence[] {
  const db = catalog.databases.find((item) => item.name === database);
  return (db?.sequences ?? []).map((seq) => ({ schema: seq.schema, name: seq.name, lastValue: seq.lastValue }));
}

export interface SequenceSyncResult {
  readonly set: readonly { readonly sequence: string; readonly value: string }[];
  readonly skipped: readonly { readonly sequence: string; readonly reason: string }[];
}

export async function applySequences(
  target: pg.Client,
  sequences: readonly SourceSequence[],
  margin: bigint,
): Promise<SequenceSyncResult> {
  const set: { sequence: string; value: string }[] = [];
  const skipped: { sequence: string; reason: string }[] = [];
  await target.query('BEGIN');
  try {
    for (const seq of sequences) {
      const qualified = `${quoteIdent(seq.schema)}.${quoteIdent(seq.name)}`;
      if (seq.lastValue === null) {
        skipped.push({ sequence: qualified, reason: 'never used on the source' });
        continue;
      }
      const exists = await target.query('SELECT to_regclass($1) IS NOT NULL AS present', [qualified]);
      if (exists.rows[0]?.present !== true) {
        skipped.push({ sequence: qualified, reason: 'missing on the target' });
        continue;
      }
      const value = (BigInt(seq.lastValue) + margin).toString();
      await target.query('SELECT setval($1::regclass, $2::bigint, true)', [qualified, value]);
      set.push({ sequence: qualified, value });
    }
    await target.query('COMMIT');
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { set, skipped };
}
