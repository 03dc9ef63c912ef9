// PostgreSQL facts per major that the rules and the emitters both rely on (reference/dms.md §1.4,
// §1.7; agent.md §1.6). Versions are `server_version_num` numbers: 9.6 = 90600, 10 = 100000.

export const PG_9_4 = 90400;
export const PG_9_6 = 90600;
export const PG_10 = 100000;
export const PG_11 = 110000;
export const PG_13 = 130000;
export const PG_14 = 140000;
export const PG_15 = 150000;
export const PG_18 = 180000;

/** Oldest source pgferry accepts: logical decoding exists since 9.4, but the agent's tables start at 9.5. */
export const MIN_SOURCE_VERSION_NUM = 90500;

export interface GucFacts {
  readonly name: string;
  /** First `server_version_num` with the parameter. */
  readonly since: number;
  /** pg_settings.context is `postmaster`: a change takes effect only after a restart. */
  readonly restart: boolean;
  /** The GUC's unit in pg_settings, which plan overrides use too (null: unitless). */
  readonly unit: 'ms' | 'kB' | 'MB' | null;
}

/** The GUCs a plan may override (Plan.source.settings), with when each appeared. */
export const SOURCE_GUCS: Readonly<Record<string, GucFacts>> = {
  wal_level: { name: 'wal_level', since: PG_9_4, restart: true, unit: null },
  max_replication_slots: { name: 'max_replication_slots', since: PG_9_4, restart: true, unit: null },
  max_wal_senders: { name: 'max_wal_senders', since: PG_9_4, restart: true, unit: null },
  wal_sender_timeout: { name: 'wal_sender_timeout', since: PG_9_4, restart: false, unit: 'ms' },
  idle_in_transaction_session_timeout: {
    name: 'idle_in_transaction_session_timeout',
    since: PG_9_6,
    restart: false,
    unit: 'ms',
  },
  max_slot_wal_keep_size: { name: 'max_slot_wal_keep_size', since: PG_13, restart: false, unit: 'MB' },
  logical_decoding_work_mem: { name: 'logical_decoding_work_mem', since: PG_13, restart: false, unit: 'kB' },
  shared_preload_libraries: { name: 'shared_preload_libraries', since: PG_9_4, restart: true, unit: null },
};

/**
 * Whether a change of `name` takes effect only after a restart on this version: the plan-overridable
 * GUCs as the table says, and `ssl`, which the postmaster reads only at start before PostgreSQL 10.
 */
export function needsRestart(name: string, versionNum: number): boolean {
  if (name === 'ssl') return versionNum < PG_10;
  return SOURCE_GUCS[name]?.restart ?? false;
}

/** Server defaults for the replication GUCs before anyone touches postgresql.conf (dms.md §1.4). */
export function defaultReplicationSettings(versionNum: number): {
  wal_level: 'minimal' | 'replica';
  max_replication_slots: number;
  max_wal_senders: number;
} {
  return versionNum >= PG_10
    ? { wal_level: 'replica', max_replication_slots: 10, max_wal_senders: 10 }
    : { wal_level: 'minimal', max_replication_slots: 0, max_wal_senders: 0 };
}

/** Words with a meaning of their own in pg_hba's database column; a database so named must be quoted. */
export const HBA_DATABASE_KEYWORDS: readonly string[] = ['all', 'replication', 'samegroup', 'samerole', 'sameuser'];

/** pg_hba auth methods pgferry may write for DMS: scram-sha-256 needs 10+. */
export const HBA_METHODS_SINCE: Readonly<Record<string, number>> = {
  md5: PG_9_4,
  'scram-sha-256': PG_10,
};
