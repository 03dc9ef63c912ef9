// `source/bundle.json`: what the compiler emits for the source host and the agent applies
// (POST /v1/plans, then POST /v1/plans/{id}/apply). The design is reference/agent.md §1.3.
// Everything the agent needs is here; nothing secret is (passwords are references).

import type { SecretRef } from './secret-ref.js';

export const BUNDLE_SCHEMA_VERSION = 1;

/** A GUC value: numbers in the GUC's base unit, strings as PostgreSQL spells them, lists as arrays. */
export type GucValue = string | number | boolean | readonly string[];

export interface HbaRule {
  readonly type: 'local' | 'host' | 'hostssl' | 'hostnossl';
  readonly database: readonly string[];
  readonly user: readonly string[];
  /** CIDR (`10.0.1.0/24`), or null for `local`. */
  readonly address: string | null;
  readonly method: 'md5' | 'scram-sha-256' | 'reject' | 'peer' | 'password' | 'cert';
  /** Why the rule is there; rendered as a comment above it. */
  readonly comment: string;
}

/** A rule's fields in pg_hba.conf order: type, databases, users, address ('' for `local`), method. */
export function hbaFields(rule: HbaRule): string[] {
  return [rule.type, rule.database.join(','), rule.user.join(','), rule.address ?? '', rule.method];
}

export interface ProtectedConnection {
  readonly type: 'local' | 'host' | 'hostssl';
  readonly database: string;
  readonly user: string;
  readonly address: string | null;
  /** If given, the first matching rule must use one of these methods. */
  readonly expectMethod?: readonly string[];
}

export interface BundleRole {
  readonly name: string;
  readonly login: boolean;
  readonly superuser: boolean;
  readonly replication: boolean;
  /** Resolved by the agent (from SSM or its environment) when it creates the role. */
  readonly password: SecretRef;
  /** Per-role settings, `ALTER ROLE … SET name = value` (e.g. idle_in_transaction_session_timeout 0). */
  readonly settings: Readonly<Record<string, string>>;
  readonly create: boolean;
}

export interface BundleSlot {
  readonly name: string;
  readonly plugin: 'test_decoding' | 'pglogical';
  readonly database: string;
  /** DMS task that owns the slot. */
  readonly task: string;
}

export interface SourceBundle {
  readonly schemaVersion: typeof BUNDLE_SCHEMA_VERSION;
  /** Plan name; the agent records it with the applied hash. */
  readonly bundleId: string;
  readonly target: {
    /** PostgreSQL major, as server_version_num / 10000 (9.x → 9). */
    readonly pgMajor: number;
    readonly serverVersionNum: number;
    /** The host's system identifier when the plan pins it; null to accept any. */
    readonly systemIdentifier: string | null;
  };
  /** Desired server settings. Numbers are in the GUC's base unit (ms, kB, MB as pg_settings.unit). */
  readonly settings: Readonly<Record<string, GucValue>>;
  /** Which of `settings` need a restart (postmaster context), for review; the agent re-derives it. */
  readonly restartSettings: readonly string[];
  readonly settingsMethod: 'alter_system' | 'include_file';
  readonly hba: {
    readonly mode: 'managed_block';
    /** Name inside the marker lines `# BEGIN pgferry <block>` / `# END pgferry <block>`. */
    readonly block: string;
    readonly anchor: 'first_non_local_rule' | 'top' | 'bottom';
    readonly rules: readonly HbaRule[];
    readonly protect: readonly ProtectedConnection[];
  };
  readonly roles: readonly BundleRole[];
  /** Slots the migration will create; the agent may drop only these (plus its allow-list). */
  readonly slots: readonly BundleSlot[];
  /** Write fence used at cutover. */
  readonly fence: {
    readonly method: 'hba_reject' | 'read_only';
    readonly roles: readonly string[];
    readonly databases: readonly string[];
  };
  readonly restartPolicy: 'require_consent';
  /** Present when Patroni manages the host: the snippet to merge into its dynamic configuration. */
  readonly patroni: {
    readonly restUrl: string;
    readonly scope: string;
    readonly ignoreSlots: readonly {
      readonly name: string;
      readonly type: 'logical';
      readonly database: string;
      readonly plugin: string;
    }[];
  } | null;
  /**
   * Capacity settings (counts of connections, WAL senders, slots, workers: CAPACITY_SETTINGS). `floors`
   * are minimums the migration needs, computed by the compiler: a higher value on the server is kept.
   * `mayLower` are those the plan explicitly lets go below the server's current value. Any other capacity
   * setting below the current value is refused by the agent (CAPACITY_LOWERED). Absent when both are empty.
   */
  readonly capacity?: { readonly floors: readonly string[]; readonly mayLower: readonly string[] };
  /** `sha256:<hex>` of the canonical JSON of this object without `hash`. */
  readonly hash: string;
}

/** The major as a bundle's target spells it: 9 for every 9.x, else server_version_num / 10000. */
export function bundleMajor(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}

/**
 * Settings that size the server: lowering one below what runs can break standbys, backup tools or
 * other consumers already connected, so it never happens without the plan saying so.
 */
export const CAPACITY_SETTINGS: readonly string[] = [
  'max_connections',
  'max_locks_per_transaction',
  'max_logical_replication_workers',
  'max_parallel_workers',
  'max_prepared_transactions',
  'max_replication_slots',
  'max_sync_workers_per_subscription',
  'max_wal_senders',
  'max_worker_processes',
];
