// The verifier's oldest path: a PostgreSQL 10 source (the oldest major the test binaries provide; the
// SQL uses only functions 9.5 has, checked in sql-functions.test.ts) against a 16 target. Floats print
// differently on 10 and 16, so they are compared by their bits; a run interrupted by a lost connection
// resumes from its checkpoint; rolling mode reports only differences that persist.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableResult } from '../../verify/report-types.js';
import type { ProgressSink } from '../../verify/verify-database.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { createDatabase, located, onBoth, table, verify } from './support.js';

const SCHEMA = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE measures (id bigint PRIMARY KEY, f float8, r real, fa float8[], n numeric, at timestamptz, m mood, j jsonb);
INSERT INTO measures SELECT g, g / 7.0, g / 3.0, ARRAY[(g / 9.0)::float8, 'NaN', '-Infinity'], g / 11.0,
  timestamptz '2020-01-01 00:00+05' + g * interval '1 minute', 'ok', jsonb_build_object('k', g)
  FROM generate_series(1, 20000) g;
INSERT INTO measures VALUES (0, 'NaN', 'Infinity', '{}', 'NaN', '-infinity', NULL, 'null');
CREATE TABLE names (code char(4), lang text, label text, PRIMARY KEY (code, lang));
INSERT INTO names SELECT lpad(g::text, 4, '0'), l, 'Ünïcødé ' || g FROM generate_series(1, 300) g, unnest(ARRAY['de', 'fr']) l;
CREATE TABLE parts (id int, region text NOT NULL, qty int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE parts_eu PARTITION OF parts FOR VALUES IN ('eu');
CREATE TABLE parts_us PARTITION OF parts FOR VALUES IN ('us');
INSERT INTO parts SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(1, 500) g;
ANALYZE;
`;

// PostgreSQL 10 cannot put a primary key on a partitioned table: the key lives on each partition.
const SCHEMA_10 = SCHEMA.replace(
  'CREATE TABLE parts (id int, region text NOT NULL, qty int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);',
  'CREATE TABLE parts (id int NOT NULL, region text NOT NULL, qty int) PARTITION BY LIST (region);',
)
  .replace("FOR VALUES IN ('eu');", "FOR VALUES IN ('eu'); ALTER TABLE parts_eu ADD PRIMARY KEY (id, region);")
  .replace("FOR VALUES IN ('us');", "FOR VALUES IN ('us'); ALTER TABLE parts_us ADD PRIMARY KEY (id, region);");

describe('verify: PostgreSQL 10 source, 16 target', () => {
  let source: PgCluster;
  let target: PgCluster;
  let dir: string;

  beforeAll(async () => {
    [source, target] = await Promise.all([startCluster({ major: 10 }), startCluster({ major: 16 })]);
    await createDatabase(source, target, 'app');
    await source.query(SCHEMA_10, [], 'app');
    await target.query(SCHEMA_10, [], 'app');
    dir = await mkdtemp(join(tmpdir(), 'pgferry-verify-'));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('equal data verifies clean across majors (floats by their bits, char(n), partitions)', async () => {
    const report = await verify(source, target, 'app', { chunkRows: 2000 });
    const db = report.databases[0]!;
    expect(db.tables.map((t) => [t.table, t.sourceRows, t.mismatches, t.error])).toEqual([
      ['public.measures', 20001, 0, null],
      ['public.names', 600, 0, null],
      ['public.parts_eu', 250, 0, null],
      ['public.parts_us', 250, 0, null],
    ]);
    expect(db.schema).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('locates differences on the 9.x path', async () => {
    await target.query(
      `UPDATE measures SET f = f + 1e-12 WHERE id = 700;
       UPDATE measures SET at = at + interval '5 hours' WHERE id = 701;
       UPDATE names SET label = 'Unicode 9' WHERE code = '0009' AND lang = 'fr';
       DELETE FROM parts_us WHERE id = 99;`,
      [],
      'app',
    );
    const db = (await verify(source, target, 'app', { chunkRows: 2000 })).databases[0]!;
    expect(located(table(db, 'public.measures'))).toEqual(['different 700 f', 'different 701 at']);
    expect(located(table(db, 'public.names'))).toEqual(['different 0009/fr label']);
    expect(located(table(db, 'public.parts_us'))).toEqual(['missing 99/us']);
  });

  it('resumes from the checkpoint after the target went away mid-run', async () => {
    const file = join(dir, 'verify-app.json');
    let chunks = 0;
    let killed: Promise<void> | null = null;
    const killer: ProgressSink = {
      planned: () => undefined,
      // Awaited by the verifier: from the 8th chunk on every finished chunk holds its slot until the
      // target is gone, so no chunk starts in between (the run cannot outpace the kill).
      rows: () => {
        chunks += 1;
        if (chunks === 8) killed = target.kill();
        return killed ?? undefined;
      },
      tableDone: () => undefined,
    };
    const options = { chunkRows: 500, jobs: 1, tables: ['measures'], checkpointFile: () => file };
    await expect(verify(source, target, 'app', { ...options, progress: killer })).rejects.toThrow(
      /lost the connection to the target database app/,
    );
    await killed;
    expect((await stat(file)).size).toBeGreaterThan(0);
    await target.start();

    const resumed = (await verify(source, target, 'app', options)).databases[0]!;
    expect(resumed.resumedChunks).toBeGreaterThanOrEqual(8);
    const fresh = (await verify(source, target, 'app', { ...options, checkpointFile: () => null })).databases[0]!;
    expect(fresh.resumedChunks).toBe(0);
    const summary = (t: TableResult) => [t.sourceRows, t.targetRows, t.chunks, t.mismatches, located(t)];
    expect(summary(table(resumed, 'public.measures'))).toEqual(summary(table(fresh, 'public.measures')));
    expect(located(table(resumed, 'public.measures'))).toEqual(['different 700 f', 'different 701 at']);
    // A completed run leaves nothing to resume.
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('rolling mode re-checks mismatching chunks and reports only what persists', async () => {
    await onBoth(source, target, 'app', 'CREATE TABLE feed (id int PRIMARY KEY, v text)');
    await source.query("INSERT INTO feed SELECT g, 'v' || g FROM generate_series(1, 3000) g", [], 'app');
    await target.query("INSERT INTO feed SELECT g, 'v' || g FROM generate_series(1, 2990) g", [], 'app');
    await target.query("UPDATE feed SET v = 'stale' WHERE id = 5", [], 'app');
    // Replication "catches up" between the first pass and the re-check: the late rows arrive, the
    // changed row stays changed.
    const catchUp: ProgressSink = {
      planned: () => undefined,
      rows: () => undefined,
      tableDone: async () => {
        await target.query("INSERT INTO feed SELECT g, 'v' || g FROM generate_series(2991, 3000) g", [], 'app');
      },
    };
    const first = await verify(source, target, 'app', { tables: ['feed'], schema: false, progress: catchUp });
    expect(table(first.databases[0]!, 'public.feed').mismatches).toBe(11);
    await target.query('DELETE FROM feed WHERE id > 2990', [], 'app');
    const rolling = await verify(source, target, 'app', {
      tables: ['feed'],
      schema: false,
      progress: catchUp,
      rolling: { rounds: 2, drainTimeoutMs: 1000, pollMs: 50 },
    });
    expect(rolling.rolling).toBe(true);
    const feed = table(rolling.databases[0]!, 'public.feed');
    expect(located(feed)).toEqual(['different 5 v']);
    expect(feed.mismatches).toBe(1);
  });
});
