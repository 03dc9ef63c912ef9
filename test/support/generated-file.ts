// Freshness of a file generated from the repository's own sources (precompiled templates and validators):
// the test fails when the checked-in file differs from fresh output, and PGFERRY_UPDATE_GOLDEN=1 rewrites
// it first. `regenerate` is the command the failure message tells the reader to run.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

export function expectGenerated(file: string, fresh: string, regenerate: string): void {
  const path = join(root, file);
  if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(path, fresh);
  expect(readFileSync(path, 'utf8') === fresh, `${file} is stale: ${regenerate}`).toBe(true);
}

/** A standalone validator module: `<name>.js` and its `<name>.d.ts` (contracts/ajv-standalone.ts). */
export function expectGeneratedModule(
  name: string,
  fresh: { readonly js: string; readonly dts: string },
  regenerate: string,
): void {
  expectGenerated(`${name}.js`, fresh.js, regenerate);
  expectGenerated(`${name}.d.ts`, fresh.dts, regenerate);
}
