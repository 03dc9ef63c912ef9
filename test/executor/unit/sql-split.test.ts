import { describe, expect, it } from 'vitest';
import { needsAutocommit, splitSql } from '../../../executor/sql-split.js';

describe('splitSql', () => {
  it.each([
    ['SELECT 1; SELECT 2;', ['SELECT 1', 'SELECT 2']],
    ["SELECT ';'; SELECT 2", ["SELECT ';'", 'SELECT 2']],
    ['DO $x$ BEGIN PERFORM 1; END $x$; SELECT 3', ['DO $x$ BEGIN PERFORM 1; END $x$', 'SELECT 3']],
    ['-- a; comment\nSELECT 1; /* b; */ SELECT 2', ['-- a; comment\nSELECT 1', '/* b; */ SELECT 2']],
    ['SELECT "a;b" FROM t', ['SELECT "a;b" FROM t']],
    ['-- only a comment\n', []],
  ])('%j', (script, expected) => {
    expect(splitSql(script)).toEqual(expected);
  });

  it('knows which statements cannot run in a transaction', () => {
    expect(needsAutocommit('CREATE INDEX CONCURRENTLY i ON t (a);')).toBe(true);
    expect(needsAutocommit("ALTER SYSTEM SET work_mem = '8MB'")).toBe(true);
    expect(needsAutocommit('-- VACUUM later\nANALYZE;')).toBe(false);
    expect(needsAutocommit('CREATE INDEX i ON t (a); ANALYZE;')).toBe(false);
  });
});
