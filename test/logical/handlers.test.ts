// The logical engine's source-side handler on a real cluster: tables resolved from the selection at
// run time, a refusal for tables whose UPDATEs would fail once published, adoption on a second run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../contracts/graph.js';
import { sourceSqlHandler } from '../../executor/handlers/logical.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { connection, node, unitContext } from './unit-support.js';

let source: PgCluster;

function publicationNode(include: string[], exclude: string[] = []): GraphNode {
  return node('LogicalPublicationCreate', {
    source: connection(source),
    task: 't',
    publication: 'pgferry_t',
    include,
    exclude,
    sourceVersionNum: 160000,
  });
}

const published = async (cluster: PgCluster) =>
  (
    await cluster.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pgferry_t' ORDER BY 1", [], 'app')
  ).rows.map((row) => row.tablename as string);

describe('LogicalPublicationCreate on a real source', () => {
  beforeAll(async () => {
    source = await startCluster({ major: 16, settings: { wal_level: 'logical' } });
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
    const run = sourceSqlHandler.run(publicationNode(['public.%']), unitContext());
    await expect(run).rejects.toThrow(/public\.keyless has no primary key or replica identity/);
    expect(await published(source)).toEqual([]);
  });

  it('publishes the selection (REPLICA IDENTITY FULL is enough), then adopts and follows a changed selection', async () => {
    const node = publicationNode(['public.%'], ['public.keyless', 'public.b']);
    const first = await sourceSqlHandler.run(node, unitContext());
    expect(first).toMatchObject({ status: 'succeeded', outputs: { publication: 'pgferry_t', tables: 2 } });
    expect(await published(source)).toEqual(['a', 'wide']);

    const again = await sourceSqlHandler.run(node, unitContext());
    expect(again).toMatchObject({ status: 'succeeded', outputs: { adopted: true, tables: 2 } });

    const wider = await sourceSqlHandler.run(publicationNode(['public.%'], ['public.keyless']), unitContext());
    expect(wider).toMatchObject({ status: 'succeeded', outputs: { adopted: true, tables: 3 } });
    expect(await published(source)).toEqual(['a', 'b', 'wide']);
  });

  it("%.% never publishes pgferry's own marker table, and refuses an old FOR ALL TABLES publication", async () => {
    await source.query(
      'CREATE SCHEMA pgferry; CREATE TABLE pgferry.marker (id bigserial PRIMARY KEY, label text)',
      [],
      'app',
    );
    const everything = publicationNode(['%.%'], ['public.keyless']);
    const result = await sourceSqlHandler.run(everything, unitContext());
    expect(result).toMatchObject({ status: 'succeeded', outputs: { tables: 3 } });
    const schemas = await source.query(
      "SELECT DISTINCT schemaname FROM pg_publication_tables WHERE pubname = 'pgferry_t' ORDER BY 1",
      [],
      'app',
    );
    expect(schemas.rows.map((row) => row.schemaname)).toEqual(['public']);
    await source.query('DROP PUBLICATION pgferry_t; CREATE PUBLICATION pgferry_t FOR ALL TABLES', [], 'app');
    await expect(sourceSqlHandler.run(everything, unitContext())).rejects.toThrow(
      /exists FOR ALL TABLES, which would replicate pgferry's own pgferry\.marker/,
    );
    await source.query('DROP PUBLICATION pgferry_t; DROP SCHEMA pgferry CASCADE', [], 'app');
  });

  it('says which selection matched nothing', async () => {
    await expect(sourceSqlHandler.run(publicationNode(['nosuch.%']), unitContext())).rejects.toThrow(
      /no table on the source matches include \["nosuch\.%"\]/,
    );
  });
});
