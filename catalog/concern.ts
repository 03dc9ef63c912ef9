// Which columns DMS mishandles, by type (reference/dms.md §3 S7, Q-types). One classification for both
// readers of the catalog and for the LOB sampler, which measures the `lob-like` and unbounded varchar ones.

import type { ColumnConcern } from '../contracts/catalog.js';

export interface ColumnTypeFacts {
  /** format_type() output. */
  readonly type: string;
  /** pg_type.typtype: b base, c composite, d domain, e enum, r range, m multirange, p pseudo. */
  readonly typtype: string;
  readonly typname: string;
  /** pg_type.typcategory ('A' for arrays). */
  readonly typcategory: string;
  /** Schema of the type: types outside pg_catalog come from extensions or the user. */
  readonly typschema: string;
}

const POSTGIS = new Set(['geometry', 'geography', 'box2d', 'box3d', 'raster']);
const TEXT_SEARCH = new Set(['tsvector', 'tsquery']);
const NETWORK = new Set(['inet', 'cidr', 'macaddr', 'macaddr8']);
const GEOMETRIC = new Set(['point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle']);
/** DMS reads these as LOBs (full or limited LOB mode applies to them). */
const LOB_LIKE = new Set(['bytea', 'text', 'json', 'jsonb', 'xml', 'citext', 'hstore']);

export function columnConcern(facts: ColumnTypeFacts): ColumnConcern | null {
  const { type, typtype, typname } = facts;
  if (typtype === 'e') return 'enum';
  if (typtype === 'c') return 'composite';
  if (typtype === 'r' || typtype === 'm') return 'range';
  if (typtype === 'd') return 'domain';
  if (POSTGIS.has(typname)) return 'postgis';
  if (TEXT_SEARCH.has(typname)) return 'text-search';
  if (NETWORK.has(typname)) return 'network';
  if (GEOMETRIC.has(typname)) return 'geometric';
  if (typname === 'oid' || typname === 'lo') return 'oid-lob';
  if (type === 'numeric') return 'unbounded-numeric';
  const numeric = /^numeric\((\d+),\d+\)$/.exec(type);
  if (numeric && Number(numeric[1]) > 38) return 'numeric-precision>38';
  if (type === 'character varying' || type === 'character') return 'char/varchar-without-length';
  if (['timestamp with time zone', 'time with time zone', 'interval'].includes(type)) return 'tz/interval';
  if (LOB_LIKE.has(typname) || facts.typcategory === 'A') return 'lob-like';
  if (facts.typschema !== 'pg_catalog') return 'user-defined';
  return null;
}

/** Columns whose sizes the LOB sampler measures: what DMS treats as a LOB, and unbounded varchar (8000-byte default cap). */
export function isMeasuredLob(concern: ColumnConcern | null): boolean {
  return concern === 'lob-like' || concern === 'char/varchar-without-length';
}
