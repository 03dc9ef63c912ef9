// Build-time generator of the agent's standalone validators (never imported by a running agent):
// - api.generated.js: one validator per distinct request schema the routes register, recorded from the
//   fastify app itself, so the schemas are exactly those fastify hands its compiler (headers lowercased,
//   HEAD routes included), compiled with the options fastify's ajv compiler used for them;
// - config.generated.js: the agent config's validator (all errors, strict).
// test/agent/validators.test.ts fails when either file is stale and rewrites both under
// PGFERRY_UPDATE_GOLDEN=1.

import { Ajv } from 'ajv';
import { STANDALONE_CODE, type StandaloneFiles, standaloneModule } from '../../contracts/ajv-standalone.js';
import { compareText } from '../../contracts/compare.js';
import { agentConfigSchema } from '../config/schema.js';
import type { AgentContext } from '../context.js';
import { buildApp } from '../server.js';
import { schemaKey, type ValidatorFactory } from './precompiled.js';

/**
 * Fastify's ajv options with the agent's overrides (no stripping, no coercion, no defaults, first error
 * only): what server.ts passed as `ajv.customOptions` before validators were precompiled. Strict, so a
 * keyword ajv would ignore (an unknown `format`) fails generation instead of validating nothing.
 */
const API_AJV_OPTIONS = {
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
  strict: true,
} as const;

const CONFIG_AJV_OPTIONS = { allErrors: true, strict: true, strictTuples: false } as const;

const REGENERATE = 'then run PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/agent/validators.test.ts.';

/** The request schemas of every route, keyed by schemaKey, in the order fastify compiles them. */
export async function recordRouteSchemas(): Promise<Map<string, object>> {
  const schemas = new Map<string, object>();
  const record: ValidatorFactory = () => (route) => {
    schemas.set(schemaKey(route.schema), route.schema as object);
    return () => true;
  };
  // Registration reads only the limits; handlers never run here.
  const ctx = { config: { limits: { bodyBytes: 1, mutationsPerMinute: 1 } } } as unknown as AgentContext;
  const app = buildApp(ctx, { validators: record });
  await app.ready();
  await app.close();
  return schemas;
}

export async function apiValidatorsSource(): Promise<StandaloneFiles> {
  const schemas = [...(await recordRouteSchemas()).entries()].sort(([a], [b]) => compareText(a, b));
  const ajv = new Ajv({ ...API_AJV_OPTIONS, code: STANDALONE_CODE });
  const exports: Record<string, string> = {};
  schemas.forEach(([, schema], i) => {
    ajv.addSchema(schema, `request${i}`);
    exports[`requestValidator${i}`] = `request${i}`;
  });
  return standaloneModule(ajv, exports, {
    header: [
      "Generated from the agent routes' request schemas (contracts/agent-api) by agent/validators/generate.ts.",
      `Do not edit: change the contract, ${REGENERATE}`,
    ],
    trailer: [
      '',
      '/** Each validator by its schema (precompiled.ts schemaKey). */',
      'export const API_VALIDATORS = new Map([',
      ...schemas.map(([key], i) => `  [${JSON.stringify(key)}, requestValidator${i}],`),
      ']);',
    ],
    declarations: [
      '/** Each request validator by its schema (precompiled.ts schemaKey). */',
      'export declare const API_VALIDATORS: ReadonlyMap<string, StandaloneValidator>;',
    ],
  });
}

export function configValidatorSource(): StandaloneFiles {
  const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: STANDALONE_CODE });
  return standaloneModule(ajv, ajv.compile(agentConfigSchema), {
    header: [
      'Generated from agent/config/schema.ts by agent/validators/generate.ts.',
      `Do not edit: change the schema, ${REGENERATE}`,
    ],
    declarations: ['export declare const validate: StandaloneValidator;', 'export default validate;'],
  });
}
