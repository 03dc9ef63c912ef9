// The `source-sql` executor: the source side of the logical replication engine, over a direct `pg`
// connection to the source database (the node's `source` input; `--source-url` overrides the address).
// The agent has no generic SQL route, and a publication is plain catalog DDL that needs no host access.

import type pg from 'pg';
import { USER_SCHEMA_SQL } from '../../compiler/emit/table-patterns.js';
import { wildcardToRegex } from '../../compiler/knowledge/dms-wildcard.js';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { PGFERRY_SCHEMA } from '../../contracts/pgferry-schema.js';
import { type Input, requireString, stringList } from '../inputs.js';
import { connect, connectionFor } from '../pg-connect.js';
import { type DryRunProbe, type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { handlerByKind, type KindRun } from './by-kind.js';

/** Publications exist from PostgreSQL 10 on. */
export const LOGICAL_MIN_VERSION_NUM = 100000;

export interface QualifiedTable {
  readonly schema: string;
  readonly name: string;
}

/** A DMS-style `schema.table` pattern as (schema regex, table regex), like compiler/emit/table-patterns.ts. */
function regexPair(pattern: string): [string, string] {
  const dot = pattern.indexOf('.');
  const [schema, table] = dot < 0 ? [pattern, '%'] : [pattern.slice(0, dot), pattern.slice(dot + 1)];
  return [wildcardToRegex(schema), wildcardToRegex(table)];
}

// Ordinary permanent tables only: partitions are ordinary tables (relkind r) and replicate one by one,
// which every version from 10 on accepts; partitioned parents (13+ only) would publish them twice.
const SELECTED_TABLES_SQL = `
  SELECT n.nspname AS schema, c.relname AS name,
         (c.relreplident = 'f' OR (c.relreplident IN ('d', 'i') AND EXISTS (
            SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid
              AND (CASE WHEN c.relreplident = 'd' THEN i.indisprimary ELSE i.indisreplident END)))) AS identified
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND c.relpersistence = 'p'
     AND ${USER_SCHEMA_SQL} AND n.nspname <> $5
     AND EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS i(s, t) WHERE n.nspname ~ i.s AND c.relname ~ i.t)
     AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS x(s, t) WHERE n.nspname ~ x.s AND c.relname ~ x.t)
   ORDER BY 1, 2`;

/**
 * The tables a selection matches on the connected database, with whether UPDATE/DELETE can be
 * published; never a system table nor one of pgferry's own (the marker).
 */
export async function selectedTables(
  client: pg.Client,
  include: readonly string[],
  exclude: readonly string[],
): Promise<(QualifiedTable & { identified: boolean })[]> {
  const inc = include.map(regexPair);
  const exc = exclude.map(regexPair);
  const result = await client.query<QualifiedTable & { identified: boolean }>(SELECTED_TABLES_SQL, [
    inc.map(([s]) => s),
    inc.map(([, t]) => t),
    exc.map(([s]) => s),
    exc.map(([, t]) => t),
    PGFERRY_SCHEMA,
  ]);
  return result.rows;
}

const qualified = (client: pg.Client, table: QualifiedTable) =>
  `${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.name)}`;

async function withSource<T>(
  node: GraphNode,
  input: Input,
  ctx: RunContext,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const source = await connectionFor(ctx, input, 'source');
  const client = await connect(ctx, source, 'source');
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof NodeFailure) throw error;
    throw new NodeFailure(`node ${node.id} on source database ${source.database}: ${ctx.redactor.messageOf(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function publishedTables(client: pg.Client, publication: string): Promise<string[]> {
  const rows = await client.query<{ schemaname: string; tablename: string }>(
    'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2',
    [publication],
  );
  return rows.rows.map((row) => `${row.schemaname}.${row.tablename}`);
}

async function publicationCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const publication = requireString(node, input, 'publication');
  return withSource(node, input, ctx, async (client): Promise<NodeResult> => {
    const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
    if (version < LOGICAL_MIN_VERSION_NUM) {
      throw new NodeFailure(
        `node ${node.id}: the source runs PostgreSQL ${version}; engine logical needs a source on PostgreSQL 10 or later (use engine dms)`,
      );
    }
    const tables = await selectedTables(client, stringList(input, 'include'), stringList(input, 'exclude'));
    if (tables.length === 0) {
      throw new NodeFailure(
        `node ${node.id}: no table on the source matches include ${JSON.stringify(stringList(input, 'include'))}` +
          ` minus exclude ${JSON.stringify(stringList(input, 'exclude'))}`,
      );
    }
    // Once published, UPDATE and DELETE on a table without a replica identity fail on the source itself.
    const unidentified = tables.filter((table) => !table.identified).map((t) => `${t.schema}.${t.name}`);
    if (unidentified.length > 0) {
      throw new NodeFailure(
        `node ${node.id}: ${unidentified.join(', ')} ${unidentified.length === 1 ? 'has' : 'have'} no primary key or replica identity; ` +
          'published, their UPDATEs and DELETEs would fail on the source. Add a primary key, or ' +
          'ALTER TABLE … REPLICA IDENTITY FULL, or exclude them from the task',
      );
    }
    const existing = await client.query<{ puballtables: boolean }>(
      'SELECT puballtables FROM pg_publication WHERE pubname = $1',
      [publication],
    );
    const name = client.escapeIdentifier(publication);
    const list = tables.map((table) => qualified(client, table)).join(', ');
    if (existing.rowCount === 0) {
      await client.query(`CREATE PUBLICATION ${name} FOR TABLE ${list}`);
      return { status: 'succeeded', outputs: { publication, tables: tables.length } };
    }
    if (existing.rows[0]!.puballtables) {
      throw new NodeFailure(
        `node ${node.id}: publication ${publication} exists FOR ALL TABLES, which would replicate pgferry's own ` +
          `${PGFERRY_SCHEMA}.marker to a target that has no such table: drop it (pgferry abort) or rename the task`,
      );
    }
    // Adopt; a selection that changed since (a table created, a pattern edited) is brought up to date.
    const want = tables.map((table) => `${table.schema}.${table.name}`);
    const have = await publishedTables(client, publication);
    let note = `publication ${publication} exists: adopted`;
    if (want.join('\n') !== have.join('\n')) {
      await client.query(`ALTER PUBLICATION ${name} SET TABLE ${list}`);
      note = `publication ${publication} existed with other tables: set to ${want.length} tables`;
    }
    return { status: 'succeeded', outputs: { publication, tables: want.length, adopted: true }, note };
  });
}

async function publicationDrop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const publication = requireString(node, input, 'publication');
  return withSource(node, input, ctx, async (client): Promise<NodeResult> => {
    const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
    if (existing.rowCount === 0) {
      return { status: 'succeeded', outputs: { publication, dropped: false }, note: `${publication} is already gone` };
    }
    await client.query(`DROP PUBLICATION IF EXISTS ${client.escapeIdentifier(publication)}`);
    return { status: 'succeeded', outputs: { publication, dropped: true } };
  });
}

const byKind: Partial<Record<NodeKind, KindRun>> = {
  LogicalPublicationCreate: publicationCreate,
  LogicalPublicationDrop: publicationDrop,
};

async function probe(node: GraphNode, ctx: RunContext): Promise<DryRunProbe> {
  const input = await ctx.resolve(node.input);
  return withSource(node, input, ctx, async (client): Promise<DryRunProbe> => {
    const publication = requireString(node, input, 'publication');
    const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
    if (node.kind === 'LogicalPublicationDrop') {
      return { action: existing.rowCount === 0 ? 'skip' : 'run', detail: node.title };
    }
    if (existing.rowCount !== 0) return { action: 'adopt', detail: `publication ${publication} exists` };
    const tables = await selectedTables(client, stringList(input, 'include'), stringList(input, 'exclude'));
    return { action: 'create', detail: `${node.title}: ${tables.length} tables` };
  });
}

export const sourceSqlHandler: Handler = handlerByKind('source-sql', byKind, probe);
