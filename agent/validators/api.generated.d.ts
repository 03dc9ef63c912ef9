// Generated from the agent routes' request schemas (contracts/agent-api) by agent/validators/generate.ts.
// Do not edit: change the contract, then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/agent/validators.test.ts.
import type { ErrorObject } from 'ajv';

/** An ajv validator compiled at build time: `errors` holds the last call's errors. */
export interface StandaloneValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Each request validator by its schema (precompiled.ts schemaKey). */
export declare const API_VALIDATORS: ReadonlyMap<string, StandaloneValidator>;
