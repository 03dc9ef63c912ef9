// The catalog's SQL, one statement per kind of object and per database, chosen by server_version_num.
// None of them runs per table: their cost grows with the catalog's rows on the server, never with
// round trips. Every object is schema-qualified so a hostile search_path cannot redirect it. Order is
// imposed in JavaScript (ordinal), not by ORDER BY, which follows the server's collation.

const SYSTEM_SCHEMAS =
  "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

/** `AND n.nspname = ANY($1)` when the snapshot is limited to some schemas ($1 is always bound). */
const inSchemas = 'AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))';

export const hostSql = {
  version: "SELECT pg_catalog.current_setting('server_version_num')::int AS version_num",

  server: (v: number) => `SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
       pg_catalog.current_setting('server_version') AS version,
       pg_catalog.pg_is_in_recovery() AS is_standby,
       ${v >= 90600 ? '(SELECT system_identifier::text FROM pg_catalog.pg_control_system())' : 'NULL::text'} AS system_identifier,
       current_user::text AS current_user,
       r.rolsuper AS superuser,
       ${v >= 100000 ? "pg_catalog.pg_has_role(current_user, 'pg_monitor', 'USAGE') OR pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')" : 'false'} AS reads_all_stats
  FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,

  databases: `SELECT datname::text AS name, pg_catalog.has_database_privilege(oid, 'CONNECT') AS can_connect
  FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate`,

  settings: `SELECT name, setting, unit FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])`,

  slots: `SELECT slot_name::text AS name, slot_type::text AS type, plugin::text AS plugin, database::text AS database, active
  FROM pg_catalog.pg_replication_slots`,

  walSenders: `SELECT coalesce(application_name, '') AS application_name, coalesce(state, '') AS state
  FROM pg_catalog.pg_stat_replication`,

  transactions: `SELECT datname::text AS database, usename::text AS "user", coalesce(application_name, '') AS application_name,
       state, floor(extract(epoch FROM now() - xact_start))::bigint::text AS age_seconds,
       (SELECT count(*) FROM pg_catalog.pg_prepared_xacts)::int AS prepared
  FROM (SELECT 1) one
  LEFT JOIN pg_catalog.pg_stat_activity a
    ON a.xact_start < now() - make_interval(secs => $1) AND a.pid <> pg_catalog.pg_backend_pid()`,
};

/** The settings a plan depends on (dms.md §1.4); those missing on this version are simply absent. */
export const PLAN_SETTINGS = [
  'idle_in_transaction_session_timeout',
  'listen_addresses',
  'logical_decoding_work_mem',
  'max_connections',
  'max_replication_slots',
  'max_slot_wal_keep_size',
  'max_wal_senders',
  'max_worker_processes',
  'password_encryption',
  'shared_preload_libraries',
  'ssl',
  'wal_level',
  'wal_sender_timeout',
] as const;

export const databaseSql = {
  database: `SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate::text AS collate, datctype::text AS ctype,
       pg_catalog.pg_database_size(oid)::text AS size
  FROM pg_catalog.pg_database WHERE datname = current_database()`,

  schemas: `SELECT n.nspname::text AS name FROM pg_catalog.pg_namespace n WHERE ${SYSTEM_SCHEMAS} ${inSchemas}`,

  tables: (
    v: number,
  ) => `SELECT c.oid::text AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS relkind,
       c.relpersistence::text AS relpersistence, ${v >= 100000 ? 'c.relispartition' : 'false'} AS ispartition,
       ${v >= 100000 ? "CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END" : 'NULL::text'} AS partkey,
       c.relreplident::text AS relreplident, c.reltuples::float8 AS reltuples,
       -- Estimated from relpages (table, TOAST, indexes): pg_total_relation_size would lock every relation
       -- for the rest of the transaction, which overflows the lock table on schemas of many thousand tables.
       ((c.relpages::bigint + coalesce((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), 0)
         + coalesce((SELECT sum(i.relpages) FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                      WHERE x.indrelid = c.oid), 0)) * pg_catalog.current_setting('block_size')::bigint)::text AS size,
       pg_catalog.has_table_privilege(c.oid, 'SELECT') AS can_select
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r','p','v','m','f') AND ${SYSTEM_SCHEMAS} ${inSchemas}`,

  inherits: `SELECT i.inhrelid::text AS oid, pn.nspname::text || '.' || pc.relname::text AS parent
  FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE ${SYSTEM_SCHEMAS} ${inSchemas}`,

  /** Unique indexes; `columns` is null for expression indexes. */
  keys: (v: number) => `SELECT x.indrelid::text AS oid, x.indisprimary AS primary, x.indimmediate AS immediate,
       x.indpred IS NULL AS whole, x.indexprs IS NULL AS plain, ic.relname::text AS index_name,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
         WHERE k.ord <= ${v >= 110000 ? 'x.indnkeyatts' : 'x.indnatts'}) AS columns
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = x.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE x.indisunique AND ${SYSTEM_SCHEMAS} ${inSchemas}`,

  /**
   * Columns, one row per relation: PostgreSQL builds each relation's list as a JSON array of arrays
   * (name, type, notnull, typtype, typname, typcategory, typschema, generated, identity) in attnum
   * order, so the client parses one JSON value per table instead of assembling 100,000 rows.
   */
  columns: (v: number) => `SELECT a.attrelid::text AS oid,
       pg_catalog.json_agg(pg_catalog.json_build_array(a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
         a.attnotnull, t.typtype::text, t.typname::text, t.typcategory::text, tn.nspname::text,
         ${v >= 120000 ? 'a.attgenerated' : "''"}::text, ${v >= 100000 ? 'a.attidentity' : "''"}::text) ORDER BY a.attnum) AS columns
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
 WHERE c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT a.attisdropped AND ${SYSTEM_SCHEMAS} ${inSchemas}
 GROUP BY a.attrelid`,

  sequences: (v: number) => `SELECT n.nspname::text AS schema, c.relname::text AS name,
       -- pg_sequence_last_value needs SELECT or USAGE on the sequence, which pg_monitor does not give: a
       -- sequence the role may not read has no last value here (as in pg_sequences), not a failed snapshot.
       ${v >= 100000 ? "CASE WHEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT, USAGE') THEN pg_catalog.pg_sequence_last_value(c.oid)::text END" : 'NULL::text'} AS last_value,
       tn.nspname::text || '.' || tc.relname::text || '.' || ta.attname::text AS owned_by
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_depend d ON d.objid = c.oid AND d.classid = 'pg_catalog.pg_class'::regclass
       AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a','i') AND d.refobjsubid > 0
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
  LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
 WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS} ${inSchemas}`,

  extensions: 'SELECT extname::text AS name, extversion::text AS version FROM pg_catalog.pg_extension',

  triggers: `SELECT n.nspname::text AS schema, c.relname::text AS table, t.tgname::text AS name, t.tgenabled::text AS enabled
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND ${SYSTEM_SCHEMAS} ${inSchemas}`,

  eventTriggers:
    'SELECT evtname::text AS name, evtevent::text AS event, evtenabled::text AS enabled FROM pg_catalog.pg_event_trigger',

  largeObjects: 'SELECT count(*)::int AS count FROM pg_catalog.pg_largeobject_metadata',
};
