// GET /v1/catalog: the snapshot `pgferry validate --catalog` reads (contracts/catalog.ts), one session
// per database, system schemas excluded. Column concerns follow reference/dms.md §3.

import type pg from 'pg';
import {
  CATALOG_FORMAT_VERSION,
  type CatalogColumn,
  type CatalogDatabase,
  type CatalogSnapshot,
  type ColumnConcern,
  type RelationKind,
} from '../contracts/catalog.js';
import type { AgentContext } from './context.js';

const SYSTEM_SCHEMAS =
  "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'";

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned-table',
  v: 'view',
  m: 'materialized-view',
  f: 'foreign-table',
};

export function columnConcern(type: string, typtype: string, typname: string): ColumnConcern | null {
  if (typtype === 'e') return 'enum';
  if (typtype === 'c') return 'composite';
  if (typtype === 'r' || typtype === 'm') return 'range';
  if (typtype === 'd') return 'domain';
  if (['geometry', 'geography', 'box2d', 'box3d', 'raster'].includes(typname)) return 'postgis';
  if (['tsvector', 'tsquery'].includes(typname)) return 'text-search';
  if (['inet', 'cidr', 'macaddr', 'macaddr8'].includes(typname)) return 'network';
  if (['point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle'].includes(typname)) return 'geometric';
  if (typname === 'oid' || typname === 'lo') return 'oid-lob';
  if (type === 'numeric') return 'unbounded-numeric';
  const numeric = /^numeric\((\d+),\d+\)$/.exec(type);
  if (numeric && Number(numeric[1]) > 38) return 'numeric-precision>38';
  if (type === 'character varying' || type === 'character') return 'char/varchar-without-length';
  if (['timestamp with time zone', 'time with time zone', 'interval'].includes(type)) return 'tz/interval';
  if (['bytea', 'text', 'json', 'jsonb', 'xml'].includes(typname)) return 'lob-like';
  if (typtype === 'b' && typname.startsWith('_')) return 'user-defined';
  return null;
}

async function snapshotDatabase(
  client: pg.Client,
  name: string,
  v: number,
  schemaFilter: readonly string[] | null,
): Promise<CatalogDatabase> {
  const meta = (
    await client.query<{ encoding: string; collate: string; ctype: string }>(
      'SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype FROM pg_catalog.pg_database WHERE datname = current_database()',
    )
  ).rows[0]!;
  const schemaClause = schemaFilter ? 'AND n.nspname = ANY($1::text[])' : '';
  const params = schemaFilter ? [schemaFilter] : [];
  const schemas = (
    await client.query<{ nspname: string }>(
      `SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ${SYSTEM_SCHEMAS} ${schemaClause} ORDER BY 1`,
      params,
    )
  ).rows.map((r) => r.nspname);
  const partition = v >= 100000 ? 'c.relispartition' : 'false';
  const tables = (
    await client.query<{
      oid: number;
      schema: string;
      name: string;
      relkind: string;
      relpersistence: string;
      ispartition: boolean;
      parents: string[];
      pk: string[] | null;
      relreplident: string;
      has_unique: boolean;
      reltuples: number;
      size: string;
    }>(
      `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind, c.relpersistence, ${partition} AS ispartition,
              coalesce((SELECT array_agg(pn.nspname || '.' || pc.relname ORDER BY pc.relname) FROM pg_catalog.pg_inherits i
                        JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
                        WHERE i.inhrelid = c.oid), '{}') AS parents,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.pg_index x
                 CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                WHERE x.indrelid = c.oid AND x.indisprimary) AS pk,
              c.relreplident,
              EXISTS (SELECT 1 FROM pg_catalog.pg_index x WHERE x.indrelid = c.oid AND x.indisunique AND x.indimmediate AND x.indpred IS NULL) AS has_unique,
              c.reltuples::float8 AS reltuples, pg_catalog.pg_total_relation_size(c.oid)::text AS size
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r','p','v','m','f') AND ${SYSTEM_SCHEMAS} ${schemaClause}
        ORDER BY n.nspname, c.relname`,
      params,
    )
  ).rows;
  const generated = v >= 120000 ? 'a.attgenerated' : "''";
  const identity = v >= 100000 ? 'a.attidentity' : "''";
  const columns = (
    await client.query<{
      attrelid: number;
      name: string;
      type: string;
      notnull: boolean;
      typtype: string;
      typname: string;
      generated: string;
      identity: string;
    }>(
      `SELECT a.attrelid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              t.typtype::text AS typtype, t.typname::text AS typname, ${generated}::text AS generated, ${identity}::text AS identity
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [tables.map((t) => t.oid)],
    )
  ).rows;
  const byTable = new Map<number, CatalogColumn[]>();
  for (const c of columns) {
    const list = byTable.get(c.attrelid) ?? [];
    list.push({
      name: c.name,
      type: c.type,
      concern: columnConcern(c.type, c.typtype, c.typname),
      notNull: c.notnull,
      generated: c.generated === 's' ? 's' : '',
      identity: c.identity === 'a' || c.identity === 'd' ? c.identity : '',
    });
    byTable.set(c.attrelid, list);
  }
  const lastValue = v >= 100000 ? 'pg_catalog.pg_sequence_last_value(c.oid)::text' : 'NULL::text';
  const sequences = (
    await client.query<{ schema: string; name: string; last_value: string | null; owned_by: string | null }>(
      `SELECT n.nspname AS schema, c.relname AS name, ${lastValue} AS last_value,
              (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname FROM pg_catalog.pg_depend d
                 JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.objid = c.oid AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a','i') LIMIT 1) AS owned_by
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS} ${schemaClause} ORDER BY 1, 2`,
      params,
    )
  ).rows;
  const extensions = (
    await client.query<{ name: string; version: string }>(
      'SELECT extname AS name, extversion AS version FROM pg_catalog.pg_extension ORDER BY 1',
    )
  ).rows;
  return {
    name,
    encoding: meta.encoding,
    collate: meta.collate,
    ctype: meta.ctype,
    schemas,
    tables: tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      kind: KINDS[t.relkind] ?? 'table',
      persistence: t.relpersistence === 'u' ? 'unlogged' : t.relpersistence === 't' ? 'temporary' : 'permanent',
      parents: t.parents,
      isPartition: t.ispartition,
      primaryKey: t.pk ?? [],
      replicaIdentity:
        ({ d: 'default', n: 'nothing', f: 'full', i: 'index' } as const)[t.relreplident as 'd'] ?? 'default',
      hasUniqueIndex: t.has_unique,
      columns: byTable.get(t.oid) ?? [],
      estimatedRows: Math.round(t.reltuples),
      sizeBytes: Number(t.size),
    })),
    sequences: sequences.map((s) => ({ schema: s.schema, name: s.name, lastValue: s.last_value, ownedBy: s.owned_by })),
    extensions,
  };
}

export async function catalogSnapshot(
  ctx: AgentContext,
  databases: readonly string[] | null,
  schemas: readonly string[] | null,
): Promise<CatalogSnapshot> {
  const v = await ctx.db.serverVersionNum();
  const names =
    databases ??
    (
      await ctx.db.query<{ datname: string }>(
        "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres' ORDER BY 1",
      )
    ).map((r) => r.datname);
  const out: CatalogDatabase[] = [];
  for (const name of [...names].sort()) {
    out.push(await ctx.db.withClient((client) => snapshotDatabase(client, name, v, schemas), name));
  }
  return {
    formatVersion: CATALOG_FORMAT_VERSION,
    capturedAt: new Date().toISOString(),
    serverVersionNum: v,
    databases: out,
  };
}
