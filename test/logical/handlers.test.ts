// The logical engine's source-side handler on a real cluster: tables resolved from the selection at
// run time, a refusal for tables whose UPDATEs would fail once published, adoption on a second run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../contracts/graph.js';
import { sourceSqlHandler } from '../../executor/handlers/logical.js';
import { Redactor } from '../../executor/redact.js';
import type { RunContext } from '../../executor/types.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';

let port = 0;

function publicationNode(include: string[], exclude: string[] = []): GraphNode {
  const source = { host: '127.0.0.1', port, database: 'app', user: 'postgres', password: '', sslMode: 'none' };
  return {
    id: 'logical.t.publication',
    kind: 'LogicalPublicationCreate',
    executor: 'source-sql',
    effect: 'write',
    phase: 'prepare',
    title: 'publish',
    requires: [],
    provides: [],
    idempotencyKey: 'k',
    input: {
      source,
      task: 't',
      publication: 'pgferry_t',
      allTables: false,
      include,
      exclude,
      sourceVersionNum: 160000,
    },
    compensation: null,
    finally: false,
    gate: null,
    origin: '/',
  };
}

function context(): RunContext {
  return {
    deployment: {
      plan: 'logical-unit',
      agent: null,
      target: null,
      databases: {},
      source: null,
      sequenceMargin: 0,
      region: null,
    },
    overrides: { target: null, source: null },
    redactor: new Redactor(),
    resolve: async <T>(value: T) => value,
  } as unknown as RunContext;
}

const published = async (cluster: PgCluster) =>
  (
    await cluster.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pgferry_t' ORDER BY 1", [], 'app')
  ).rows.map((row) => row.tablename as string);

describe('LogicalPublicationCreate on a real source', () => {
  let source: PgCluster;
  beforeAll(async () => {
    source = await startCluster({ major: 16, settings: { wal_level: 'logical' } });
    port = source.port;
    await source.query('CREATE DATABASE app');
    await source.query(
      `CREATE TABLE public.a (id int PRIMARY KEY);
       CREATE TABLE public.b (id int PRIMARY KEY);
       CREATE TABLE public.keyless (v text);
       CREATE TABLE public.wide (v text);
       ALTER TABLE public.wide REPLICA IDENTITY FULL;`,
      [],
      'app',
    );
  });
  afterAll(async () => {
    await source?.stop();
  });

  it('refuses tables without a primary key or replica identity, naming them', async () => {
    const run = sourceSqlHandler.run(publicationNode(['public.%']), context());
    await expect(run).rejects.toThrow(/public\.keyless has no primary key or replica identity/);
    expect(await published(source)).toEqual([]);
  });

  it('publishes the selection (REPLICA IDENTITY FULL is enough), then adopts and follows a changed selection', async () => {
    const node = publicationNode(['public.%'], ['public.keyless', 'public.b']);
    const first = await sourceSqlHandler.run(node, context());
    expect(first).toMatchObject({ status: 'succeeded', outputs: { publication: 'pgferry_t', tables: 2 } });
    expect(await published(source)).toEqual(['a', 'wide']);

    const again = await sourceSqlHandler.run(node, context());
    expect(again).toMatchObject({ status: 'succeeded', outputs: { adopted: true, tables: 2 } });

    const wider = await sourceSqlHandler.run(publicationNode(['public.%'], ['public.keyless']), context());
    expect(wider).toMatchObject({ status: 'succeeded', outputs: { adopted: true, tables: 3 } });
    expect(await published(source)).toEqual(['a', 'b', 'wide']);
  });

  it('says which selection matched nothing', async () => {
    await expect(sourceSqlHandler.run(publicationNode(['nosuch.%']), context())).rejects.toThrow(
      /no table on the source matches include \["nosuch\.%"\]/,
    );
  });
});
