import { describe, it } from 'vitest';
import { precompiledTemplatesSource } from '../../../compiler/emit/templates-source.js';
import { expectGenerated } from '../../support/generated-file.js';

const generated = 'compiler/emit/templates.generated.ts';

describe(generated, () => {
  it('holds every template of compiler/emit/templates, precompiled', () => {
    expectGenerated(
      generated,
      precompiledTemplatesSource(),
      'PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/emit',
    );
  });
});
