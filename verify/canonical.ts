// The canonical text of a column value, as a SQL expression evaluated inside each database. Both sides
// run with CANONICAL_SETTINGS (side.ts), so `::text` is already canonical for most types; the
// exceptions are spelled out here and documented in docs/verify.md. Every function used exists in 9.5.

import { quoteIdent } from '../contracts/sql-quote.js';
import { VerifyError } from './errors.js';
import type { ColumnInfo } from './tables.js';

/**
 * Types whose values name things local to one cluster (row addresses, transaction ids, WAL positions,
 * catalog OIDs): equal data has different values on two clusters, so there is nothing to compare.
 */
const NO_CANONICAL_FORM = new Set([
  'tid',
  'xid',
  'xid8',
  'cid',
  'pg_lsn',
  'txid_snapshot',
  'pg_snapshot',
  'oid',
  'regclass',
  'regproc',
  'regprocedure',
  'regoper',
  'regoperator',
  'regtype',
  'regconfig',
  'regdictionary',
  'regnamespace',
  'regrole',
  'regcollation',
]);

/** Base types from extensions whose text output is stable and exact. */
const EXTENSION_TYPES_WITH_TEXT = new Set(['citext', 'hstore', 'ltree', 'isbn', 'ean13', 'issn', 'upc', 'cube']);

const FLOATS = new Set(['float4', 'float8']);

function unsupported(column: ColumnInfo, why: string): VerifyError {
  return new VerifyError(`column ${column.name} has type ${column.type}, which has no canonical form: ${why}`, {
    column: column.name,
  });
}

/** Throws VerifyError when the column's type cannot be compared. */
export function checkComparable(column: ColumnInfo): void {
  const base = column.element ?? column.base;
  const typtype = column.element === null ? column.typtype : (column.elementTyptype ?? 'b');
  const schema = column.element === null ? column.baseSchema : (column.elementSchema ?? 'pg_catalog');
  if (NO_CANONICAL_FORM.has(base))
    throw unsupported(column, 'its values name cluster-local things (row addresses, transaction ids, OIDs)');
  if (typtype === 'p') throw unsupported(column, 'it is a pseudo-type');
  if (typtype === 'b' && schema !== 'pg_catalog' && !EXTENSION_TYPES_WITH_TEXT.has(base)) {
    throw unsupported(
      column,
      `${schema}.${base} is a base type from an extension whose text form pgferry does not know to be exact; exclude the table or the column`,
    );
  }
}

/**
 * SQL for the canonical text of `column` on one side; `other` is the same column on the other side
 * (json is normalised to jsonb only when the other side is jsonb: the plan mapped one to the other).
 */
export function canonicalExpression(column: ColumnInfo, other: ColumnInfo | undefined): string {
  checkComparable(column);
  const ref = quoteIdent(column.name);
  // Floats by their exact bits: text output changed in PostgreSQL 12 (shortest exact digits), so the
  // same value prints differently on a 10 source and a 16 target even with extra_float_digits = 3.
  if (FLOATS.has(column.base)) return `encode(float8send(${ref}::float8), 'hex')`;
  if (column.element !== null && FLOATS.has(column.element)) {
    return `CASE WHEN ${ref} IS NULL THEN NULL ELSE coalesce(array_dims(${ref}), '') || ':' || coalesce((SELECT string_agg(coalesce(encode(float8send(e::float8), 'hex'), 'NULL'), ',' ORDER BY o) FROM unnest(${ref}) WITH ORDINALITY u(e, o)), '') END`;
  }
  if (column.base === 'json' && other?.base === 'jsonb') return `${ref}::jsonb::text`;
  if (column.base === 'money') return `${ref}::numeric::text`;
  // numeric::text keeps the scale (1.5 vs 1.500000): a NUMERIC(28,6) truncation is a difference.
  // bpchar::text drops the padding, so char(5) 'ab' equals char(8) 'ab'.
  return `${ref}::text`;
}

/**
 * Base types whose cast to text is a function that prints differently from the type's output function
 * (pg_cast, castmethod 'f'): bool::text is 'true' where its output is 't', bpchar::text drops the padding,
 * inet::text keeps a /32. For every other type the cast to text is the output function itself, so a
 * record field of the value prints exactly as a field of its `::text` would.
 */
const TEXT_CAST_IS_A_FUNCTION = new Set(['bool', 'bpchar', 'char', 'name', 'inet', 'cidr']);

/**
 * The canonical value of `column` as a field of the row's record literal: canonicalExpression without
 * the final `::text` where the type's output function already prints that text. Same record text,
 * one conversion less per column and row (measured: ~25 % of a chunk's hashing on narrow tables).
 */
export function rowFieldExpression(column: ColumnInfo, other: ColumnInfo | undefined): string {
  const expression = canonicalExpression(column, other);
  const plain = `${quoteIdent(column.name)}::text`;
  if (expression !== plain || TEXT_CAST_IS_A_FUNCTION.has(column.base)) return expression;
  return quoteIdent(column.name);
}

/**
 * Base types hashed as they are stored, by their hash opclass's 64-bit extended hash function (new in
 * PostgreSQL 11), because that hash is equal exactly when their canonical texts are: the same value
 * hashes the same, and no two values with different canonical texts are equal to the opclass. Each
 * entry builds the call from the column reference and a seed. numeric's hash ignores the scale, so
 * the scale is hashed beside it; timestamptz is hashed as its UTC wall clock (the session runs in
 * UTC), the instant itself. Not here, so hashed through their canonical text: floats (−0 = 0 and every
 * NaN equal to the opclass, not to canonicalExpression), jsonb (1.0 = 1.00 inside a document), interval
 * ('1 day' = '24 hours'), arrays (an element's opclass, e.g. numeric's, ignores scale), enums (hashed
 * by cluster-local OID), inet, ranges, bytea and date (no extended hash SQL can call on every major
 * from 11), and every type without a hash opclass (json, xml, geometry).
 */
const HASHED_AS_STORED: Readonly<Record<string, (ref: string, seed: number) => string[]>> = {
  int2: (ref, seed) => [`hashint2extended(${ref}::pg_catalog.int2, ${seed})`],
  int4: (ref, seed) => [`hashint4extended(${ref}::pg_catalog.int4, ${seed})`],
  int8: (ref, seed) => [`hashint8extended(${ref}::pg_catalog.int8, ${seed})`],
  numeric: (ref, seed) => [
    `hash_numeric_extended(${ref}::pg_catalog.numeric, ${seed})`,
    `hashint4extended(scale(${ref}), ${seed})`,
  ],
  bool: (ref, seed) => [`hashint4extended(${ref}::pg_catalog.bool::pg_catalog.int4, ${seed})`],
  text: (ref, seed) => [`hashtextextended(${byBytes(`${ref}::pg_catalog.text`)}, ${seed})`],
  varchar: (ref, seed) => [`hashtextextended(${byBytes(`${ref}::pg_catalog.text`)}, ${seed})`],
  bpchar: (ref, seed) => [`hashbpcharextended(${byBytes(`${ref}::pg_catalog.bpchar`)}, ${seed})`],
  time: (ref, seed) => [`time_hash_extended(${ref}::pg_catalog.time, ${seed})`],
  timestamp: (ref, seed) => [`timestamp_hash_extended(${ref}::pg_catalog.timestamp, ${seed})`],
  timestamptz: (ref, seed) => [`timestamp_hash_extended(${ref}::pg_catalog.timestamptz AT TIME ZONE 'UTC', ${seed})`],
  uuid: (ref, seed) => [`uuid_hash_extended(${ref}::pg_catalog.uuid, ${seed})`],
};

/** A nondeterministic column collation would make 'A' and 'a' hash alike: text is hashed byte for byte. */
function byBytes(expression: string): string {
  return `(${expression}) COLLATE "C"`;
}

function hashedAsStored(column: ColumnInfo, other: ColumnInfo | undefined): boolean {
  return (
    other !== undefined &&
    column.element === null &&
    other.element === null &&
    column.base === other.base &&
    column.baseSchema === 'pg_catalog' &&
    other.baseSchema === 'pg_catalog' &&
    Object.hasOwn(HASHED_AS_STORED, column.base)
  );
}

/** The 64-bit hashes `column` contributes to its row's hash, each NULL when the value is NULL. */
function columnHashes(column: ColumnInfo, other: ColumnInfo | undefined, seed: number): string[] {
  if (!hashedAsStored(column, other))
    return [`hashtextextended(${byBytes(canonicalExpression(column, other))}, ${seed})`];
  return HASHED_AS_STORED[column.base]!(quoteIdent(column.name), seed);
}

/**
 * A row's 64-bit hash, for chunk sums on PostgreSQL 11 and later: each column's hash (seeded by its
 * position; a NULL stands as the negated position) folded in column order, each into the next one's
 * seed, so a value moved to another column or row changes the hash. Equal exactly when the rows'
 * canonical texts are equal, without printing the values hashed as stored.
 */
export function rowHashExpression(columns: readonly ColumnInfo[], others: ReadonlyMap<string, ColumnInfo>): string {
  let position = 0;
  const hashes = columns.flatMap((column) =>
    columnHashes(column, others.get(column.name), ++position).map((hash) => `coalesce(${hash}, ${-position})`),
  );
  if (hashes.length <= FOLD_GROUP) return fold(hashes);
  const groups: string[] = [];
  for (let i = 0; i < hashes.length; i += FOLD_GROUP) groups.push(fold(hashes.slice(i, i + FOLD_GROUP)));
  return fold(groups);
}

/**
 * Hashes folded into one call chain, at most this many deep: PostgreSQL's parser refuses an expression
 * nested a few thousand calls deep ("memory exhausted"), which 1,600 numeric columns (two hashes each)
 * would reach. Wider rows fold groups of this many, then the groups' hashes in order.
 */
const FOLD_GROUP = 64;

function fold(hashes: readonly string[]): string {
  return hashes.reduce((seed, hash) => `hashint8extended(${hash}, ${seed})`, '0');
}

/** The row's canonical text: a record literal, where NULL prints as nothing and '' as "". */
export function rowTextExpression(columns: readonly ColumnInfo[], others: ReadonlyMap<string, ColumnInfo>): string {
  return `ROW(${columns.map((column) => rowFieldExpression(column, others.get(column.name))).join(', ')})::text`;
}
