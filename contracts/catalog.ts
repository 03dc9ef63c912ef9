// The catalog snapshot: what the agent serves at GET /v1/catalog and `pgferry validate --catalog`
// reads. It carries exactly what the checks of reference/dms.md §3 need, per database, so the
// compiler can check a plan's table selections against the real source without a connection.

export const CATALOG_FORMAT_VERSION = 1;

export interface CatalogSnapshot {
  readonly formatVersion: typeof CATALOG_FORMAT_VERSION;
  /** ISO-8601 time the snapshot was taken. */
  readonly capturedAt: string;
  readonly serverVersionNum: number;
  readonly databases: readonly CatalogDatabase[];
}

export interface CatalogDatabase {
  readonly name: string;
  readonly encoding: string;
  readonly collate: string;
  readonly ctype: string;
  /** Schemas the snapshot covers (system schemas are never included). */
  readonly schemas: readonly string[];
  readonly tables: readonly CatalogTable[];
  readonly sequences: readonly CatalogSequence[];
  readonly extensions: readonly { readonly name: string; readonly version: string }[];
}

/** pg_class.relkind, spelt out. */
export type RelationKind = 'table' | 'partitioned-table' | 'view' | 'materialized-view' | 'foreign-table';

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: RelationKind;
  /** pg_class.relpersistence: p permanent, u unlogged, t temporary. */
  readonly persistence: 'permanent' | 'unlogged' | 'temporary';
  /** `schema.name` of the declarative partition parent or inheritance parents. */
  readonly parents: readonly string[];
  readonly isPartition: boolean;
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  /** A plain, immediate, non-partial unique index exists (usable as a key by DMS validation). */
  readonly hasUniqueIndex: boolean;
  readonly columns: readonly CatalogColumn[];
  /** pg_class.reltuples; -1 when never analysed. */
  readonly estimatedRows: number;
  readonly sizeBytes: number;
}

/** Why DMS might mishandle a column (reference/dms.md §3, Q-types), or null when it is plain. */
export type ColumnConcern =
  | 'enum'
  | 'composite'
  | 'range'
  | 'domain'
  | 'text-search'
  | 'network'
  | 'geometric'
  | 'oid-lob'
  | 'unbounded-numeric'
  | 'numeric-precision>38'
  | 'char/varchar-without-length'
  | 'tz/interval'
  | 'lob-like'
  | 'postgis'
  | 'user-defined';

export interface CatalogColumn {
  readonly name: string;
  /** format_type() output, e.g. `character varying(20)`. */
  readonly type: string;
  readonly concern: ColumnConcern | null;
  readonly notNull: boolean;
  /** pg_attribute.attgenerated ('s' stored) and attidentity ('a' always, 'd' by default); '' when none. */
  readonly generated: '' | 's';
  readonly identity: '' | 'a' | 'd';
}

export interface CatalogSequence {
  readonly schema: string;
  readonly name: string;
  /** pg_sequence_last_value as text (int8 can exceed JS numbers); null when never called. */
  readonly lastValue: string | null;
  /** `schema.table.column` that owns the sequence, or null. */
  readonly ownedBy: string | null;
}
