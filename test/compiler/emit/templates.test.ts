import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { precompiledTemplatesSource } from '../../../compiler/emit/templates-source.js';

const generated = 'compiler/emit/templates.generated.ts';

describe(generated, () => {
  it('holds every template of compiler/emit/templates, precompiled', () => {
    const fresh = precompiledTemplatesSource();
    if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(generated, fresh);
    expect(
      readFileSync(generated, 'utf8') === fresh,
      `${generated} is stale: PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/emit`,
    ).toBe(true);
  });
});
