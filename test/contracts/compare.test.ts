import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareText } from '../../contracts/compare.js';

const root = new URL('../../', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('compareText', () => {
  it('orders by code point, whatever the locale', () => {
    expect(['B', 'a', '_x', 'A', '-x'].sort(compareText)).toEqual(['-x', 'A', 'B', '_x', 'a']);
  });

  it('is 0 only for equal strings', () => {
    expect(compareText('a', 'a')).toBe(0);
    expect(compareText('a', 'b')).toBe(-1);
    expect(compareText('b', 'a')).toBe(1);
  });
});

describe('deterministic output', () => {
  // The ICU locale differs between machines; sorted output must not, so no locale-aware compare.
  it.each(['compiler', 'contracts', 'diff', 'executor', 'agent', 'cli'])('%s/ has no localeCompare', (dir) => {
    const offenders = tsFiles(dir).filter((file) => readFileSync(join(root, file), 'utf8').includes('localeCompare'));
    expect(offenders).toEqual([]);
  });
});
