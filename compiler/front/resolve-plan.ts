// Stage 3, resolve: a schema-valid document → the resolved `Plan` with every default explicit.
// Static defaults come from the schema (schema-defaults.ts); the few that depend on other values are
// derived here, in `deriveDefaults`, and nowhere else. Versions are parsed into {text, major, num}.
// Input must have passed validatePlan; this stage reports nothing and never throws on such input.

import { majorName, versionNumOf } from '../../contracts/pg-version.js';
import type { FullLoadTuning, PgVersion, Plan, Source, Target, Task, UserRef } from '../model/plan.js';
import { planSchema } from './plan-schema.js';
import { type Json, withSchemaDefaults } from './schema-defaults.js';

/** `"9.5.21"` → {major "9.5", num 90521}; `"16.4"` → {major "16", num 160004}. */
export function parseVersion(text: string): PgVersion {
  // The schema's pattern has admitted only digits and dots.
  const num = versionNumOf(text) ?? 0;
  return { text, major: majorName(num), num };
}

type WithSchemaDefaults = Omit<Plan, 'source' | 'target' | 'dms' | 'cutover'> & {
  readonly source: Omit<Source, 'version'> & { readonly version: string };
  readonly target: Omit<Target, 'version' | 'databases' | 'migration_user'> & {
    readonly version: string;
    readonly databases?: Readonly<Record<string, string>>;
    readonly migration_user?: UserRef;
  };
  readonly dms: Omit<Plan['dms'], 'tasks' | 'replication_instance' | 'serverless'> & {
    readonly replication_instance?: Plan['dms']['replication_instance'];
    readonly serverless?: Plan['dms']['serverless'];
    readonly tasks: readonly (Omit<Task, 'full_load'> & {
      readonly full_load: Omit<FullLoadTuning, 'target_table_prep_mode'> &
        Partial<Pick<FullLoadTuning, 'target_table_prep_mode'>>;
    })[];
  };
  readonly cutover: Omit<Plan['cutover'], 'fence'> & {
    readonly fence: Omit<Plan['cutover']['fence'], 'roles'> & { readonly roles?: readonly string[] };
  };
};

/** Defaults that depend on other values of the plan; documented in the schema's descriptions. */
function deriveDefaults(input: WithSchemaDefaults): Plan {
  const { source, target, dms, cutover } = input;
  const prepMode = target.schema_objects.strategy === 'pre_created' ? 'DO_NOTHING' : 'DROP_AND_CREATE';
  const databases: Record<string, string> = {};
  for (const name of source.databases) databases[name] = name;
  Object.assign(databases, target.databases ?? {});
  return {
    ...input,
    source: { ...source, version: parseVersion(source.version) },
    target: {
      ...target,
      version: parseVersion(target.version),
      databases,
      migration_user: target.migration_user ?? target.admin_user,
    },
    dms: {
      ...dms,
      // Exactly one of the two is written (PGF3230); the other is explicit null.
      replication_instance: dms.replication_instance ?? null,
      serverless: dms.serverless ?? null,
      tasks: dms.tasks.map((task) => ({
        ...task,
        full_load: { ...task.full_load, target_table_prep_mode: task.full_load.target_table_prep_mode ?? prepMode },
      })),
    },
    cutover: { ...cutover, fence: { ...cutover.fence, roles: cutover.fence.roles ?? source.write_roles } },
  };
}

/** The resolved plan of a schema-valid document. */
export function resolvePlan(value: unknown): Plan {
  const defaulted = withSchemaDefaults(planSchema(), value as Json) as unknown as WithSchemaDefaults;
  return deriveDefaults(defaulted);
}
