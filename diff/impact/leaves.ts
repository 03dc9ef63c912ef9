// Flattens JSON into `a.b.0.c` → value leaves, so a nested settings change reads as one line.

import { sameJson, show } from './consequence.js';

export function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: unknown, path: string): void => {
    if (node !== null && typeof node === 'object' && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) walk(child, path === '' ? key : `${path}.${key}`);
    } else {
      out.set(path, node);
    }
  };
  walk(value, prefix);
  return out;
}

/** `path: old → new` for every leaf that differs, sorted by path. */
export function leafChanges(before: unknown, after: unknown, prefix = ''): string[] {
  const a = leaves(before, prefix);
  const b = leaves(after, prefix);
  const all = [...new Set([...a.keys(), ...b.keys()])].sort();
  // An empty object or array on one side whose contents appear on the other is shown by those contents.
  const filledLater = (path: string) => all.some((other) => other.startsWith(`${path}.`));
  return all
    .filter((path) => !sameJson(a.get(path), b.get(path)))
    .filter((path) => !filledLater(path))
    .map((path) => `${path}: ${show(a.get(path))} → ${show(b.get(path))}`);
}
