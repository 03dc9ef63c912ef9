// Golden files: compared byte for byte; rewritten only with PGFERRY_UPDATE_GOLDEN=1. A missing golden
// fails and shows what it would contain.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(path: string, actual: string): void {
  if (process.env.PGFERRY_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`missing golden file ${path} (run with PGFERRY_UPDATE_GOLDEN=1); it would contain:\n${actual}`);
  }
  expect(actual, `golden ${path}`).toBe(readFileSync(path, 'utf8'));
}
