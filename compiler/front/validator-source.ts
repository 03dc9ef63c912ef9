// Generates plan-validator.generated.ts: the ajv validator for schema/plan.schema.json as standalone
// code, so a compile does not pay ajv's schema compilation (hundreds of milliseconds) at start-up.
// test/compiler/front/plan-validator.test.ts fails when the file is stale and rewrites it with
// PGFERRY_UPDATE_GOLDEN=1 (npm run test:update-golden).

import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { planSchema } from './plan-schema.js';

/** The options every plan validator is built with; verbose errors carry parentSchema and data. */
export const AJV_OPTIONS = { allErrors: true, strict: true, discriminator: true, verbose: true } as const;

export function planValidatorSource(): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: false } });
  const validate = ajv.compile(planSchema());
  const code = standaloneCode.default(ajv, validate);
  return [
    '// @ts-nocheck',
    '// Generated from schema/plan.schema.json by compiler/front/validator-source.ts. Do not edit:',
    '// change the schema, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/front.',
    "import { createRequire } from 'node:module';",
    '',
    '// ajv emits require() for its runtime helpers even in ESM output.',
    'const require = createRequire(import.meta.url);',
    code,
    '',
  ].join('\n');
}
