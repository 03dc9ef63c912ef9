import { describe, it } from 'vitest';
import { planValidatorSource } from '../../../compiler/front/validator-source.js';
import { expectGeneratedModule } from '../../support/generated-file.js';

const generated = 'compiler/front/plan-validator.generated';

describe(generated, () => {
  it('is the standalone validator of the current schema', () => {
    expectGeneratedModule(
      generated,
      planValidatorSource(),
      'PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/front',
    );
  });
});
