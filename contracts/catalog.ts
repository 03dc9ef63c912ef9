// The catalog snapshot: what `pgferry catalog` writes, what the agent serves at GET /v1/catalog and what
// `validate|compile|diff --catalog` and `pgferry init` read. It carries what the checks of
// reference/dms.md §3 need, per database, plus the host facts a starter plan is sized from, so the
// compiler can check a plan against the real source without a connection. It holds no row data and no
// secrets: names, types, counts, sizes and settings only. Both readers (direct and through the agent)
// produce it with the one module catalog/reader.ts, so the two paths cannot drift apart.

/**
 * 2: host facts, cluster identity, database sizes, unique keys, partitioning, triggers, event
 * triggers, large objects and sampled LOB sizes. Format 1 (agent-only, before `pgferry catalog`) is
 * refused with a message asking for a new snapshot.
 */
export const CATALOG_FORMAT_VERSION = 2;

export interface CatalogSnapshot {
  readonly formatVersion: typeof CATALOG_FORMAT_VERSION;
  /** ISO-8601 time the snapshot was taken. */
  readonly capturedAt: string;
  readonly serverVersionNum: number;
  readonly cluster: CatalogCluster;
  readonly host: CatalogHost;
  /** How LOB sizes were measured: the bound on the cost, and what it left unmeasured. */
  readonly lobSampling: LobSampling;
  readonly databases: readonly CatalogDatabase[];
}

export interface CatalogCluster {
  /** pg_control_system().system_identifier (9.6+; the agent reads pg_control on 9.5); null when unreadable. */
  readonly systemIdentifier: string | null;
  /** server_version, e.g. `16.4 (Debian 16.4-1)`. */
  readonly serverVersion: string;
  readonly isStandby: boolean;
}

export interface CatalogHost {
  /** Settings a plan depends on (replication budget, WAL, timeouts), by name. Unknown on this version: absent. */
  readonly settings: readonly CatalogSetting[];
  readonly replicationSlots: readonly CatalogSlot[];
  /** pg_stat_replication rows: WAL senders in use now (physical standbys, backup tools, other CDC). */
  readonly walSenders: readonly { readonly applicationName: string; readonly state: string }[];
  /** Transactions open longer than `longTransactionSeconds` (they block DMS task start, S18). */
  readonly longTransactionSeconds: number;
  readonly longTransactions: readonly CatalogLongTransaction[];
  readonly preparedTransactions: number;
  /** The effective pg_hba.conf rules (options left out: they can hold LDAP bind passwords); agent only, else null. */
  readonly hba: readonly CatalogHbaRule[] | null;
}

export interface CatalogSetting {
  readonly name: string;
  readonly setting: string;
  readonly unit: string | null;
}

export interface CatalogSlot {
  readonly name: string;
  readonly type: 'logical' | 'physical';
  readonly plugin: string | null;
  readonly database: string | null;
  readonly active: boolean;
}

export interface CatalogLongTransaction {
  readonly database: string | null;
  readonly user: string | null;
  readonly applicationName: string;
  readonly state: string | null;
  readonly ageSeconds: number;
}

export interface CatalogHbaRule {
  readonly line: number;
  readonly type: string;
  readonly databases: readonly string[];
  readonly users: readonly string[];
  readonly address: string | null;
  readonly method: string;
}

export interface LobSampling {
  /** `tablesample` (TABLESAMPLE SYSTEM … REPEATABLE, 9.5+) or `limit` (the first rows only). */
  readonly method: 'tablesample' | 'limit';
  /** At most this many rows are read per column; smaller tables are read whole. */
  readonly rowCap: number;
  /** At most this many tables are sampled per database, the largest first. */
  readonly maxTables: number;
  /** Tables with LOB-like columns left unmeasured because of maxTables. */
  readonly tablesOverBudget: number;
  /** Tables with LOB-like columns the reading role may not SELECT from (grant pg_read_all_data on 14+). */
  readonly tablesWithoutSelect: number;
}

export interface CatalogDatabase {
  readonly name: string;
  readonly encoding: string;
  readonly collate: string;
  readonly ctype: string;
  /** pg_database_size(). */
  readonly sizeBytes: number;
  /** Schemas the snapshot covers (system schemas are never included). */
  readonly schemas: readonly string[];
  readonly tables: readonly CatalogTable[];
  readonly sequences: readonly CatalogSequence[];
  readonly extensions: readonly { readonly name: string; readonly version: string }[];
  /** User triggers on tables (not constraint triggers of foreign keys). */
  readonly triggers: readonly CatalogTrigger[];
  readonly eventTriggers: readonly CatalogEventTrigger[];
  /** pg_largeobject_metadata: DMS does not migrate large objects. */
  readonly largeObjects: { readonly count: number };
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
  /** pg_get_partkeydef() of a partitioned table, e.g. `RANGE (created_at)`; null otherwise. */
  readonly partitionKey?: string | null;
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /** Other plain unique keys (immediate, no predicate, no expression), each in key order. */
  readonly uniqueKeys?: readonly (readonly string[])[];
  readonly replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  /** A plain, immediate, non-partial unique index exists (usable as a key by DMS validation). */
  readonly hasUniqueIndex: boolean;
  readonly columns: readonly CatalogColumn[];
  /** pg_class.reltuples; -1 when never analysed. */
  readonly estimatedRows: number;
  /** Estimated from pg_class.relpages of the table, its TOAST table and its indexes (as of the last VACUUM/ANALYZE). */
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
  /** Measured sizes of a LOB-like or unbounded varchar column; null when not measured (see lobSampling). */
  readonly lob?: LobSize | null;
}

export interface LobSize {
  /** Largest value seen, in bytes (octet_length of the text form; bytea as stored). */
  readonly maxBytes: number;
  /** 99th percentile of the non-null values seen (percentile_disc). */
  readonly p99Bytes: number;
  /** Non-null values seen. */
  readonly values: number;
  /** `all` when the table was read whole (below the row cap), else `sample`. */
  readonly coverage: 'all' | 'sample';
}

export interface CatalogSequence {
  readonly schema: string;
  readonly name: string;
  /**
   * pg_sequence_last_value as text (int8 can exceed JS numbers); null when never called, or when the
   * reading role has neither SELECT nor USAGE on the sequence (pg_monitor gives neither).
   */
  readonly lastValue: string | null;
  /** `schema.table.column` that owns the sequence, or null. */
  readonly ownedBy: string | null;
}

export interface CatalogTrigger {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** pg_trigger.tgenabled: O origin (fires normally), D disabled, R replica, A always. */
  readonly enabled: 'origin' | 'disabled' | 'replica' | 'always';
}

export interface CatalogEventTrigger {
  readonly name: string;
  readonly event: string;
  readonly enabled: 'origin' | 'disabled' | 'replica' | 'always';
}
