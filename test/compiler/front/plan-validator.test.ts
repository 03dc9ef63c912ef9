import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planValidatorSource } from '../../../compiler/front/validator-source.js';

const generated = 'compiler/front/plan-validator.generated';

describe(generated, () => {
  it('is the standalone validator of the current schema', () => {
    const fresh = planValidatorSource();
    for (const [ext, text] of [
      ['.js', fresh.js],
      ['.d.ts', fresh.dts],
    ] as const) {
      const file = `${generated}${ext}`;
      if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(file, text);
      expect(
        readFileSync(file, 'utf8') === text,
        `${file} is stale: PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/front`,
      ).toBe(true);
    }
  });
});
