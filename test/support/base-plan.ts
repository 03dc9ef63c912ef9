// A valid, fully resolved plan (every default explicit): the seed scenario of plans/orders.yaml.
// Tests derive variants with `planWith`, so each table row states only what it changes.

import type { Assessment, Plan, Transformation } from '../../compiler/model/plan.js';
import { isSecretRef } from '../../contracts/secret-ref.js';

export const basePlan: Plan = {
  version: 1,
  name: 'orders',
  description: 'Move the orders database from EC2 to RDS with a one-off full load.',
  engine: 'dms',
  source: {
    host: '10.0.2.15',
    port: 5432,
    version: { text: '9.5.21', major: '9.5', num: 90521 },
    databases: ['orders'],
    migration_user: {
      name: 'dms_user',
      password: { ssm: '/pgferry/orders/source/dms_user' },
      superuser: true,
      create: false,
    },
    auth_method: 'md5',
    ssl: false,
    existing_replication: { slots: 0, wal_senders: 0 },
    patroni: null,
    settings: {},
    capacity_may_lower: [],
    write_roles: ['orders_app'],
    protected_logins: [],
    agent: { url: 'https://10.0.2.15:8443', token: { ssm: '/pgferry/orders/agent/token' } },
    allow_any_address: false,
  },
  target: {
    kind: 'rds',
    host: 'orders.c1abcdefghij.eu-west-1.rds.amazonaws.com',
    port: 5432,
    version: { text: '9.5.21', major: '9.5', num: 90521 },
    databases: { orders: 'orders' },
    admin_user: { name: 'postgres', password: { ssm: '/pgferry/orders/target/postgres' } },
    migration_user: { name: 'postgres', password: { ssm: '/pgferry/orders/target/postgres' } },
    ssl_mode: 'require',
    ca_certificate: null,
    fk_strategy: 'after_connect_script',
    parameter_group: null,
    identifier: null,
    schema_objects: { strategy: 'pre_created', post_load_sql: [] },
  },
  dms: {
    region: 'eu-west-1',
    replication_instance: {
      identifier: 'orders-ri',
      class: 'dms.t3.medium',
      allocated_storage: 50,
      engine_version: '3.5.4',
      multi_az: false,
      subnet_group: 'orders-dms-subnets',
      security_groups: ['sg-0a1b2c3d4e5f60718'],
      publicly_accessible: false,
      kms_key_id: null,
      auto_minor_version_upgrade: false,
      preferred_maintenance_window: null,
      source_cidrs: ['10.0.1.0/24'],
    },
    serverless: null,
    credentials: { mode: 'ssm' },
    tasks: [
      {
        id: 'orders-full-load',
        database: 'orders',
        migration_type: 'full-load',
        tables: { include: ['public.%'], exclude: [] },
        lob: { mode: 'limited', max_size_kb: 32 },
        validation: false,
        full_load: {
          max_sub_tasks: 8,
          commit_rate: 10000,
          target_table_prep_mode: 'DO_NOTHING',
          transaction_consistency_timeout: 600,
        },
        slot_name: null,
        plugin: 'test-decoding',
        allow_reload: false,
        heartbeat: { enabled: false, frequency_minutes: 5, schema: 'public' },
        settings: {},
        transformations: [],
        table_settings: [],
      },
    ],
    tags: {},
    assessment: null,
  },
  cutover: {
    max_lag_seconds: 5,
    fence: { method: 'hba_reject', roles: ['orders_app'] },
    sequences: { enabled: true, margin: 1000 },
    post_load_sql: [],
    validation_gate: true,
    verify: null,
    cleanup: { stop_task: true, drop_slot: true, dms_resources: 'delete' },
    timeouts: { task_minutes: 30, full_load_minutes: 2880, lag_minutes: 120, marker_minutes: 30, slot_minutes: 10 },
  },
  waivers: [],
};

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * Objects whose keys belong together and must be replaced whole: a secret reference (patching `{ssm}`
 * with `{secretsManager}` must not keep `ssm`), and tagged unions such as `lob` or `credentials` when
 * the patch switches the `mode` (the old mode's keys would survive and make a row pass for the wrong
 * reason).
 */
function replacesWhole(base: object, patch: object): boolean {
  if (isSecretRef(patch)) return true;
  return 'mode' in patch && 'mode' in base && (patch as { mode: unknown }).mode !== (base as { mode: unknown }).mode;
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (Array.isArray(patch) || typeof patch !== 'object' || patch === null) return patch;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return patch;
  if (replacesWhole(base, patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(out[key], value);
  return out;
}

/**
 * `base` with a deep patch applied: objects merge key by key; arrays, scalars, secret references and
 * objects whose `mode` changes are replaced whole.
 */
export function patchPlan(base: Plan, patch: DeepPartial<Plan>): Plan {
  return merge(base, patch) as Plan;
}

/** The base plan with a deep patch applied (see patchPlan for what is replaced whole). */
export function planWith(patch: DeepPartial<Plan>): Plan {
  return patchPlan(basePlan, patch);
}

/** A CDC variant of the base plan: PG 13 → 16, one full-load-and-cdc task, logical settings implied. */
export const cdcPlan: Plan = planWith({
  source: { version: { text: '13.14', major: '13', num: 130014 }, auth_method: 'scram-sha-256' },
  target: { version: { text: '16.4', major: '16', num: 160004 } },
  dms: {
    tasks: [
      {
        ...basePlan.dms.tasks[0]!,
        id: 'orders-cdc',
        migration_type: 'full-load-and-cdc',
        heartbeat: { enabled: true, frequency_minutes: 5, schema: 'public' },
      },
    ],
  },
});

/** The CDC plan on DMS Serverless instead of a replication instance (every ComputeConfig key set). */
export const serverlessPlan: Plan = patchPlan(cdcPlan, {
  dms: {
    replication_instance: null,
    serverless: {
      min_capacity_units: 2,
      max_capacity_units: 16,
      multi_az: false,
      availability_zone: 'eu-west-1a',
      subnet_group: 'orders-dms-subnets',
      security_groups: ['sg-0a1b2c3d4e5f60718'],
      kms_key_id: 'alias/orders-dms',
      preferred_maintenance_window: 'sun:03:00-sun:03:30',
      dns_name_servers: ['10.0.0.2'],
      source_cidrs: ['10.0.1.0/24'],
    },
  },
});

/** A transformation with every optional key null (schema `public`), then the given keys. */
export function transformation(
  patch: Partial<Transformation> & Pick<Transformation, 'target' | 'action'>,
): Transformation {
  return {
    name: null,
    schema: 'public',
    table: null,
    column: null,
    value: null,
    old_value: null,
    data_type: null,
    expression: null,
    ...patch,
  };
}

/** dms.assessment settings for tests of premigration assessments. */
export const assessmentSettings: Assessment = {
  bucket: 'orders-dms-assessments',
  folder: null,
  role_arn: 'arn:aws:iam::123456789012:role/dms-assessments',
  kms_key_arn: null,
  include: [],
  exclude: [],
};
