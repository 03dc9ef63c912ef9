// The 'row-hash' chunk form (PostgreSQL 11 and later on both sides) must find a chunk different exactly
// when the canonical texts the older forms hash are different: table-driven over pairs of column types
// and values, one table per case in two databases of one cluster, each chunk summary computed in both
// forms. A pair equal in one form and different in the other is a missed difference (or a false alarm
// that sends the verifier bisecting a chunk whose rows then compare equal).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateForm, tableSql } from '../../verify/chunk-sql.js';
import { Side } from '../../verify/side.js';
import { readTable } from '../../verify/tables.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { access, column, tableInfo } from './support.js';

interface Case {
  readonly name: string;
  /** Column type on the source and on the target. */
  readonly types: readonly [string, string];
  /** SQL literals of the value on the source and on the target. */
  readonly values: readonly [string, string];
  readonly equal: boolean;
}

const CASES: readonly Case[] = [
  { name: 'int equal', types: ['int4', 'int4'], values: ['5', '5'], equal: true },
  { name: 'int changed', types: ['int4', 'int4'], values: ['5', '6'], equal: false },
  { name: 'int4 to int8', types: ['int4', 'int8'], values: ['5', '5'], equal: true },
  { name: 'smallint to numeric', types: ['int2', 'numeric'], values: ['7', '7'], equal: true },
  { name: 'numeric scale widened', types: ['numeric', 'numeric'], values: ['1.5', '1.50'], equal: false },
  {
    name: 'numeric(28,6) truncation',
    types: ['numeric', 'numeric(28,6)'],
    values: ['1.1234567', '1.1234567'],
    equal: false,
  },
  { name: 'numeric equal', types: ['numeric', 'numeric(10,2)'], values: ['1.25', '1.25'], equal: true },
  { name: 'numeric NaN', types: ['numeric', 'numeric'], values: ["'NaN'", "'NaN'"], equal: true },
  { name: 'text NULL vs empty', types: ['text', 'text'], values: ['NULL', "''"], equal: false },
  { name: 'text trailing blank', types: ['text', 'text'], values: ["'a '", "'a'"], equal: false },
  { name: 'text case', types: ['text', 'text'], values: ["'Ab'", "'ab'"], equal: false },
  {
    name: 'text case, case-insensitive collation',
    types: ['text COLLATE ci', 'text COLLATE ci'],
    values: ["'Ab'", "'ab'"],
    equal: false,
  },
  { name: 'text to varchar', types: ['text', 'varchar(10)'], values: ["'x'", "'x'"], equal: true },
  { name: 'char padding', types: ['char(5)', 'char(8)'], values: ["'ab'", "'ab'"], equal: true },
  { name: 'char changed', types: ['char(5)', 'char(5)'], values: ["'ab'", "'ac'"], equal: false },
  { name: 'unicode', types: ['text', 'text'], values: ["'café ☕'", "'café ☕'"], equal: true },
  { name: 'bytea length', types: ['bytea', 'bytea'], values: ["'\\x00'", "'\\x0000'"], equal: false },
  { name: 'bool', types: ['bool', 'bool'], values: ['true', 'false'], equal: false },
  {
    name: 'uuid',
    types: ['uuid', 'uuid'],
    values: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'"],
    equal: false,
  },
  {
    name: 'timestamptz same instant',
    types: ['timestamptz', 'timestamptz'],
    values: ["'2024-01-01 00:00+00'", "'2024-01-01 01:00+01'"],
    equal: true,
  },
  {
    name: 'timestamptz shifted',
    types: ['timestamptz', 'timestamptz'],
    values: ["'2024-01-01 00:00+00'", "'2024-01-01 00:00+01'"],
    equal: false,
  },
  {
    name: 'timestamp to timestamptz',
    types: ['timestamp', 'timestamptz'],
    values: ["'2024-01-01 00:00'", "'2024-01-01 00:00+00'"],
    equal: false,
  },
  { name: 'timestamp infinity', types: ['timestamp', 'timestamp'], values: ["'infinity'", "'infinity'"], equal: true },
  { name: 'date', types: ['date', 'date'], values: ["'2024-02-29'", "'2024-03-01'"], equal: false },
  { name: 'time microsecond', types: ['time', 'time'], values: ["'10:00:00'", "'10:00:00.000001'"], equal: false },
  { name: 'float negative zero', types: ['float8', 'float8'], values: ["'-0'", "'0'"], equal: false },
  { name: 'float NaN', types: ['float8', 'float8'], values: ["'NaN'", "'NaN'"], equal: true },
  { name: 'float4 to float8', types: ['float4', 'float8'], values: ['0.1', '0.1'], equal: false },
  { name: 'jsonb number scale', types: ['jsonb', 'jsonb'], values: [`'{"a": 1.0}'`, `'{"a": 1.00}'`], equal: false },
  {
    name: 'json mapped to jsonb',
    types: ['json', 'jsonb'],
    values: [`'{"b": 1, "a": 2}'`, `'{"a": 2, "b": 1}'`],
    equal: true,
  },
  {
    name: 'interval spelled otherwise',
    types: ['interval', 'interval'],
    values: ["'1 day'", "'24 hours'"],
    equal: false,
  },
  { name: 'numeric array scale', types: ['numeric[]', 'numeric[]'], values: ["'{1.5}'", "'{1.50}'"], equal: false },
  { name: 'enum by label', types: ['mood', 'mood'], values: ["'happy'", "'happy'"], equal: true },
  { name: 'enum changed', types: ['mood', 'mood'], values: ["'happy'", "'sad'"], equal: false },
  { name: 'domain to its base', types: ['positive', 'int4'], values: ['3', '3'], equal: true },
  { name: 'inet mask', types: ['inet', 'inet'], values: ["'10.0.0.1'", "'10.0.0.1/32'"], equal: true },
  { name: 'bool NULL vs false', types: ['bool', 'bool'], values: ['NULL', 'false'], equal: false },
  { name: 'smallint', types: ['int2', 'int2'], values: ['-1', '1'], equal: false },
  { name: 'bigint NULL vs its negated position', types: ['int8', 'int8'], values: ['NULL', '-2'], equal: false },
  {
    name: 'uuid equal',
    types: ['uuid', 'uuid'],
    values: ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"],
    equal: true,
  },
  { name: 'char NULL vs blank', types: ['char(3)', 'char(3)'], values: ['NULL', "''"], equal: false },
  {
    name: 'timestamptz infinity',
    types: ['timestamptz', 'timestamptz'],
    values: ["'-infinity'", "'-infinity'"],
    equal: true,
  },
  { name: 'date infinity', types: ['date', 'date'], values: ["'infinity'", "'infinity'"], equal: true },
];

/** Values that only the row's fold tells apart: moved to another column, or to another row. */
const MOVED = [
  {
    table: 'swap_columns',
    columns: 'id int PRIMARY KEY, a text, b text',
    rows: ["(1, 'x', 'y')", "(1, 'y', 'x')"],
  },
  {
    table: 'swap_rows',
    columns: 'id int PRIMARY KEY, a text, n numeric',
    rows: ["(1, 'x', 1.5), (2, 'y', 2.5)", "(1, 'x', 2.5), (2, 'y', 1.5)"],
  },
] as const;

/** As wide as PostgreSQL allows (1,600 columns), every one numeric: two hashes each, folded in groups. */
const WIDEST = {
  table: 'widest',
  columns: `id int PRIMARY KEY, ${Array.from({ length: 1599 }, (_, i) => `n${i} numeric`).join(', ')}`,
  lastColumn: 'n1598',
};

// The enum is created in a different order in each database, so its labels have different OIDs there.
const CASE_INSENSITIVE = `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);`;
const SOURCE_SETUP = `${CASE_INSENSITIVE} CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE DOMAIN positive AS int4 CHECK (VALUE > 0);`;
const TARGET_SETUP = `${CASE_INSENSITIVE} CREATE TABLE filler (x int); CREATE TYPE mood AS ENUM ('sad', 'happy'); ALTER TYPE mood ADD VALUE 'angry';`;

const tableOf = (i: number) => `c${String(i).padStart(2, '0')}`;

describe.each([12, 16] as const)('row-hash chunk form, PostgreSQL %i', (major) => {
  let cluster: PgCluster;
  let source: Side;
  let target: Side;

  beforeAll(async () => {
    cluster = await startCluster({ major });
    await cluster.query('CREATE DATABASE hsrc');
    await cluster.query('CREATE DATABASE htgt');
    const sourceSql = [SOURCE_SETUP];
    const targetSql = [TARGET_SETUP];
    CASES.forEach((c, i) => {
      for (const [sql, side] of [
        [sourceSql, 0],
        [targetSql, 1],
      ] as const) {
        sql.push(
          `CREATE TABLE ${tableOf(i)} (id int PRIMARY KEY, v ${c.types[side]}); INSERT INTO ${tableOf(i)} VALUES (1, ${c.values[side]});`,
        );
      }
    });
    for (const [sql, row] of [
      [sourceSql, '1'],
      [targetSql, '2'],
    ] as const) {
      sql.push(
        `CREATE TABLE ${WIDEST.table} (${WIDEST.columns}); INSERT INTO ${WIDEST.table} (id, n0, ${WIDEST.lastColumn}) VALUES (1, 1.5, ${row});`,
      );
    }
    for (const moved of MOVED) {
      sourceSql.push(
        `CREATE TABLE ${moved.table} (${moved.columns}); INSERT INTO ${moved.table} VALUES ${moved.rows[0]};`,
      );
      targetSql.push(
        `CREATE TABLE ${moved.table} (${moved.columns}); INSERT INTO ${moved.table} VALUES ${moved.rows[1]};`,
      );
    }
    await cluster.query(sourceSql.join('\n'), [], 'hsrc');
    await cluster.query(targetSql.join('\n'), [], 'htgt');
    source = await Side.open('source', access(cluster, 'hsrc'), 1, 'row-hash test');
    target = await Side.open('target', access(cluster, 'htgt'), 1, 'row-hash test');
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await cluster?.stop();
  });

  async function summaries(table: number | string, form: AggregateForm): Promise<[string, string]> {
    const name = { schema: 'public', name: typeof table === 'number' ? tableOf(table) : table };
    const [mine, theirs] = await Promise.all([readTable(source, name), readTable(target, name)]);
    const byName = (columns: typeof mine.columns) => new Map(columns.map((column) => [column.name, column]));
    const sourceSql = tableSql(mine, mine.columns, byName(theirs.columns), form);
    const targetSql = tableSql(theirs, theirs.columns, byName(mine.columns), form);
    const all = { lo: null, hi: null };
    const [a, b] = await Promise.all([
      source.rows(sourceSql.summary(all, true).text, []),
      target.rows(targetSql.summary(all, true).text, []),
    ]);
    return [a[0]!.join('/'), b[0]!.join('/')];
  }

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s: row-hash and the text forms agree', async (_name, i) => {
    const expected = CASES[i]!.equal;
    for (const form of ['concat', 'row-md5', 'row-hash'] as const) {
      const [a, b] = await summaries(i, form);
      expect({ form, equal: a === b }).toEqual({ form, equal: expected });
    }
  });

  it.each(MOVED.map((moved) => moved.table))(
    '%s: a value moved to another column or row is a difference',
    async (table) => {
      for (const form of ['concat', 'row-md5', 'row-hash'] as const) {
        const [a, b] = await summaries(table, form);
        expect({ form, equal: a === b }).toEqual({ form, equal: false });
      }
    },
  );

  it('a row as wide as PostgreSQL allows is hashed, and its last column counts', async () => {
    for (const form of ['concat', 'row-md5', 'row-hash'] as const) {
      const [a, b] = await summaries(WIDEST.table, form);
      expect({ form, equal: a === b }).toEqual({ form, equal: false });
    }
  });
});

describe('row-hash SQL', () => {
  it('hashes the stored form of the types it can, and the canonical text of the others', () => {
    const mine = ['int4', 'numeric', 'text', 'float8', 'jsonb'].map((base, i) => column(`c${i}`, base));
    const info = tableInfo(mine);
    const sql = tableSql(info, mine, new Map(mine.map((c) => [c.name, c])), 'row-hash').summary(
      { lo: null, hi: null },
      true,
    ).text;
    const hashes = [
      'hashint4extended("c0"::pg_catalog.int4, 1), -1',
      'hash_numeric_extended("c1"::pg_catalog.numeric, 2), -2',
      'hashint4extended(scale("c1"), 2), -2',
      'hashtextextended(("c2"::pg_catalog.text) COLLATE "C", 3), -3',
      `hashtextextended((encode(float8send("c3"::float8), 'hex')) COLLATE "C", 4), -4`,
      'hashtextextended(("c4"::text) COLLATE "C", 5), -5',
    ];
    const folded = hashes.reduce((seed, hash) => `hashint8extended(coalesce(${hash}), ${seed})`, '0');
    expect(sql).toContain(`coalesce(sum(${folded}), 0)::text`);
    expect(sql).not.toMatch(/ORDER BY|md5/);
  });
});
