// Generates plan-validator.generated.js (and its .d.ts): the ajv validator for schema/plan.schema.json
// as standalone code, so a compile does not pay ajv's schema compilation (hundreds of milliseconds) at
// start-up. test/compiler/front/plan-validator.test.ts fails when the files are stale and rewrites them
// with PGFERRY_UPDATE_GOLDEN=1 (npm run test:update-golden).

import { Ajv } from 'ajv';
import { STANDALONE_CODE, type StandaloneFiles, standaloneModule } from '../../contracts/ajv-standalone.js';
import { planSchema } from './plan-schema.js';

/** The options every plan validator is built with; verbose errors carry parentSchema and data. */
export const AJV_OPTIONS = { allErrors: true, strict: true, discriminator: true, verbose: true } as const;

export function planValidatorSource(): StandaloneFiles {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: STANDALONE_CODE });
  return standaloneModule(ajv, ajv.compile(planSchema()), {
    header: [
      'Generated from schema/plan.schema.json by compiler/front/validator-source.ts. Do not edit:',
      'change the schema, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/front.',
    ],
    declarations: ['export declare const validate: StandaloneValidator;', 'export default validate;'],
  });
}
