// The schema and the resolved model (compiler/model/plan.ts) must describe the same keys: every key
// the schema knows appears in a resolved plan with every default explicit, and every key of a
// resolved plan is one the schema knows. Keys that are legitimately absent are listed with a reason.
import { describe, expect, it } from 'vitest';
import { derefSchema, type JsonSchema, planSchema } from '../../../compiler/front/plan-schema.js';
import { basePlan, cdcPlan, serverlessPlan } from '../../support/base-plan.js';

/** Dotted key paths of the schema; array items as `[]`, discriminated branches merged. */
function schemaPaths(schema: JsonSchema, prefix = ''): string[] {
  const node = derefSchema(schema);
  const properties: Record<string, JsonSchema> = { ...((node.properties ?? {}) as Record<string, JsonSchema>) };
  for (const branch of (node.oneOf ?? []) as JsonSchema[]) {
    Object.assign(properties, branch.properties ?? {});
  }
  const out: string[] = [];
  for (const [key, child] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...schemaPaths(child, path));
    const items = derefSchema(child).items as JsonSchema | undefined;
    if (items) out.push(...schemaPaths(items, `${path}[]`));
  }
  return out;
}

/** Dotted key paths of a resolved plan; PgVersion objects count as the one `version` key. */
function planPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => planPaths(item, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  if (prefix.endsWith('version') && 'num' in value) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...planPaths(child, path)];
  });
}

/** Schema keys a fully defaulted plan may lack, by prefix, and why. */
const optional: Record<string, string> = {
  'source.settings.': 'overrides are optional by design',
  'source.patroni.': 'patroni is null unless Patroni manages the source',
  'target.ca_certificate.': 'ca_certificate is null unless the target is verified (and names an arn or a pem)',
  'source.protected_logins[].': 'the seed plan protects no logins',
  'password.': 'a secret reference names exactly one of ssm, secretsManager, env',
  'token.': 'a secret reference names exactly one of ssm, secretsManager, env',
  'dms.credentials.': 'secrets_manager keys exist only in that mode',
  'lob.': 'each LOB mode has its own size key',
  'waivers[].': 'the seed plan waives nothing',
  'transformations[].':
    'the seed plan transforms nothing (test/compiler/emit/table-mappings.test.ts resolves one of each)',
  'table_settings[].': 'the seed plan has no table settings (test/compiler/emit/table-mappings.test.ts resolves them)',
  'cutover.verify.': 'verify is null unless the plan asks for a verification node',
  'dms.serverless.': 'serverless is null on a replication-instance plan (checked on the Serverless plan below)',
  'dms.assessment.':
    'assessment is null unless the plan runs premigration assessments (test/executor/unit/dms-assessment.test.ts resolves one)',
};

describe('schema/plan.schema.json and compiler/model/plan.ts', () => {
  const inSchema = new Set(schemaPaths(planSchema()));

  it('every key of a resolved plan is in the schema', () => {
    const resolved = new Set([...planPaths(basePlan), ...planPaths(cdcPlan), ...planPaths(serverlessPlan)]);
    const unknown = [...resolved].filter(
      (path) => !inSchema.has(path) && !/^(target\.databases|dms\.tags|dms\.tasks\[\]\.settings)\./.test(path),
    );
    expect(unknown).toEqual([]);
  });

  it('every schema key appears in the resolved seed plan, defaults explicit', () => {
    const resolved = new Set(planPaths(basePlan));
    expect(resolved.size).toBeGreaterThan(80);
    const missing = [...inSchema].filter(
      (path) => !resolved.has(path) && !Object.keys(optional).some((prefix) => path.includes(prefix)),
    );
    expect(missing).toEqual([]);
  });

  it('every key of dms.serverless appears in the resolved Serverless plan', () => {
    const resolved = new Set(planPaths(serverlessPlan));
    const missing = [...inSchema].filter((path) => path.startsWith('dms.serverless.') && !resolved.has(path));
    expect(missing).toEqual([]);
  });
});
