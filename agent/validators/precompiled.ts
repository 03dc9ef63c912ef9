// Fastify's schema compilers for the agent, without ajv: request validators were compiled at build time
// (api.generated.js, from the schemas the routes register) and answers are serialised by memoJson. Left
// to its defaults, fastify loads ajv, ajv's JTD build and fast-json-stringify, and compiles every route
// schema at start-up: about 20 MB of an idle agent's RSS, most of it start-up garbage V8 keeps until
// its memory reducer happens to run (bench/agent).

import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';
import { canonicalJson } from '../../contracts/canonical-json.js';
import { API_VALIDATORS } from './api.generated.js';

/** Fastify's `schemaController.compilersFactory.buildValidator` (its declared type is ajv's own compiler). */
export type ValidatorFactory = (externalSchemas: unknown, options: unknown) => FastifySchemaCompiler<unknown>;

/** The lookup key of a schema: its compact canonical JSON (key order does not matter). */
export const schemaKey = (schema: unknown): string => canonicalJson(schema, 0);

/**
 * Fastify's validator factory over the precompiled validators. A schema without one is a build that
 * skipped regeneration: refused at start-up, naming the route, rather than served unvalidated.
 */
export const precompiledValidators: ValidatorFactory = () => (route) => {
  const validate = API_VALIDATORS.get(schemaKey(route.schema));
  if (validate === undefined) {
    throw new Error(
      `no precompiled validator for the ${route.httpPart} of ${route.method} ${route.url}: agent/validators/api.generated.js is stale (PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/agent/validators.test.ts)`,
    );
  }
  return validate;
};

type CompilersFactory = NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];

/** The compilers an agent app is built with; `validators` replaces the precompiled ones (the generator records). */
export function schemaCompilers(
  serialise: (answer: unknown) => string,
  validators = precompiledValidators,
): CompilersFactory {
  // Fastify declares these options with @fastify/ajv-compiler's own types (an ajv compile function);
  // what it calls is the shape above, as its documentation for custom compilers says.
  return { buildValidator: validators, buildSerializer: () => () => serialise } as unknown as CompilersFactory;
}
