// Canonical JSON: object keys sorted by code point, arrays in order, 2-space indent, trailing newline.
// Every JSON artifact and every hash goes through it, so output is byte-identical run after run and
// reordering keys in a plan changes nothing. For hashing, `canonicalJson(value, 0)` gives the compact
// form (RFC 8785-like for the values pgferry produces: strings, finite numbers, booleans, null).

import { createHash } from 'node:crypto';

/**
 * The value with every plain object's keys in code-point order and undefined members dropped. A plain
 * object whose keys are already in order and whose children need nothing is returned as it is, not
 * copied: writers that build their objects in key order (the catalog reader's 100,000 columns) then
 * cost no copy at all, and the output is the same either way.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const child = sortKeys(value[i]);
      if (child !== value[i]) {
        out ??= value.slice();
        out[i] = child;
      }
    }
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    return isPlain(record) && isOrdered(keys) ? withSortedChildren(record, keys) : copySorted(record);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`canonical JSON cannot hold ${value}`);
  }
  return value;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isOrdered(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return false;
  return true;
}

/** An object whose keys are in order: itself when no child changes and no member is undefined. */
function withSortedChildren(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child = record[key];
    const sorted = child === undefined ? undefined : sortKeys(child);
    if (out === null && sorted !== child) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = record[keys[j]!];
    }
    if (out !== null && sorted !== undefined) out[key] = sorted;
  }
  return out ?? record;
}

function copySorted(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const child = record[key];
    if (child !== undefined) out[key] = sortKeys(child);
  }
  return out;
}

export function canonicalJson(value: unknown, indent = 2): string {
  const text = JSON.stringify(sortKeys(value), null, indent);
  return indent === 0 ? text : `${text}\n`;
}

/** `sha256:<hex>` of a string's UTF-8 bytes. */
export function sha256(text: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** `sha256:<hex>` of the compact canonical JSON of a value. */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value, 0));
}
