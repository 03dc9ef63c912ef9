// The verifier on real clusters (PostgreSQL 16 source, 18 target): equal data with awkward types
// verifies clean; a corpus of differences injected on the target is each detected and located to the
// key and the column; the failures that must never pass for success say what and where.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalExpression, rowTextExpression } from '../../verify/canonical.js';
import { VerifyError } from '../../verify/errors.js';
import { renderReport } from '../../verify/render.js';
import type { DatabaseReport } from '../../verify/report-types.js';
import { Side } from '../../verify/side.js';
import { displayName, listTables, qualified, readTable } from '../../verify/tables.js';
import { WIDE_ROW_BYTES } from '../../verify/verify-database.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { access, createDatabase, located, onBoth, table, verify } from './support.js';

// Awkward but equal: NaN and infinities, long and unicode text, composite/text/uuid keys, a partitioned
// table, char(n), arrays with NULLs, ranges, intervals, a keyless table.
const CLEAN_SCHEMA = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE floats (id int PRIMARY KEY, f float8, r real, n numeric, fa float8[]);
INSERT INTO floats VALUES
  (1, 'NaN', 'NaN', 'NaN', '{NaN,1.5}'), (2, 'Infinity', '-Infinity', 0, '{}'), (3, '-Infinity', 'Infinity', -0.000001, NULL),
  (4, 0.1, 0.1, 123456789012345678901234567890.123456789, '{0.1,NULL,-0}'), (5, -0.0, 1e-38, 1.50, '{{1,2},{3,4}}');
CREATE TABLE texts (k text PRIMARY KEY, body text, c char(6), v varchar(20));
INSERT INTO texts SELECT 'key-' || g, repeat('ä€😀', 20000 + g), 'ab', '' FROM generate_series(1, 30) g;
INSERT INTO texts VALUES ('e\u0301', 'combining', NULL, NULL), ('', 'empty key', 'x', 'nul''l\\');
CREATE TABLE pairs (a text, b int, val mood, span int4range, took interval, at timestamptz, day date, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT chr(65 + g % 26), g, (ARRAY['sad','ok','happy'])[1 + g % 3]::mood, int4range(g, g + 10),
  make_interval(secs => g * 1.5), timestamptz '2024-03-31 01:30:00+01' + g * interval '37 minutes', date '2000-02-28' + g
  FROM generate_series(1, 2500) g;
INSERT INTO pairs VALUES ('inf', 0, NULL, 'empty', '-1 day', 'infinity', '-infinity');
CREATE TABLE tokens (id uuid PRIMARY KEY, payload jsonb, raw json, blob bytea, flags bool[]);
INSERT INTO tokens SELECT md5(g::text)::uuid, jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x', NULL)),
  '{"b": 1,  "a": [1, 2]}', decode(repeat(md5(g::text), 50), 'hex'), ARRAY[g % 2 = 0, NULL]
  FROM generate_series(1, 1200) g;
CREATE TABLE events (id bigint, at date NOT NULL, what text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events SELECT g, date '2023-06-01' + g, 'e' || g FROM generate_series(1, 400) g;
CREATE TABLE journal_lines (a int, b text);
INSERT INTO journal_lines SELECT g % 7, 'line' FROM generate_series(1, 50) g;
ANALYZE;
`;

// The corpus: one schema, the same rows on both sides, then one difference of each kind on the target.
const DIRTY_SCHEMA = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE invoice_no;
SELECT setval('invoice_no', 500);
CREATE TABLE amounts (id int PRIMARY KEY, price numeric);
INSERT INTO amounts VALUES (1, 1.5), (2, 2), (3, 0.1234567);
CREATE TABLE items (id int PRIMARY KEY, body text, note text, price numeric, f float8, ts timestamp,
  tstz timestamptz, j json, jb jsonb, blob bytea, tags int[], m mood, ok bool, extra text,
  CONSTRAINT price_positive CHECK (price > 0));
CREATE INDEX items_note ON items (note);
INSERT INTO items SELECT g, 'body ' || g, 'note ' || g, g + 0.5, g / 3.0, timestamp '2024-01-01 12:00' + g * interval '1 hour',
  timestamptz '2024-01-01 12:00+00' + g * interval '1 minute', json_build_object('g', g), jsonb_build_object('g', g),
  decode(repeat(md5(g::text), 64), 'hex'), ARRAY[g, g + 1], 'ok', true, 'x'
  FROM generate_series(1, 5000) g;
CREATE TABLE children (id int PRIMARY KEY, item_id int REFERENCES items (id));
INSERT INTO children SELECT g, g FROM generate_series(1, 10) g;
CREATE TABLE ledger (amount numeric, memo text);
INSERT INTO ledger SELECT g, 'memo' FROM generate_series(1, 20) g;
CREATE TABLE by_uuid (id uuid PRIMARY KEY, v int);
INSERT INTO by_uuid SELECT md5(g::text)::uuid, g FROM generate_series(1, 100) g;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE PROCEDURE touch();
CREATE TABLE only_source (id int PRIMARY KEY);
-- Rows of ~3 KiB of incompressible bytes: wide enough that a chunk hashes its rows' md5s (row-md5 form).
CREATE TABLE scans (id int PRIMARY KEY, image bytea);
INSERT INTO scans SELECT g, (SELECT decode(string_agg(md5(g || '-' || i), ''), 'hex') FROM generate_series(1, 200) i)
  FROM generate_series(1, 300) g;
ANALYZE;
`;

const INJECT = `
DELETE FROM children WHERE id = 3;
DELETE FROM items WHERE id = 3;
INSERT INTO items (id, body, note, price, f, ts, tstz, j, jb, blob, tags, m, ok, extra)
  SELECT 9001, body, note, price, f, ts, tstz, j, jb, blob, tags, m, ok, extra FROM items WHERE id = 1;
UPDATE items SET body = 'changed' WHERE id = 10;
UPDATE items SET price = 11.5000 WHERE id = 11;
UPDATE items SET f = f + 1e-12 WHERE id = 12;
UPDATE items SET ts = ts + interval '2 hours' WHERE id = 13;
UPDATE items SET tstz = tstz + interval '1 second' WHERE id = 14;
UPDATE items SET j = '{"g": 15, "x": 1}' WHERE id = 15;
UPDATE items SET jb = '{"g": 16.0}' WHERE id = 16;
UPDATE items SET blob = blob || '\\x00'::bytea WHERE id = 17;
UPDATE items SET tags = ARRAY[18] WHERE id = 18;
UPDATE items SET m = 'happy' WHERE id = 19;
UPDATE items SET note = '' WHERE id = 20;
UPDATE items SET note = NULL WHERE id = 21;
UPDATE items SET blob = substring(blob FROM 1 FOR 64) WHERE id = 22;
UPDATE items SET ok = false WHERE id = 23;
DELETE FROM by_uuid WHERE v = 42;
UPDATE scans SET image = overlay(image PLACING '\\x00'::bytea FROM 100) WHERE id = 7;
DELETE FROM scans WHERE id = 250;
INSERT INTO ledger VALUES (7, 'memo');
SELECT setval('invoice_no', 10);
DROP INDEX items_note;
ALTER TABLE children DROP CONSTRAINT children_item_id_fkey;
ALTER TABLE items DROP CONSTRAINT price_positive;
DROP TRIGGER items_touch ON items;
ALTER TABLE items DROP COLUMN extra;
DROP TABLE only_source;
`;

describe('verify: PostgreSQL 16 source, 18 target', () => {
  let source: PgCluster;
  let target: PgCluster;
  let dirty: DatabaseReport;

  beforeAll(async () => {
    [source, target] = await Promise.all([startCluster({ major: 16 }), startCluster({ major: 18 })]);
    await createDatabase(source, target, 'clean');
    await createDatabase(source, target, 'dirty');
    await onBoth(source, target, 'clean', CLEAN_SCHEMA);
    await onBoth(source, target, 'dirty', DIRTY_SCHEMA);
    // numeric scale loss: the column is NUMERIC(28,6) on the target (what DMS does to unbounded NUMERIC).
    await target.query('ALTER TABLE amounts ALTER COLUMN price TYPE numeric(28,6)', [], 'dirty');
    await target.query(INJECT, [], 'dirty');
    const report = await verify(source, target, 'dirty', { tables: ['public.%'] });
    dirty = report.databases[0]!;
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it.each(['count', 'checksum', 'rows'] as const)('equal awkward data verifies clean in %s mode', async (mode) => {
    // rows mode compares row by row, so it needs a key: the keyless table is left to the other modes.
    const tables = mode === 'rows' ? ['events%', 'floats', 'pairs', 'texts', 'tokens'] : [];
    const report = await verify(source, target, 'clean', { mode, chunkRows: 300, tables });
    const db = report.databases[0]!;
    expect(db.tables.map((t) => [t.table, t.check, t.mismatches, t.error])).toEqual([
      ['public.events_2023', 'keyed', 0, null],
      ['public.events_2024', 'keyed', 0, null],
      ['public.floats', 'keyed', 0, null],
      ...(mode === 'rows' ? [] : [['public.journal_lines', 'keyless', 0, null]]),
      ['public.pairs', 'keyed', 0, null],
      ['public.texts', 'keyed', 0, null],
      ['public.tokens', 'keyed', 0, null],
    ]);
    expect(db.schema).toEqual([]);
    expect(report.ok).toBe(true);
    expect(table(db, 'public.pairs').chunks).toBe(9);
    expect(table(db, 'public.pairs').sourceRows).toBe(2501);
  });

  it('locates every injected row difference to its key and column', () => {
    const items = table(dirty, 'public.items');
    expect(items.sourceRows).toBe(5000);
    expect(items.targetRows).toBe(5000);
    expect(located(items).sort()).toEqual(
      [
        'missing 3',
        'extra 9001',
        'different 10 body',
        'different 11 price',
        'different 12 f',
        'different 13 ts', // a timestamp shifted by a time zone
        'different 14 tstz',
        'different 15 j',
        'different 16 jb',
        'different 17 blob',
        'different 18 tags',
        'different 19 m',
        'different 20 note', // 'note 20' -> ''
        'different 21 note', // 'note 21' -> NULL
        'different 22 blob', // a truncated LOB
        'different 23 ok',
      ].sort(),
    );
    expect(items.mismatches).toBe(16);
    const price = items.differences.find((d) => d.key?.id === '11')!;
    expect(price.columns).toEqual([{ column: 'price', source: '11.5', target: '11.5000' }]);
    // NUMERIC(28,6) on the target (what DMS makes of an unbounded NUMERIC): value and scale both count.
    const amounts = table(dirty, 'public.amounts');
    expect(amounts.differences.map((d) => d.columns[0])).toEqual([
      { column: 'price', source: '1.5', target: '1.500000' },
      { column: 'price', source: '2', target: '2.000000' },
      { column: 'price', source: '0.1234567', target: '0.123457' },
    ]);
    const nullNote = items.differences.find((d) => d.key?.id === '21')!;
    expect(nullNote.columns).toEqual([{ column: 'note', source: 'note 21', target: null }]);
  });

  it('NULL and the empty string differ', async () => {
    await onBoth(
      source,
      target,
      'clean',
      `CREATE TABLE blanks (id int PRIMARY KEY, v text); INSERT INTO blanks VALUES (1, '')`,
    );
    await target.query('UPDATE blanks SET v = NULL', [], 'clean');
    const report = await verify(source, target, 'clean', { tables: ['blanks'] });
    expect(located(table(report.databases[0]!, 'public.blanks'))).toEqual(['different 1 v']);
    await onBoth(source, target, 'clean', 'DROP TABLE blanks');
  });

  it('finds a missing row by uuid key and a duplicated row in a keyless table (a weaker check)', () => {
    expect(located(table(dirty, 'public.by_uuid'))).toEqual([`missing ${md5uuid(42)}`]);
    const ledger = table(dirty, 'public.ledger');
    expect(ledger.check).toBe('keyless');
    expect(ledger.mismatches).toBe(1);
    expect(ledger.differences).toEqual([
      {
        kind: 'extra',
        key: null,
        copies: 1,
        columns: [
          { column: 'amount', source: null, target: '7' },
          { column: 'memo', source: null, target: 'memo' },
        ],
      },
    ]);
    expect(located(table(dirty, 'public.children'))).toEqual(['missing 3']);
  });

  it("locates differences in wide rows, whose chunks hash their rows' md5s", async () => {
    const width = await source.query(
      "SELECT pg_table_size('scans') / reltuples AS w FROM pg_class WHERE oid = 'scans'::regclass",
      [],
      'dirty',
    );
    expect(Number(width.rows[0].w)).toBeGreaterThan(WIDE_ROW_BYTES);
    expect(located(table(dirty, 'public.scans')).sort()).toEqual(['different 7 image', 'missing 250']);
  });

  it('a record field without ::text prints as the field of its ::text, but for the types whose cast is a function', async () => {
    const side = await Side.open('source', access(source, 'clean'), 1, 'pgferry-test');
    try {
      for (const name of await listTables(side, 'true')) {
        const info = await readTable(side, name);
        const others = new Map(info.columns.map((c) => [c.name, c]));
        const fields = rowTextExpression(info.columns, others);
        const casts = `ROW(${info.columns.map((c) => canonicalExpression(c, others.get(c.name))).join(', ')})::text`;
        const [row] = await side.rows(
          `SELECT count(*)::text, count(*) FILTER (WHERE ${fields} IS DISTINCT FROM ${casts})::text FROM ${qualified(info)}`,
        );
        expect([displayName(name), Number(row![0]) > 0, row![1]]).toEqual([displayName(name), true, '0']);
      }
      // Why those types keep their cast: without it their record field prints differently.
      const [differ] = await side.rows(
        `SELECT ROW(true)::text <> ROW(true::text)::text, ROW('ab'::char(4))::text <> ROW('ab'::char(4)::text)::text,
                ROW('10.0.0.1/32'::inet)::text <> ROW('10.0.0.1/32'::inet::text)::text`,
      );
      expect(differ).toEqual(['t', 't', 't']);
    } finally {
      await side.close();
    }
  });

  it('reports schema and sequence differences, naming what should have created them', () => {
    const kinds = dirty.schema.map((d) => `${d.kind} ${d.table ?? '-'} ${d.object}`);
    expect(kinds.sort()).toEqual(
      [
        'column-missing public.items extra',
        'column-type public.amounts price',
        'constraint-missing public.children foreign key children_item_id_fkey',
        'constraint-missing public.items check constraint price_positive',
        'index-missing public.items index items_note',
        'trigger-missing public.items trigger items_touch',
        'sequence-behind - public.invoice_no',
      ].sort(),
    );
    const index = dirty.schema.find((d) => d.kind === 'index-missing')!;
    expect(index.hint).toContain('post_load_sql (sql/post-data.sql) should have created it');
    const sequence = dirty.schema.find((d) => d.kind === 'sequence-behind')!;
    expect([sequence.source, sequence.target]).toEqual(['500', '10']);
  });

  it('a table missing on the target is an error naming it, never a success', () => {
    const missing = table(dirty, 'public.only_source');
    expect(missing.check).toBe('error');
    expect(missing.error).toBe('table public.only_source is missing on the target database dirty');
    expect(dirty.errors).toBe(1);
  });

  it('renders text and markdown reports that name every difference', async () => {
    const report = await verify(source, target, 'dirty', { tables: ['public.items', 'public.ledger'] });
    expect(report.ok).toBe(false);
    const text = renderReport(report, 'text');
    expect(text).toContain('public.items: different id=11: price "11.5" -> "11.5000"');
    expect(text).toContain('public.items: missing on target id=3');
    expect(text).toMatch(/MISMATCH: \d+ difference/);
    const markdown = renderReport(report, 'markdown');
    expect(markdown).toContain('| public.ledger | keyless | 20 | 21 | 1 | 1 |');
    expect(markdown).toContain('### Schema and sequences');
  });

  it('count mode finds missing and extra rows but not changed values', async () => {
    const report = await verify(source, target, 'dirty', { mode: 'count', tables: ['public.items'], schema: false });
    expect(located(table(report.databases[0]!, 'public.items')).sort()).toEqual(['extra 9001', 'missing 3']);
  });

  it('says what is wrong when a side cannot be used', async () => {
    // An unreachable target.
    await expect(
      verify(source, target, 'clean', {
        pairs: [
          { source: access(source, 'clean'), target: { ...access(target, 'clean'), port: 1 }, selection: 'true' },
        ],
      }),
    ).rejects.toThrow(/cannot connect to the target database clean at 127\.0\.0\.1:1 as postgres/);
    // A role without SELECT on a table.
    await source.query('CREATE ROLE reader LOGIN', [], 'clean');
    await source.query('GRANT SELECT ON floats TO reader', [], 'clean');
    const denied = await verify(source, target, 'clean', {
      pairs: [{ source: access(source, 'clean', 'reader'), target: access(target, 'clean'), selection: 'true' }],
      tables: ['floats', 'texts'],
    });
    expect(denied.ok).toBe(false);
    expect(table(denied.databases[0]!, 'public.floats').error).toBeNull();
    expect(table(denied.databases[0]!, 'public.texts').error).toMatch(
      /^permission denied on the source database clean, table public.texts: the verifying role needs SELECT/,
    );
    // A type with no canonical form, and a keyless table in rows mode.
    await onBoth(source, target, 'clean', 'CREATE TABLE positions (id int PRIMARY KEY, lsn pg_lsn)');
    const noForm = await verify(source, target, 'clean', { tables: ['positions', 'journal_lines'], mode: 'rows' });
    const positions = table(noForm.databases[0]!, 'public.positions');
    expect(positions.error).toMatch(
      /^source database clean, table public.positions: column lsn has type pg_lsn, which has no canonical form/,
    );
    expect(positions.column).toBe('lsn');
    expect(table(noForm.databases[0]!, 'public.journal_lines').error).toMatch(
      /^table public.journal_lines in database clean has no comparable key/,
    );
    expect(noForm.ok).toBe(false);
    await onBoth(source, target, 'clean', 'DROP TABLE positions');
    await expect(verify(source, target, 'clean', { tables: ['nothing_like_this'] })).rejects.toThrow(VerifyError);
  });
});

function md5uuid(n: number): string {
  const hex = createHash('md5').update(String(n)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
