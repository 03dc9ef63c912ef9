// The module graph of the repo's TypeScript sources as the compiled JavaScript will load it: `import
// type` statements are erased, everything else (including `import { type A } from`, which
// verbatimModuleSyntax keeps as a bare import) loads its module, and so does a require() call. Used by the import-floor tests.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  readonly from: string;
  /** Repo-relative path of a source module, or a bare package specifier. */
  readonly to: string;
  readonly dynamic: boolean;
}

const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
/** `import('x')` as an expression; `typeof import('x')` is a type and erased. */
const DYNAMIC = /(?<!\btypeof\s+)\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
/** `require('x')`, and the agent's `requirePackage('x')` (agent/require-package.ts): loaded at once. */
const REQUIRE = /\brequire(?:Package)?\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Drops comments so an import written in a comment is not taken for one. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Where a specifier written in `fromFile` points: a repo-relative .ts path, or the bare specifier. */
export function resolveSpecifier(root: string, fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const target = resolve(dirname(join(root, fromFile)), specifier);
  const ts = target.replace(/\.js$/, '.ts');
  if (existsSync(ts)) return relative(root, ts);
  return relative(root, target);
}

export function importsOf(root: string, file: string): ImportEdge[] {
  const text = code(readFileSync(join(root, file), 'utf8'));
  const edges: ImportEdge[] = [];
  for (const match of text.matchAll(STATIC)) {
    if (match[1] !== undefined) continue; // `import type` / `export type`: erased
    edges.push({ from: file, to: resolveSpecifier(root, file, match[2]!), dynamic: false });
  }
  for (const match of text.matchAll(REQUIRE)) {
    edges.push({ from: file, to: resolveSpecifier(root, file, match[1]!), dynamic: false });
  }
  for (const match of text.matchAll(DYNAMIC)) {
    edges.push({ from: file, to: resolveSpecifier(root, file, match[1]!), dynamic: true });
  }
  return edges;
}

const isSource = (to: string) => to.endsWith('.ts');

/**
 * Every module the entries load before their first dynamic import runs: the static closure. Returns
 * the edges walked, so a failure can print the chain that reached a forbidden module.
 */
export function staticClosure(root: string, entries: readonly string[]): Map<string, ImportEdge | null> {
  const reached = new Map<string, ImportEdge | null>(entries.map((entry) => [entry, null]));
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const edge of importsOf(root, file)) {
      if (edge.dynamic || reached.has(edge.to)) continue;
      reached.set(edge.to, edge);
      if (isSource(edge.to)) queue.push(edge.to);
    }
  }
  return reached;
}

/** `a.ts → b.ts → @aws-sdk/x`: how the closure reached `module`. */
export function chainTo(closure: Map<string, ImportEdge | null>, module: string): string {
  const chain = [module];
  let edge = closure.get(module);
  while (edge) {
    chain.unshift(edge.from);
    edge = closure.get(edge.from);
  }
  return chain.join(' → ');
}
