// `source/bundle.json`: the desired state of the source host that the agent applies. Settings are
// computed from the plan (what DMS needs for the tasks it runs) and raised, never lowered, by explicit
// overrides; rules already reject overrides that are too low (reference/dms.md §1.4).

import {
  BUNDLE_SCHEMA_VERSION,
  bundleMajor,
  CAPACITY_SETTINGS,
  type GucValue,
  type HbaRule,
  type SourceBundle,
} from '../../contracts/bundle.js';
import { hashJson } from '../../contracts/canonical-json.js';
import { dmsCompute, dmsSourceCidrs } from '../knowledge/dms-compute.js';
import { needsRestart } from '../knowledge/pg-versions.js';
import { needsLogicalDecoding, slotBudget, walSenderBudget } from '../knowledge/replication-budget.js';
import { mayLower, type ServerCapacity, type SizedSetting } from '../knowledge/server-capacity.js';
import { cdcTasks, pgPluginName } from '../model/names.js';
import type { Plan } from '../model/plan.js';

/** Why each setting is there; the postgresql.conf snippet prints it next to the value. */
export const SETTING_REASONS: Readonly<Record<string, string>> = {
  wal_level: 'logical decoding for DMS CDC',
  max_replication_slots: "existing slots + one per CDC task + headroom (or the server's current value, when higher)",
  max_wal_senders: "existing WAL senders + one per CDC task + headroom (or the server's current value, when higher)",
  wal_sender_timeout: 'DMS needs 0 or >= 10s',
  max_slot_wal_keep_size: 'plan override (MB); a capped slot can be invalidated',
  logical_decoding_work_mem: 'plan override (kB)',
  shared_preload_libraries: 'pglogical decoding plugin',
  ssl: 'DMS connects with TLS (hostssl rules)',
};

/**
 * A sized setting as the bundle writes it: what the migration needs (or the plan's higher override),
 * and, when a catalog shows the server running more, the server's current value, so the bundle a
 * reviewer reads says what the source will run; only source.capacity_may_lower lets it go below.
 */
function sized(plan: Plan, name: SizedSetting, needed: number, capacity: ServerCapacity | null): number {
  const value = Math.max(needed, plan.source.settings[name] ?? 0);
  const current = capacity?.current[name];
  return current === undefined || mayLower(plan, name) ? value : Math.max(value, current);
}

export function computeSettings(plan: Plan, capacity: ServerCapacity | null = null): Record<string, GucValue> {
  const { settings: overrides, version } = plan.source;
  // The same budget the slot-budget rule checks, so the emitted value and the check cannot disagree.
  const decoding = needsLogicalDecoding(plan);
  const settings: Record<string, GucValue> = {};
  if (decoding || overrides.wal_level !== undefined) settings.wal_level = overrides.wal_level ?? 'logical';
  if (decoding || overrides.max_replication_slots !== undefined) {
    settings.max_replication_slots = sized(
      plan,
      'max_replication_slots',
      slotBudget(plan, capacity).recommended,
      capacity,
    );
  }
  if (decoding || overrides.max_wal_senders !== undefined) {
    settings.max_wal_senders = sized(plan, 'max_wal_senders', walSenderBudget(plan, capacity).recommended, capacity);
  }
  if (decoding || overrides.wal_sender_timeout !== undefined) {
    settings.wal_sender_timeout = overrides.wal_sender_timeout ?? 0;
  }
  if (version.num >= 130000) {
    if (overrides.max_slot_wal_keep_size !== undefined)
      settings.max_slot_wal_keep_size = overrides.max_slot_wal_keep_size;
    if (overrides.logical_decoding_work_mem !== undefined) {
      settings.logical_decoding_work_mem = overrides.logical_decoding_work_mem;
    }
  }
  const libraries = new Set(overrides.shared_preload_libraries ?? []);
  if (cdcTasks(plan).some((task) => task.plugin === 'pglogical')) libraries.add('pglogical');
  if (libraries.size > 0 || overrides.shared_preload_libraries !== undefined) {
    settings.shared_preload_libraries = [...libraries].sort();
  }
  if (plan.source.ssl) settings.ssl = true;
  return settings;
}

/**
 * pg_hba rules for DMS: one per source CIDR and database. Before PostgreSQL 10 every WAL sender,
 * logical ones included, is matched by the `replication` keyword only, so CDC also needs a
 * `replication` rule; from 10 a logical WAL sender names its database and the database rule matches.
 */
export function hbaRules(plan: Plan): HbaRule[] {
  const { source } = plan;
  const type = source.ssl ? 'hostssl' : 'host';
  const user = [source.migration_user.name];
  const rules: HbaRule[] = [];
  const compute = dmsCompute(plan);
  const reader =
    compute?.form === 'serverless'
      ? 'DMS Serverless'
      : `DMS replication instance ${plan.dms.replication_instance?.identifier}`;
  for (const address of dmsSourceCidrs(plan)) {
    for (const database of source.databases) {
      rules.push({
        type,
        database: [database],
        user,
        address,
        method: source.auth_method,
        comment: `${reader} reads ${database}`,
      });
    }
    if (source.version.num < 100000 && cdcTasks(plan).length > 0) {
      rules.push({
        type,
        database: ['replication'],
        user,
        address,
        method: source.auth_method,
        comment: `DMS CDC: before PostgreSQL 10 logical WAL senders match the replication keyword`,
      });
    }
  }
  return rules;
}

/** Computed capacity is a minimum (floor) unless the plan lets it go down (source.capacity_may_lower). */
function capacityOf(
  settings: Record<string, GucValue>,
  mayLowerInPlan: readonly string[],
): Pick<SourceBundle, 'capacity'> {
  const capacity = Object.keys(settings)
    .filter((name) => CAPACITY_SETTINGS.includes(name))
    .sort();
  const floors = capacity.filter((name) => !mayLowerInPlan.includes(name));
  const mayLower = capacity.filter((name) => mayLowerInPlan.includes(name));
  return capacity.length === 0 ? {} : { capacity: { floors, mayLower } };
}

/** The bundle; `capacity` (from `--catalog`) sizes the capacity settings from what the server runs. */
export function buildSourceBundle(plan: Plan, capacity: ServerCapacity | null = null): SourceBundle {
  const { source } = plan;
  const settings = computeSettings(plan, capacity);
  const cdc = cdcTasks(plan);
  const roleSettings: Record<string, string> = {};
  if (source.version.num >= 90600) {
    roleSettings.idle_in_transaction_session_timeout = String(source.settings.idle_in_transaction_session_timeout ?? 0);
  }
  const slots = cdc
    .filter((task) => task.slot_name !== null)
    .map((task) => ({
      name: task.slot_name as string,
      plugin: pgPluginName(task.plugin),
      database: task.database,
      task: task.id,
    }));
  const withoutHash: Omit<SourceBundle, 'hash'> = {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    bundleId: plan.name,
    target: { pgMajor: bundleMajor(source.version.num), serverVersionNum: source.version.num, systemIdentifier: null },
    settings,
    restartSettings: Object.keys(settings)
      .filter((name) => needsRestart(name, source.version.num))
      .sort(),
    settingsMethod: 'alter_system',
    hba: {
      mode: 'managed_block',
      block: plan.name,
      anchor: 'first_non_local_rule',
      rules: hbaRules(plan),
      protect: source.protected_logins.map((login) => ({
        type: login.type,
        database: login.database,
        user: login.user,
        address: login.address,
      })),
    },
    roles: [
      {
        name: source.migration_user.name,
        login: true,
        superuser: source.migration_user.superuser,
        replication: source.migration_user.superuser || cdc.length > 0,
        password: source.migration_user.password,
        settings: roleSettings,
        create: source.migration_user.create,
      },
    ],
    slots,
    fence: {
      method: plan.cutover.fence.method,
      roles: [...plan.cutover.fence.roles],
      databases: [...source.databases],
    },
    restartPolicy: 'require_consent',
    // Capacity the compiler computes is what the migration needs at least: a server that already runs
    // more keeps it (the agent never lowers capacity unless a bundle says so).
    ...capacityOf(settings, source.capacity_may_lower ?? []),
    patroni:
      source.patroni === null
        ? null
        : {
            restUrl: source.patroni.rest_url,
            scope: source.patroni.scope,
            ignoreSlots: slots.map((slot) => ({
              name: slot.name,
              type: 'logical' as const,
              database: slot.database,
              plugin: slot.plugin,
            })),
          },
  };
  return { ...withoutHash, hash: hashJson(withoutHash) };
}
