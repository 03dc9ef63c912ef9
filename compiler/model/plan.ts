// The resolved migration plan: what `resolvePlan` produces from a schema-valid YAML document.
// Its shape mirrors the YAML one to one (snake_case keys, same nesting), with every default made
// explicit, so a JSON Pointer into this object (`/dms/tasks/1/slot_name`) is also a pointer into the
// user's file: rules report locations by pointer and never compute line numbers themselves.
// DMS settings that pass through verbatim keep AWS's PascalCase.
//
// Everything here is plain JSON data, read-only; rules and graph builders never mutate it.
// Over 400 lines on purpose: it is one type, the whole plan, mirroring schema/plan.schema.json key for
// key; split across files it would no longer read side by side with the schema.

import type { SecretRef } from '../../contracts/secret-ref.js';

export type { SecretRef };

export interface Plan {
  /** Plan format version; 1 is the only one. */
  readonly version: 1;
  /** Short name of the migration, `[a-z][a-z0-9-]*`; prefixes generated identifiers and tags. */
  readonly name: string;
  readonly description: string;
  /** Replication engine: `dms` (AWS DMS tasks) or `logical` (publication/subscription, run by pgferry). */
  readonly engine: 'dms' | 'logical';
  readonly source: Source;
  readonly target: Target;
  readonly dms: Dms;
  readonly cutover: Cutover;
  /** Warnings the reviewers accepted, by rule code; an unused waiver is itself a warning. */
  readonly waivers: readonly Waiver[];
}

export interface Waiver {
  readonly code: string;
  readonly reason: string;
}

export type PgAuthMethod = 'md5' | 'scram-sha-256';

export interface PgVersion {
  /** As written in the plan, e.g. `"9.5.21"`, `"16.4"`. */
  readonly text: string;
  /** The major as PostgreSQL names it: 9.5.21 → `"9.5"`, 16.4 → `"16"`. */
  readonly major: string;
  /** `server_version_num` form: 9.5.21 → 90521, 16.4 → 160004. Drives every version-gated output. */
  readonly num: number;
}

export interface Source {
  /** Address DMS connects to (private IP or DNS name of the EC2 host). */
  readonly host: string;
  readonly port: number;
  readonly version: PgVersion;
  /** Databases on the source that take part in the migration. */
  readonly databases: readonly string[];
  readonly migration_user: MigrationUser;
  /** pg_hba method for the DMS rules. scram-sha-256 needs 10+. */
  readonly auth_method: PgAuthMethod;
  /** DMS connects with TLS: pg_hba rules become `hostssl` and `ssl = on` is required. */
  readonly ssl: boolean;
  /** Replication already in use on the host, which the budget must leave room for. */
  readonly existing_replication: ExistingReplication;
  /** Present when Patroni manages the cluster: settings and slots must go through Patroni's config. */
  readonly patroni: Patroni | null;
  /** Explicit postgresql.conf values that override what pgferry would compute. */
  readonly settings: SourceSettingOverrides;
  /**
   * Capacity settings the agent may set below what the source runs now; the others are minimums (a
   * higher running value is kept).
   */
  readonly capacity_may_lower: readonly ('max_replication_slots' | 'max_wal_senders')[];
  /** Roles whose writes are fenced at cutover (every application writer). */
  readonly write_roles: readonly string[];
  /** Logins that must keep working after the pg_hba change (the agent's, the DBA's). */
  readonly protected_logins: readonly ProtectedLogin[];
  readonly agent: AgentAccess;
  /** Explicit opt-in to allow `0.0.0.0/0` or `::/0` in pg_hba. */
  readonly allow_any_address: boolean;
}

export interface MigrationUser {
  readonly name: string;
  readonly password: SecretRef;
  /** DMS asks for superuser on a self-managed source for CDC; full-load-only can do with SELECT. */
  readonly superuser: boolean;
  /** Create the role on the source through the agent if it does not exist. */
  readonly create: boolean;
}

export interface ExistingReplication {
  /** Replication slots already used by other consumers (standbys, Debezium, …). */
  readonly slots: number;
  /** WAL senders already used (physical standbys, backup tools). */
  readonly wal_senders: number;
}

export interface Patroni {
  /** Patroni REST API base URL, e.g. `http://10.0.2.15:8008`. */
  readonly rest_url: string;
  /** Patroni cluster scope (its `scope:` setting). */
  readonly scope: string;
}

/** Overrides by GUC name. Only the names below are understood; values keep PostgreSQL's own units. */
export interface SourceSettingOverrides {
  readonly wal_level?: 'replica' | 'logical';
  readonly max_replication_slots?: number;
  readonly max_wal_senders?: number;
  /** Milliseconds; 0 disables. DMS needs 0 or ≥ 10000. */
  readonly wal_sender_timeout?: number;
  /** Milliseconds, for the migration role (9.6+); DMS needs 0. */
  readonly idle_in_transaction_session_timeout?: number;
  /** Megabytes, 13+; -1 is unlimited. */
  readonly max_slot_wal_keep_size?: number;
  /** Kilobytes, 13+. */
  readonly logical_decoding_work_mem?: number;
  readonly shared_preload_libraries?: readonly string[];
}

export interface ProtectedLogin {
  readonly type: 'local' | 'host' | 'hostssl';
  readonly database: string;
  readonly user: string;
  /** For host/hostssl: the client address the login comes from. */
  readonly address: string | null;
}

export interface AgentAccess {
  readonly url: string;
  readonly token: SecretRef;
}

export type TargetKind = 'rds' | 'aurora' | 'self-managed';

/**
 * How foreign keys and user triggers are kept quiet while DMS loads tables in no particular order.
 * - after_connect_script: DMS target endpoint runs `SET session_replication_role = replica` per session.
 * - parameter_group: the RDS parameter group sets it for every session; cutover reverts it.
 * - disable_triggers: `ALTER TABLE … DISABLE TRIGGER ALL` before the load, re-enabled at cutover; on RDS and
 *   Aurora `DISABLE TRIGGER USER` (FK triggers need a superuser), and prepare.sql refuses while a FK exists.
 * - alter_system: `ALTER SYSTEM SET session_replication_role` (self-managed targets only).
 */
export type FkStrategy = 'after_connect_script' | 'parameter_group' | 'disable_triggers' | 'alter_system';

export interface Target {
  readonly kind: TargetKind;
  readonly host: string;
  readonly port: number;
  readonly version: PgVersion;
  /** Source database → target database; every source database appears, identity by default. */
  readonly databases: Readonly<Record<string, string>>;
  readonly admin_user: UserRef;
  readonly migration_user: UserRef;
  readonly ssl_mode: 'none' | 'require' | 'verify-ca' | 'verify-full';
  /**
   * The CA certificate DMS verifies the target's against (verify-ca, verify-full): one already in DMS
   * by ARN, or a PEM file next to the plan that apply imports. null: none.
   */
  readonly ca_certificate: { readonly arn: string } | { readonly pem: string } | null;
  readonly fk_strategy: FkStrategy;
  /**
   * Name of the DB parameter group (rds) or DB cluster parameter group (aurora) attached to the target,
   * when fk_strategy is parameter_group.
   */
  readonly parameter_group: string | null;
  /**
   * DB instance identifier (rds) or DB cluster identifier (aurora); null: derived from an RDS endpoint
   * host (compiler/emit/rds-requests.ts).
   */
  readonly identifier: string | null;
  readonly schema_objects: SchemaObjects;
}

export interface UserRef {
  readonly name: string;
  readonly password: SecretRef;
}

export interface SchemaObjects {
  /**
   * - pre_created: the schema (types, tables, primary keys; `pg_dump --schema-only --section=pre-data`)
   *   is restored on the target before the load; DMS loads with TargetTablePrepMode DO_NOTHING.
   * - dms_creates: DMS creates tables and primary keys itself; defaults, secondary indexes, FKs and
   *   user-defined types are lost unless post_load_sql recreates them.
   */
  readonly strategy: 'pre_created' | 'dms_creates';
  /**
   * SQL files (paths relative to the plan; typically `pg_dump --section=post-data`) that create what DMS
   * does not: secondary indexes, foreign keys, triggers. Run on the target after the full load.
   */
  readonly post_load_sql: readonly string[];
}

export interface Dms {
  readonly region: string;
  /**
   * Where DMS runs: a provisioned replication instance, or DMS Serverless (one replication config per
   * task). Exactly one of the two is set (rule PGF3230); rules and the graph read it through
   * compiler/knowledge/dms-compute.ts.
   */
  readonly replication_instance: ReplicationInstance | null;
  readonly serverless: Serverless | null;
  readonly credentials: DmsCredentials;
  readonly tasks: readonly Task[];
  /** Tags put on every DMS resource, in addition to `pgferry:plan` = plan name. */
  readonly tags: Readonly<Record<string, string>>;
  /** AWS's premigration assessments, run on every task before it starts; null: none. */
  readonly assessment: Assessment | null;
}

/** StartReplicationTaskAssessmentRun settings (compiler/emit/assessment-request.ts). */
export interface Assessment {
  readonly bucket: string;
  readonly folder: string | null;
  readonly role_arn: string;
  readonly kms_key_arn: string | null;
  /** IncludeOnly: individual assessment names; empty: DMS's recommended set. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface ReplicationInstance {
  readonly identifier: string;
  readonly class: string;
  /** GB. */
  readonly allocated_storage: number;
  readonly engine_version: string;
  readonly multi_az: boolean;
  readonly subnet_group: string | null;
  readonly security_groups: readonly string[];
  readonly publicly_accessible: boolean;
  readonly kms_key_id: string | null;
  readonly auto_minor_version_upgrade: boolean;
  readonly preferred_maintenance_window: string | null;
  /** Address ranges the instance's connections come from; they become the pg_hba rules. */
  readonly source_cidrs: readonly string[];
}

/** DMS capacity units a Serverless replication accepts (one DCU is 2 GB of RAM). */
export const DMS_CAPACITY_UNITS = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384] as const;

/**
 * DMS Serverless: each task becomes a replication config (CreateReplicationConfig) with this compute
 * configuration (ComputeConfig); DMS provisions capacity between the minimum and maximum DCU when the
 * replication starts.
 */
export interface Serverless {
  /** MinCapacityUnits; null: DMS's own minimum (1 DCU). */
  readonly min_capacity_units: number | null;
  /** MaxCapacityUnits (required by DMS). */
  readonly max_capacity_units: number;
  readonly multi_az: boolean;
  /** AvailabilityZone; cannot be set with multi_az. */
  readonly availability_zone: string | null;
  /** ReplicationSubnetGroupId. */
  readonly subnet_group: string | null;
  readonly security_groups: readonly string[];
  readonly kms_key_id: string | null;
  readonly preferred_maintenance_window: string | null;
  /** DnsNameServers: up to four addresses that override the default name servers. */
  readonly dns_name_servers: readonly string[];
  /** Address ranges the replications' connections come from; they become the pg_hba rules. */
  readonly source_cidrs: readonly string[];
}

/**
 * How DMS endpoints get their passwords.
 * - secrets_manager: endpoints name a Secrets Manager secret and the role DMS assumes to read it.
 * - ssm: the executor reads the SSM parameter at apply time and passes the value to CreateEndpoint.
 */
export type DmsCredentials =
  | {
      readonly mode: 'secrets_manager';
      readonly access_role_arn: string;
      /** Secret per endpoint side; each holds username, password, host, port (AWS's format). */
      readonly source_secret: string;
      readonly target_secret: string;
    }
  | { readonly mode: 'ssm' };

export type MigrationType = 'full-load' | 'cdc' | 'full-load-and-cdc';

export interface Task {
  /** ReplicationTaskIdentifier; also names the endpoints' slot and graph nodes. */
  readonly id: string;
  /** A source database listed in source.databases. */
  readonly database: string;
  readonly migration_type: MigrationType;
  readonly tables: TableSelection;
  readonly lob: LobSettings;
  readonly validation: boolean;
  readonly full_load: FullLoadTuning;
  /**
   * Logical slot name. null (the default): DMS creates and names the slot when the task starts, and the
   * executor records the name it finds. A name (cdc tasks only): pgferry creates the slot through the
   * agent and passes SlotName and CdcStartPosition to DMS (native CDC start point).
   */
  readonly slot_name: string | null;
  /** Decoding plugin DMS uses for the slot. */
  readonly plugin: 'test-decoding' | 'pglogical';
  /**
   * Whether apply may restart the task with reload-target (every table loaded again) when DMS cannot
   * resume it, behind the `reload-target` gate. false: apply stops and prints the ways on.
   */
  readonly allow_reload: boolean;
  readonly heartbeat: Heartbeat;
  /** Raw ReplicationTaskSettings overrides, PascalCase sections as AWS documents them. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** DMS transformation rules, emitted after the selection rules in plan order. */
  readonly transformations: readonly Transformation[];
  /** DMS table-settings rules (parallel load, per-table LOB settings), one table each. */
  readonly table_settings: readonly TableSetting[];
}

export type TransformationTarget = 'schema' | 'table' | 'column';

export type TransformationAction =
  | 'rename'
  | 'add-prefix'
  | 'remove-prefix'
  | 'replace-prefix'
  | 'add-suffix'
  | 'remove-suffix'
  | 'replace-suffix'
  | 'convert-lowercase'
  | 'convert-uppercase'
  | 'remove-column'
  | 'add-column'
  | 'change-data-type';

/**
 * One DMS transformation rule as AWS documents it (reference/dms.md §6.2): `rule-target`,
 * `rule-action`, `object-locator` (schema, table, column in DMS wildcard syntax), `value`, `old-value`,
 * `data-type`, `expression`. Which keys an action needs is checked by rules, with locations.
 */
export interface Transformation {
  /** rule-name; null: `<action>-<position>`. */
  readonly name: string | null;
  readonly target: TransformationTarget;
  readonly action: TransformationAction;
  readonly schema: string;
  readonly table: string | null;
  readonly column: string | null;
  readonly value: string | null;
  readonly old_value: string | null;
  readonly data_type: DmsDataType | null;
  readonly expression: string | null;
}

export type DmsTypeName =
  | 'bytes'
  | 'date'
  | 'time'
  | 'datetime'
  | 'int1'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'real4'
  | 'real8'
  | 'string'
  | 'uint1'
  | 'uint2'
  | 'uint4'
  | 'uint8'
  | 'wstring'
  | 'blob'
  | 'nclob'
  | 'clob'
  | 'boolean';

export interface DmsDataType {
  readonly type: DmsTypeName;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly length: number | null;
}

/** One DMS table-settings rule (reference/dms.md §6.3); `table` is an exact `schema.table`. */
export interface TableSetting {
  /** rule-name; null: `table-settings-<position>`. */
  readonly name: string | null;
  readonly table: string;
  readonly parallel_load: ParallelLoad | null;
  readonly lob: TableLob | null;
}

export type ParallelLoadType = 'partitions-auto' | 'subpartitions-auto' | 'partitions-list' | 'ranges' | 'none';

export interface ParallelLoad {
  readonly type: ParallelLoadType;
  /** ranges: the boundary columns, in order. */
  readonly columns: readonly string[];
  /** ranges: one row per boundary, a value per column. */
  readonly boundaries: readonly (readonly (string | number)[])[];
  /** partitions-list only. */
  readonly partitions: readonly string[];
  readonly subpartitions: readonly string[];
}

export interface TableLob {
  readonly mode: 'limited' | 'unlimited' | 'none';
  /** KB; required in limited mode. */
  readonly bulk_max_size_kb: number | null;
}

export interface TableSelection {
  /** `schema.table` patterns in DMS wildcard syntax (`%`, `_`, `[_]`). */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export type LobSettings =
  | { readonly mode: 'limited'; readonly max_size_kb: number }
  | { readonly mode: 'full'; readonly chunk_size_kb: number }
  | { readonly mode: 'none' };

export interface FullLoadTuning {
  readonly max_sub_tasks: number;
  readonly commit_rate: number;
  readonly target_table_prep_mode: 'DO_NOTHING' | 'DROP_AND_CREATE' | 'TRUNCATE_BEFORE_LOAD';
  readonly transaction_consistency_timeout: number;
}

export interface Heartbeat {
  readonly enabled: boolean;
  readonly frequency_minutes: number;
  readonly schema: string;
}

export interface Cutover {
  /** CDC lag under which writes may be fenced, seconds. */
  readonly max_lag_seconds: number;
  readonly fence: Fence;
  readonly sequences: SequenceSync;
  /** SQL files (relative to the plan) run on the target after sequences, before writes open. */
  readonly post_load_sql: readonly string[];
  /** A manual approval gate before the fence (and DMS validation must be clean when validation is on). */
  readonly validation_gate: boolean;
  /** Data verification after the drain, before writes open; null: none. */
  readonly verify: VerifySettings | null;
  readonly cleanup: Cleanup;
  /** Minutes each kind of wait gives up after (executor/waits.ts). */
  readonly timeouts: WaitTimeouts;
}

export interface WaitTimeouts {
  readonly task_minutes: number;
  readonly full_load_minutes: number;
  readonly lag_minutes: number;
  readonly marker_minutes: number;
  readonly slot_minutes: number;
}

export interface VerifySettings {
  readonly mode: 'count' | 'checksum' | 'rows';
  /** `schema.table` wildcards narrowing the tasks' tables; empty: all. */
  readonly tables: readonly string[];
  readonly allowed_mismatches: number;
  /** stop: the node fails, writes stay closed; warn: recorded, the cutover goes on. */
  readonly on_mismatch: 'stop' | 'warn';
  /** Connections per side. */
  readonly jobs: number;
  readonly chunk_rows: number;
}

export interface Fence {
  /**
   * - hba_reject: a managed pg_hba block rejecting the write roles, plus terminating their sessions.
   * - read_only: `ALTER ROLE … SET default_transaction_read_only = on` for the write roles, plus termination.
   */
  readonly method: 'hba_reject' | 'read_only';
  /** Roles to fence; defaults to source.write_roles. */
  readonly roles: readonly string[];
}

export interface SequenceSync {
  readonly enabled: boolean;
  /** Added to each source value, so the target never hands out a value the source already used. */
  readonly margin: number;
}

export interface Cleanup {
  readonly stop_task: boolean;
  readonly drop_slot: boolean;
  /** What happens to the replication instance, endpoints and tasks afterwards. */
  readonly dms_resources: 'keep' | 'delete';
}
