import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planValidatorSource } from '../../../compiler/front/validator-source.js';

const generated = 'compiler/front/plan-validator.generated.ts';

describe(generated, () => {
  it('is the standalone validator of the current schema', () => {
    const fresh = planValidatorSource();
    if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(generated, fresh);
    expect(
      readFileSync(generated, 'utf8') === fresh,
      `${generated} is stale: PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/front`,
    ).toBe(true);
  });
});
