// The files a plan names (target.schema_objects.post_load_sql, cutover.post_load_sql, the PEM of
// target.ca_certificate), relative to the
// plan file. Reading goes through a reader so a caller can take them from somewhere other than the
// working tree: `pgferry diff --base REF` reads them from the same git revision as the plan.

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plan } from './model/plan.js';

export type PlanFileRead =
  | { readonly kind: 'file'; readonly content: Uint8Array }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not a file' };

/** Reads one file named in the plan, by the path exactly as the plan spells it. */
export type PlanFileReader = (path: string) => Promise<PlanFileRead>;

/** A file the plan names, as read: what `pgferry diff` compares besides the compiled output. */
export interface PlanFile {
  readonly path: string;
  readonly content: string;
}

/** Every path the plan names, each once, in plan order. */
export function planFilePaths(plan: Plan): string[] {
  const certificate = plan.target.ca_certificate;
  const pem = certificate !== null && 'pem' in certificate ? [certificate.pem] : [];
  return [...new Set([...plan.target.schema_objects.post_load_sql, ...plan.cutover.post_load_sql, ...pem])];
}

/** Files relative to `planDir` on disk (absolute paths as they are). */
export function workingTreeReader(planDir: string): PlanFileReader {
  return async (path) => {
    const absolute = resolve(planDir, path);
    try {
      if (!(await stat(absolute)).isFile()) return { kind: 'not a file' };
      return { kind: 'file', content: await readFile(absolute) };
    } catch {
      return { kind: 'missing' };
    }
  };
}

export async function readPlanFiles(plan: Plan, reader: PlanFileReader): Promise<Map<string, PlanFileRead>> {
  const out = new Map<string, PlanFileRead>();
  for (const path of planFilePaths(plan)) out.set(path, await reader(path));
  return out;
}
