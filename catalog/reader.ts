// Reads a CatalogSnapshot from a live source. The one reader behind both `pgferry catalog --source`
// (direct connections) and the agent's GET /v1/catalog (the agent's own sessions), so both paths give
// the same snapshot. It depends on nothing but the connector it is given: no compiler code, no pg
// driver, so the agent's import graph stays light.
//
// Cost: a fixed number of statements per database (one per kind of object, sql.ts) plus the bounded
// LOB sampling batches (lob-sample.ts); never one per table. Every statement is counted, so the
// benchmark and the tests can show the count does not depend on the number of tables.
//
// Longer than the ~400 lines a module here usually stays under: it is the one place that turns the
// statements' rows into the snapshot's shape, kind after kind, so a reader of the snapshot format finds
// every field's origin here; the SQL (sql.ts), LOB sampling (lob-sample.ts) and format checks
// (snapshot-format.ts) are already apart.

import {
  CATALOG_FORMAT_VERSION,
  type CatalogColumn,
  type CatalogDatabase,
  type CatalogHost,
  type CatalogSnapshot,
  type CatalogTable,
  type LobSize,
  type RelationKind,
} from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';
import { columnConcern, isMeasuredLob } from './concern.js';
import { CatalogReadError } from './errors.js';
import {
  batchSql,
  DEFAULT_LOB_SAMPLING,
  type LobCandidate,
  type LobRow,
  type LobSamplingOptions,
  lobSizes,
  planLobSampling,
} from './lob-sample.js';
import { databaseSql, hostSql, PLAN_SETTINGS } from './sql.js';

export interface CatalogSession {
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface CatalogConnector {
  /** Runs `fn` in a session on `database`, or on the connector's own database when null; the session is closed after. */
  withSession<T>(database: string | null, fn: (session: CatalogSession) => Promise<T>): Promise<T>;
}

export interface ReadCatalogOptions {
  /** Databases to read; null: every database that accepts connections except templates and `postgres`. */
  readonly databases?: readonly string[] | null;
  /** Schemas to read; null: every non-system schema. */
  readonly schemas?: readonly string[] | null;
  /** Bound on LOB measurement; null: do not measure (the agent's preflight). */
  readonly lobSampling?: LobSamplingOptions | null;
  /** A database with more relations than this is refused rather than read (a huge schema needs a filter). */
  readonly maxTables?: number;
  readonly longTransactionSeconds?: number;
  readonly now?: () => Date;
}

export interface CatalogRead {
  readonly snapshot: CatalogSnapshot;
  /** Statements sent, in total and by kind (`tables`, `lob-sample`, …). */
  readonly queries: number;
  readonly queriesByKind: Readonly<Record<string, number>>;
  /** Milliseconds spent waiting for each kind of statement (for the benchmark). */
  readonly msByKind: Readonly<Record<string, number>>;
}

export const DEFAULT_MAX_TABLES = 100_000;

class Counter {
  readonly byKind: Record<string, number> = {};
  readonly msByKind: Record<string, number> = {};
  total = 0;
  async run<R extends object>(
    session: CatalogSession,
    kind: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]> {
    this.total += 1;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    const start = performance.now();
    try {
      return await session.query<R>(sql, params);
    } finally {
      this.msByKind[kind] = (this.msByKind[kind] ?? 0) + (performance.now() - start);
    }
  }
}

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned-table',
  v: 'view',
  m: 'materialized-view',
  f: 'foreign-table',
};

const ENABLED = { O: 'origin', D: 'disabled', R: 'replica', A: 'always' } as const;
const enabledOf = (value: string) => ENABLED[value as keyof typeof ENABLED] ?? 'origin';

const byText =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    compareText(key(a), key(b));

/** Sorts by a text key computed once per item (not twice per comparison, as byText does). */
function sortedByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: key(item) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map((entry) => entry.item);
}

interface ServerRow {
  version_num: number;
  version: string;
  is_standby: boolean;
  system_identifier: string | null;
  current_user: string;
  superuser: boolean;
  reads_all_stats: boolean;
}

async function readHost(
  session: CatalogSession,
  counter: Counter,
  longTransactionSeconds: number,
): Promise<{ server: ServerRow; host: CatalogHost; databases: { name: string; can_connect: boolean }[] }> {
  const v = (await counter.run<{ version_num: number }>(session, 'version', hostSql.version))[0]!.version_num;
  const identified = (await counter.run<ServerRow>(session, 'server', hostSql.server(v)))[0];
  if (!identified)
    throw new CatalogReadError('the connected role is not in pg_roles (cannot identify the reading user)');
  if (!identified.superuser && !identified.reads_all_stats) {
    throw new CatalogReadError(
      v >= 100000
        ? `user "${identified.current_user}" cannot see other sessions' transactions and every database's size: GRANT pg_monitor TO "${identified.current_user}" (or pg_read_all_stats; see docs/catalog.md)`
        : `user "${identified.current_user}" cannot see other sessions on PostgreSQL ${identified.version} (pg_monitor exists from 10): read the catalog as a superuser`,
    );
  }
  const databases = await counter.run<{ name: string; can_connect: boolean }>(session, 'databases', hostSql.databases);
  const settings = await counter.run<{ name: string; setting: string; unit: string | null }>(
    session,
    'settings',
    hostSql.settings,
    [[...PLAN_SETTINGS]],
  );
  const slots = await counter.run<{
    name: string;
    type: string;
    plugin: string | null;
    database: string | null;
    active: boolean;
  }>(session, 'slots', hostSql.slots);
  const senders = await counter.run<{ application_name: string; state: string }>(
    session,
    'wal-senders',
    hostSql.walSenders,
  );
  const transactions = await counter.run<{
    database: string | null;
    user: string | null;
    application_name: string | null;
    state: string | null;
    age_seconds: string | null;
    prepared: number;
  }>(session, 'transactions', hostSql.transactions, [longTransactionSeconds]);
  return {
    server: identified,
    databases,
    host: {
      settings: settings
        .map((s) => ({ name: s.name, setting: s.setting, unit: s.unit ?? null }))
        .sort(byText((s) => s.name)),
      replicationSlots: slots
        .map((s) => ({
          name: s.name,
          type: s.type === 'physical' ? ('physical' as const) : ('logical' as const),
          plugin: s.plugin ?? null,
          database: s.database ?? null,
          active: s.active,
        }))
        .sort(byText((s) => s.name)),
      walSenders: senders
        .map((s) => ({ applicationName: s.application_name, state: s.state }))
        .sort(byText((s) => `${s.applicationName}\u0000${s.state}`)),
      longTransactionSeconds,
      longTransactions: transactions
        .filter((t) => t.age_seconds !== null)
        .map((t) => ({
          database: t.database ?? null,
          user: t.user ?? null,
          applicationName: t.application_name ?? '',
          state: t.state ?? null,
          ageSeconds: Number(t.age_seconds),
        }))
        .sort((a, b) => b.ageSeconds - a.ageSeconds),
      preparedTransactions: transactions[0]?.prepared ?? 0,
      hba: null,
    },
  };
}

function chooseDatabases(
  available: readonly { name: string; can_connect: boolean }[],
  requested: readonly string[] | null | undefined,
  server: ServerRow,
): string[] {
  const byName = new Map(available.map((d) => [d.name, d]));
  if (requested && requested.length > 0) {
    for (const name of requested) {
      const found = byName.get(name);
      if (!found) throw new CatalogReadError(`database "${name}" does not exist`, 'request');
      if (!found.can_connect && !server.superuser) {
        throw new CatalogReadError(
          `user "${server.current_user}" may not connect to database "${name}": GRANT CONNECT ON DATABASE "${name}" TO "${server.current_user}"`,
        );
      }
    }
    return [...new Set(requested)].sort(compareText);
  }
  const names = available.filter((d) => d.name !== 'postgres').map((d) => d.name);
  if (names.length === 0) {
    throw new CatalogReadError('the server has no database besides postgres: name the ones to read with --database');
  }
  const refused = available.filter((d) => d.name !== 'postgres' && !d.can_connect && !server.superuser);
  if (refused.length > 0) {
    throw new CatalogReadError(
      `user "${server.current_user}" may not connect to ${refused.map((d) => `"${d.name}"`).join(', ')}: GRANT CONNECT ON DATABASE … TO "${server.current_user}", or choose databases with --database`,
    );
  }
  return names.sort(compareText);
}

interface TableRow {
  oid: string;
  schema: string;
  name: string;
  relkind: string;
  relpersistence: string;
  ispartition: boolean;
  partkey: string | null;
  relreplident: string;
  reltuples: number;
  size: string;
  can_select: boolean;
}

/** One relation's columns as PostgreSQL aggregates them (sql.ts `columns`), in attnum order. */
interface ColumnsRow {
  oid: string;
  /** json: node-postgres parses it; a driver that does not hands over the text. */
  columns: ColumnTuple[] | string;
}

/** name, format_type, notnull, typtype, typname, typcategory, typschema, attgenerated, attidentity. */
type ColumnTuple = [string, string, boolean, string, string, string, string, string, string];

interface ColumnFacts {
  readonly name: string;
  readonly type: string;
  readonly notnull: boolean;
  readonly typtype: string;
  readonly typname: string;
  readonly typcategory: string;
  readonly typschema: string;
  readonly generated: string;
  readonly identity: string;
  concern: ReturnType<typeof columnConcern>;
}

function columnFacts(row: ColumnsRow): ColumnFacts[] {
  const tuples = typeof row.columns === 'string' ? (JSON.parse(row.columns) as ColumnTuple[]) : row.columns;
  return tuples.map(([name, type, notnull, typtype, typname, typcategory, typschema, generated, identity]) => {
    const facts: ColumnFacts = {
      name,
      type,
      notnull,
      typtype,
      typname,
      typcategory,
      typschema,
      generated,
      identity,
      concern: null,
    };
    facts.concern = columnConcern(facts);
    return facts;
  });
}

interface KeyRow {
  oid: string;
  primary: boolean;
  immediate: boolean;
  whole: boolean;
  plain: boolean;
  index_name: string;
  columns: string[] | null;
}

async function readDatabase(
  session: CatalogSession,
  counter: Counter,
  name: string,
  v: number,
  options: ReadCatalogOptions,
): Promise<{ database: CatalogDatabase; overBudget: number; withoutSelect: number }> {
  const schemaParam = [options.schemas && options.schemas.length > 0 ? [...options.schemas] : null];
  const meta = (
    await counter.run<{ encoding: string; collate: string; ctype: string; size: string }>(
      session,
      'database',
      databaseSql.database,
    )
  )[0]!;
  const schemas = await counter.run<{ name: string }>(session, 'schemas', databaseSql.schemas, schemaParam);
  const tableRows = await counter.run<TableRow>(session, 'tables', databaseSql.tables(v), schemaParam);
  const maxTables = options.maxTables ?? DEFAULT_MAX_TABLES;
  if (tableRows.length > maxTables) {
    throw new CatalogReadError(
      `database "${name}" has ${tableRows.length} relations, more than the limit of ${maxTables}: read fewer schemas (--schema) or raise --max-tables`,
    );
  }
  const inherits = await counter.run<{ oid: string; parent: string }>(
    session,
    'inherits',
    databaseSql.inherits,
    schemaParam,
  );
  const keys = await counter.run<KeyRow>(session, 'keys', databaseSql.keys(v), schemaParam);
  const columnRows = await counter.run<ColumnsRow>(session, 'columns', databaseSql.columns(v), schemaParam);
  const sequences = await counter.run<{
    schema: string;
    name: string;
    last_value: string | null;
    owned_by: string | null;
  }>(session, 'sequences', databaseSql.sequences(v), schemaParam);
  const extensions = await counter.run<{ name: string; version: string }>(
    session,
    'extensions',
    databaseSql.extensions,
  );
  const triggers = await counter.run<{ schema: string; table: string; name: string; enabled: string }>(
    session,
    'triggers',
    databaseSql.triggers,
    schemaParam,
  );
  const eventTriggers = await counter.run<{ name: string; event: string; enabled: string }>(
    session,
    'event-triggers',
    databaseSql.eventTriggers,
  );
  const largeObjects = (await counter.run<{ count: number }>(session, 'large-objects', databaseSql.largeObjects))[0];

  const parents = groupBy(inherits, (row) => row.oid);
  const keysOf = groupBy(keys, (row) => row.oid);
  const columnsOf = new Map(columnRows.map((row) => [row.oid, columnFacts(row)]));

  // LOB candidates: tables with storage (not partitioned parents, not views) and measured columns.
  const lobColumns = new Map<string, ColumnFacts[]>();
  const candidates: LobCandidate[] = [];
  for (const table of tableRows) {
    if (table.relkind !== 'r' && table.relkind !== 'm') continue;
    const measured = (columnsOf.get(table.oid) ?? []).filter((c) => isMeasuredLob(c.concern));
    if (measured.length === 0) continue;
    lobColumns.set(table.oid, measured);
    candidates.push({
      key: table.oid,
      schema: table.schema,
      name: table.name,
      estimatedRows: Math.round(table.reltuples),
      sizeBytes: Number(table.size),
      canSelect: table.can_select,
      columns: measured.map((c) => ({ name: c.name, typname: c.typname })),
    });
  }
  const sizes = new Map<string, Map<string, LobSize>>();
  let overBudget = 0;
  let withoutSelect = 0;
  if (options.lobSampling) {
    const sampling = options.lobSampling;
    const plan = planLobSampling(candidates, sampling);
    overBudget = plan.overBudget;
    withoutSelect = plan.withoutSelect;
    for (const batch of plan.batches) {
      const rows = await counter.run<LobRow>(session, 'lob-sample', batchSql(batch, sampling, v));
      for (const [key, columns] of lobSizes(batch, rows, sampling, v)) sizes.set(key, columns);
    }
  }

  // Objects are built with their keys in code-point order, which canonicalJson then writes without
  // copying them (26 MB of snapshot for 10,000 tables: the copy was a third of the client's time).
  const tables: CatalogTable[] = tableRows.map((t) => {
    const tableKeys = keysOf.get(t.oid) ?? [];
    const primary = tableKeys.find((k) => k.primary);
    const usable = tableKeys.filter((k) => k.immediate && k.whole && k.plain && k.columns !== null);
    const measured = lobColumns.has(t.oid) ? sizes.get(t.oid) : undefined;
    const columns: CatalogColumn[] = (columnsOf.get(t.oid) ?? []).map((c) => {
      const generated = c.generated === 's' ? 's' : '';
      const identity = c.identity === 'a' || c.identity === 'd' ? c.identity : '';
      return isMeasuredLob(c.concern) && lobColumns.has(t.oid)
        ? {
            concern: c.concern,
            generated,
            identity,
            lob: measured?.get(c.name) ?? null,
            name: c.name,
            notNull: c.notnull,
            type: c.type,
          }
        : { concern: c.concern, generated, identity, name: c.name, notNull: c.notnull, type: c.type };
    });
    const parentNames = parents.get(t.oid);
    return {
      columns,
      estimatedRows: Math.round(t.reltuples),
      hasUniqueIndex: usable.length > 0,
      isPartition: t.ispartition,
      kind: KINDS[t.relkind] ?? 'table',
      name: t.name,
      parents: parentNames ? parentNames.map((p) => p.parent).sort(compareText) : [],
      partitionKey: t.partkey ?? null,
      persistence: t.relpersistence === 'u' ? 'unlogged' : t.relpersistence === 't' ? 'temporary' : 'permanent',
      primaryKey: primary?.columns ?? [],
      replicaIdentity:
        ({ d: 'default', n: 'nothing', f: 'full', i: 'index' } as const)[t.relreplident as 'd'] ?? 'default',
      schema: t.schema,
      sizeBytes: Number(t.size),
      uniqueKeys:
        usable.length === 0 || (usable.length === 1 && usable[0]!.primary)
          ? []
          : usable
              .filter((k) => !k.primary)
              .sort(byText((k) => k.index_name))
              .map((k) => k.columns ?? []),
    };
  });

  return {
    overBudget,
    withoutSelect,
    database: {
      name,
      encoding: meta.encoding,
      collate: meta.collate,
      ctype: meta.ctype,
      sizeBytes: Number(meta.size),
      schemas: schemas.map((s) => s.name).sort(compareText),
      tables: sortedByKey(tables, (t) => `${t.schema}\u0000${t.name}`),
      sequences: sequences
        .map((s) => ({ schema: s.schema, name: s.name, lastValue: s.last_value, ownedBy: s.owned_by }))
        .sort(byText((s) => `${s.schema}\u0000${s.name}`)),
      extensions: extensions.map((e) => ({ name: e.name, version: e.version })).sort(byText((e) => e.name)),
      triggers: triggers
        .map((t) => ({ schema: t.schema, table: t.table, name: t.name, enabled: enabledOf(t.enabled) }))
        .sort(byText((t) => `${t.schema}\u0000${t.table}\u0000${t.name}`)),
      eventTriggers: eventTriggers
        .map((t) => ({ name: t.name, event: t.event, enabled: enabledOf(t.enabled) }))
        .sort(byText((t) => t.name)),
      largeObjects: { count: largeObjects?.count ?? 0 },
    },
  };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

export async function readCatalog(connector: CatalogConnector, options: ReadCatalogOptions = {}): Promise<CatalogRead> {
  const counter = new Counter();
  const capturedAt = (options.now ?? (() => new Date()))().toISOString();
  const longTransactionSeconds = options.longTransactionSeconds ?? 600;
  const { server, host, databases } = await connector.withSession(null, (session) =>
    readHost(session, counter, longTransactionSeconds),
  );
  const v = server.version_num;
  const names = chooseDatabases(databases, options.databases, server);
  const sampling = options.lobSampling === undefined ? DEFAULT_LOB_SAMPLING : options.lobSampling;
  const out: CatalogDatabase[] = [];
  let overBudget = 0;
  let withoutSelect = 0;
  for (const name of names) {
    const read = await connector.withSession(name, (session) =>
      readDatabase(session, counter, name, v, { ...options, lobSampling: sampling }),
    );
    out.push(read.database);
    overBudget += read.overBudget;
    withoutSelect += read.withoutSelect;
  }
  const limits = sampling ?? DEFAULT_LOB_SAMPLING;
  const snapshot: CatalogSnapshot = {
    formatVersion: CATALOG_FORMAT_VERSION,
    capturedAt,
    serverVersionNum: v,
    cluster: {
      systemIdentifier: server.system_identifier,
      serverVersion: server.version,
      isStandby: server.is_standby,
    },
    host,
    lobSampling: {
      method: v >= 90500 ? 'tablesample' : 'limit',
      rowCap: sampling ? limits.rowCap : 0,
      maxTables: sampling ? limits.maxTables : 0,
      tablesOverBudget: overBudget,
      tablesWithoutSelect: withoutSelect,
    },
    databases: out,
  };
  return { snapshot, queries: counter.total, queriesByKind: { ...counter.byKind }, msByKind: { ...counter.msByKind } };
}
