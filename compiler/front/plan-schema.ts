// The plan's JSON Schema (schema/plan.schema.json), loaded relative to this module so it resolves the
// same from sources (vitest) and from dist/, and its validator, compiled once per process.

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export type JsonSchema = Readonly<Record<string, unknown>>;

let cachedSchema: JsonSchema | undefined;
let cachedValidator: ValidateFunction | undefined;

export function planSchema(): JsonSchema {
  cachedSchema ??= JSON.parse(
    readFileSync(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'),
  ) as JsonSchema;
  return cachedSchema;
}

export function planValidator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  // verbose: errors carry parentSchema and data, which the locator needs for "did you mean" and for
  // telling a literal password from any other wrong type.
  const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true, verbose: true });
  addFormats.default(ajv);
  cachedValidator = ajv.compile(planSchema());
  return cachedValidator;
}

/** Resolves a local `$ref` (`#/definitions/task`) against the plan schema. */
export function derefSchema(schema: JsonSchema): JsonSchema {
  let current = schema;
  while (typeof current.$ref === 'string') {
    const path = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = planSchema();
    for (const segment of path) target = (target as Record<string, unknown>)[segment];
    current = {
      ...(target as JsonSchema),
      ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')),
    };
  }
  return current;
}
