// Generated from agent/config/schema.ts by agent/validators/generate.ts.
// Do not edit: change the schema, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/agent/validators.test.ts.
import type { ErrorObject } from 'ajv';

/** An ajv validator compiled at build time: `errors` holds the last call's errors. */
export interface StandaloneValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: StandaloneValidator;
export default validate;
