// canonicalJson writes objects built in key order without copying them (the catalog's fast path): the
// bytes must be exactly those of a fully sorted copy, whatever mix of ordered and unordered objects,
// undefined members and non-plain objects the value holds.

import { describe, expect, it } from 'vitest';
import { canonicalJson, hashJson } from '../../contracts/canonical-json.js';

/** The definition: every object copied with its keys sorted and undefined members dropped. */
function reference(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reference);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = reference(child);
    }
    return out;
  }
  return value;
}

const cases: [string, unknown][] = [
  ['ordered keys', { a: 1, b: [1, 2], c: { d: null, e: 'x' } }],
  ['unordered keys', { b: 1, a: 2 }],
  ['an unordered object inside ordered ones', { a: { b: [{ z: 1, y: 2 }] }, c: 3 }],
  ['an undefined member in an ordered object', { a: 1, b: undefined, c: { d: undefined } }],
  ['an undefined member first', { a: undefined, b: { d: 2, c: 1 } }],
  ['undefined in an array', [1, undefined, { b: 1, a: 2 }]],
  ['integer-like keys', { '10': 'ten', '9': 'nine', a: { '2': 0, '1': 1 } }],
  ['a null-prototype object', Object.assign(Object.create(null), { b: 1, a: 2 })],
  ['a Date (not plain: written as {})', { at: new Date(0), z: [new Date(0)] }],
  [
    'a class instance',
    {
      x: new (class Point {
        y = 2;
        x = 1;
      })(),
    },
  ],
  ['empty containers', { a: {}, b: [], c: [{}] }],
  ['code units, not locale', { é: 1, e: 2, Z: 3, a: 4, '\u{1F600}': 5, '\uFFFF': 6 }],
  ['scalars', ['s', 0, -1.5, true, false, null]],
];

describe('canonicalJson', () => {
  it.each(cases)('%s: the same bytes as a sorted copy', (_name, value) => {
    expect(canonicalJson(value)).toBe(`${JSON.stringify(reference(value), null, 2)}\n`);
    expect(canonicalJson(value, 0)).toBe(JSON.stringify(reference(value)));
  });

  it('leaves the value it is given untouched', () => {
    const value = { b: { d: 1, c: undefined }, a: [{ y: 1, x: 2 }] };
    const before = JSON.stringify(value);
    canonicalJson(value);
    expect(JSON.stringify(value)).toBe(before);
    expect(Object.keys(value)).toEqual(['b', 'a']);
  });

  it('hashes objects with the same members alike, whatever their key order', () => {
    expect(hashJson({ a: 1, b: { c: 2, d: 3 } })).toBe(hashJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('refuses numbers JSON cannot hold, in ordered and unordered objects', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/cannot hold NaN/);
    expect(() => canonicalJson({ b: 1, a: [Number.POSITIVE_INFINITY] })).toThrow(/cannot hold Infinity/);
  });
});
