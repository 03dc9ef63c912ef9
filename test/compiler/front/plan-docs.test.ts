import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('docs/plan-format.md', () => {
  it('is generated from the current schema (node scripts/plan-docs.mjs)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/plan-docs.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
