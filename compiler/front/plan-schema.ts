// The plan's JSON Schema (schema/plan.schema.json), loaded relative to this module so it resolves the
// same from sources (vitest) and from dist/, and its precompiled validator.

import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { validate as generatedValidator } from './plan-validator.generated.js';

export type JsonSchema = Readonly<Record<string, unknown>>;

let cachedSchema: JsonSchema | undefined;

export function planSchema(): JsonSchema {
  cachedSchema ??= JSON.parse(
    readFileSync(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'),
  ) as JsonSchema;
  return cachedSchema;
}

/**
 * The validator, precompiled by ajv into plan-validator.generated.js (see validator-source.ts for the
 * options: allErrors, strict, discriminator, verbose), so start-up skips schema compilation.
 */
export function planValidator(): ValidateFunction {
  return generatedValidator as unknown as ValidateFunction;
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
