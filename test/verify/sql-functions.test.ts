// The verifier runs on every source major pgferry supports, down to 9.5: every function its SQL calls
// must exist there. The list below is 9.5's (checked against its documentation); a new function in the
// verifier's SQL fails this test until someone confirms 9.5 has it or adds a version branch.

import { describe, expect, it } from 'vitest';
import { tableSql } from '../../verify/chunk-sql.js';
import { OBJECTS_SQL, SEQUENCES_SQL } from '../../verify/schema-compare.js';
import { COLUMNS_SQL, KEY_SQL } from '../../verify/tables.js';
import { column, tableInfo } from './support.js';

const IN_9_5 = new Set([
  'array_dims',
  'array_to_json',
  'coalesce',
  'count',
  'current_setting',
  'encode',
  'float8send',
  'format_type',
  'greatest',
  'md5',
  'pg_export_snapshot',
  'pg_get_constraintdef',
  'pg_get_expr',
  'pg_get_indexdef',
  'pg_get_triggerdef',
  'string_agg',
  'substr',
  'sum',
  'to_regclass',
  'unnest',
  'pg_current_xlog_location',
]);
// SQL syntax that looks like a call.
const SYNTAX = new Set([
  'bit', // the type bit(64)

  'row',
  'in',
  'any',
  'array',
  'exists',
  'values',
  'select',
  'k',
  'u',
  'and',
  'or',
  'as',
  'on',
  'from',
  'where',
  'over',
]);

function calls(sql: string): string[] {
  return [...sql.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase()).filter((f) => !SYNTAX.has(f));
}

describe('verifier SQL', () => {
  it('calls only functions PostgreSQL 9.5 has', () => {
    const columns = [
      column('id', 'int4', { notNull: true }),
      column('f', 'float8'),
      column('fa', '_float8', { element: 'float8', elementTyptype: 'b', elementSchema: 'pg_catalog' }),
      column('j', 'json'),
      column('cash', 'money'),
      column('t', 'text'),
    ];
    const info = tableInfo(columns);
    const others = new Map(columns.map((c) => [c.name, c.name === 'j' ? { ...c, base: 'jsonb' } : c]));
    const sql = tableSql(info, columns, others);
    const wide = tableSql(info, columns, others, 'row-md5');
    const keyless = tableSql({ ...info, key: [] }, columns, others);
    const range = { lo: ['1'], hi: ['9'] };
    const texts = [
      wide.summary(range, true).text,
      keyless.summary(range, true).text,
      sql.boundary(range, 10).text,
      sql.summary(range, true).text,
      sql.rowHashes(range).text,
      sql.rowTexts(['1']).text,
      sql.hashBuckets('a').text,
      sql.hashRows('ab').text,
      sql.rowTextsByHash('x').text,
      COLUMNS_SQL,
      KEY_SQL,
      OBJECTS_SQL,
      SEQUENCES_SQL,
    ];
    const used = [...new Set(texts.flatMap(calls))].sort();
    expect(used.filter((f) => !IN_9_5.has(f))).toEqual([]);
    expect(used).toContain('md5');
    expect(used).not.toContain('sha256');
  });

  it("calls, in the 'row-hash' form chosen only when both sides run 11 or later, 9.5's functions and 11's extended hashes", () => {
    const columns = [
      column('id', 'int4', { notNull: true }),
      ...[
        'int2',
        'int8',
        'numeric',
        'bool',
        'text',
        'varchar',
        'bpchar',
        'time',
        'timestamp',
        'timestamptz',
        'uuid',
        'float8',
      ].map((base) => column(`c_${base}`, base)),
    ];
    const info = tableInfo(columns);
    const others = new Map(columns.map((c) => [c.name, c]));
    const texts = [
      tableSql(info, columns, others, 'row-hash').summary({ lo: ['1'], hi: ['9'] }, true).text,
      tableSql({ ...info, key: [] }, columns, others, 'row-hash').summary({ lo: null, hi: null }, true).text,
    ];
    const used = [...new Set(texts.flatMap(calls))].sort();
    // Each added in PostgreSQL 11 (scale in 9.6).
    expect(used.filter((f) => !IN_9_5.has(f))).toEqual([
      'hash_numeric_extended',
      'hashbpcharextended',
      'hashint2extended',
      'hashint4extended',
      'hashint8extended',
      'hashtextextended',
      'scale',
      'time_hash_extended',
      'timestamp_hash_extended',
      'uuid_hash_extended',
    ]);
  });
});
