// Canonical JSON: object keys sorted by code point, arrays in order, 2-space indent, trailing newline.
// Every JSON artifact and every hash goes through it, so output is byte-identical run after run and
// reordering keys in a plan changes nothing. For hashing, `canonicalJson(value, 0)` gives the compact
// form (RFC 8785-like for the values pgferry produces: strings, finite numbers, booleans, null).

import { createHash } from 'node:crypto';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = sortKeys(child);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`canonical JSON cannot hold ${value}`);
  }
  return value;
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
