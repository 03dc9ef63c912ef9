// JSON Pointer → source span. Rules and the schema stage report by pointer into the resolved plan,
// whose shape mirrors the YAML, so this is the only place that knows about line numbers. A pointer to
// something the user did not write (a default) falls back to the nearest ancestor that exists.

import { isCollection, isMap, isScalar, type Node, type Pair } from 'yaml';
import type { Span } from '../diagnostics/diagnostic.js';
import { type SourceFile, spanOf } from './source-file.js';

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** One JSON Pointer segment (RFC 6901), so keys with `/` or `~` in them still point at the right place. */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapeSegment(String(s))}`).join('');
}

function pairAt(source: SourceFile, segments: readonly string[]): Pair | undefined {
  const parent = segments.length === 1 ? source.doc.contents : source.doc.getIn(segments.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = segments[segments.length - 1];
  return parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === last);
}

function rangeSpan(source: SourceFile, node: unknown): Span | null {
  const range = (node as Node | null)?.range;
  return range ? spanOf(source, range[0], range[1]) : null;
}

/**
 * Where `pointer` is written. Scalars underline the value; collections underline their key (a block
 * mapping has no better one-line anchor). With `key: true`, always the key (unknown-key diagnostics).
 */
export function locatePointer(source: SourceFile, pointer: string, options: { key?: boolean } = {}): Span | null {
  const segments = parsePointer(pointer);
  for (let n = segments.length; n > 0; n--) {
    const path = segments.slice(0, n);
    const pair = pairAt(source, path);
    if (pair) {
      const value = pair.value;
      if (!options.key && !isCollection(value)) {
        const span = rangeSpan(source, value);
        if (span) return span;
      }
      return rangeSpan(source, pair.key);
    }
    const node = source.doc.getIn(path, true);
    if (node) {
      const span = rangeSpan(source, node);
      if (span) return span;
    }
  }
  return rangeSpan(source, source.doc.contents);
}

/** The resolver's view: a pointer into the plan → span, or null when the file could not be parsed. */
export type Locate = (pointer: string) => Span | null;

export function locatorFor(source: SourceFile | null): Locate {
  return (pointer) => (source ? locatePointer(source, pointer) : null);
}
