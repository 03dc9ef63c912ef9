import { describe, expect, it } from 'vitest';
import { leafChanges } from '../../diff/impact/leaves.js';

describe('leafChanges', () => {
  it.each([
    ['a scalar', { a: 1 }, { a: 2 }, ['a: 1 → 2']],
    ['a nested key appears', { s: { x: 1 } }, { s: { x: 1, y: 'z' } }, ['s.y: (unset) → z']],
    ['an empty list fills', { l: [] }, { l: [{ n: 'a' }] }, ['l.0.n: (unset) → a']],
    ['a list empties', { l: ['a'] }, { l: [] }, ['l.0: a → (unset)']],
    ['nothing changes', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, []],
  ])('%s', (_name, before, after, want) => {
    expect(leafChanges(before, after)).toEqual(want);
  });
});
