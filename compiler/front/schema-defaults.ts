// Static defaults live in exactly one place: the `default` keywords of schema/plan.schema.json (which
// the docs and editors read too). This walks a schema-valid document alongside the schema and fills
// every absent property that has one; discriminated unions pick their branch by the tag's value.

import { derefSchema, type JsonSchema } from './plan-schema.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function branchProperties(schema: JsonSchema, value: Record<string, Json>): Record<string, JsonSchema> {
  const own = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const discriminator = schema.discriminator as { propertyName: string } | undefined;
  if (!discriminator || !Array.isArray(schema.oneOf)) return own;
  const tag = value[discriminator.propertyName];
  const branch = (schema.oneOf as JsonSchema[]).find((candidate) => {
    const tagSchema = (candidate.properties as Record<string, JsonSchema> | undefined)?.[discriminator.propertyName];
    return tagSchema?.const === tag;
  });
  return { ...own, ...((branch?.properties ?? {}) as Record<string, JsonSchema>) };
}

/** `value` with every absent defaulted property filled in, recursively. Never mutates its input. */
export function withSchemaDefaults(rawSchema: JsonSchema, value: Json | undefined): Json | undefined {
  const schema = derefSchema(rawSchema);
  let current = value;
  if (current === undefined) {
    if (!('default' in schema)) return undefined;
    current = structuredClone(schema.default as Json);
  }
  if (Array.isArray(current) && isObject(schema.items)) {
    const items = schema.items as JsonSchema;
    return current.map((item) => withSchemaDefaults(items, item) ?? item);
  }
  if (isObject(current)) {
    const out: Record<string, Json> = { ...current };
    for (const [key, propertySchema] of Object.entries(branchProperties(schema, current))) {
      const filled = withSchemaDefaults(propertySchema, current[key]);
      if (filled !== undefined) out[key] = filled;
    }
    return out;
  }
  return current;
}

export type { Json };
