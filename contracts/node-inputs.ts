// What each graph node kind carries in `GraphNode.input`, and which outputs it hands to later nodes.
// Over 400 lines on purpose: one table of every node kind, so a kind's input and outputs are found, and
// compared with its neighbours', in one place.
// The compiler builds inputs against these types; the executor implements one handler per kind against
// them; the diff helper reads them to explain impact. The AWS DMS requests are the SDK's own
// `*CommandInput` types, so the SDK is the contract: a member the API does not know is a type error.
//
// Run-time values are placeholder strings (contracts/secret-ref.ts):
// - `@ref(<node id>#<output>)`: an output of an upstream node (an ARN, a slot name, an LSN);
// - `@secret(ssm:/path)` (or `secretsManager:`/`env:`): a secret the executor resolves right before use.
// The executor replaces every placeholder string anywhere inside `input` (deeply) before it acts.
//
// Artifact paths are relative to the compiled output directory (`pgferry compile -o build/`).

import type {
  CreateEndpointCommandInput,
  CreateReplicationConfigCommandInput,
  CreateReplicationInstanceCommandInput,
  CreateReplicationTaskCommandInput,
  DeleteCertificateCommandInput,
  DeleteEndpointCommandInput,
  DeleteReplicationConfigCommandInput,
  DeleteReplicationInstanceCommandInput,
  DeleteReplicationTaskCommandInput,
  StartReplicationCommandInput,
  StartReplicationTaskAssessmentRunCommandInput,
  StartReplicationTaskCommandInput,
  StopReplicationCommandInput,
  StopReplicationTaskCommandInput,
  TestConnectionCommandInput,
} from '@aws-sdk/client-database-migration-service';
import type {
  ModifyDBClusterParameterGroupCommandInput,
  ModifyDBParameterGroupCommandInput,
  ResetDBClusterParameterGroupCommandInput,
  ResetDBParameterGroupCommandInput,
} from '@aws-sdk/client-rds';
import type { NodeKind } from './graph.js';

/** `@ref(<node id>#<output>)`. */
export type RefString = `@ref(${string}#${string})`;
/** `@secret(ssm:/path)`, `@secret(secretsManager:…)`, `@secret(env:NAME)`. */
export type SecretString = `@secret(${string})`;

/** How the executor reaches the pgferry agent on the source host. */
export interface AgentAccessInput {
  readonly url: string;
  /** Bearer token, always a placeholder. */
  readonly token: SecretString;
}

/** A direct PostgreSQL connection (target always; source only for reading sequence values). */
export interface PgConnectionInput {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: SecretString;
  /** libpq sslmode; `none` means `disable`. */
  readonly sslMode: 'none' | 'require' | 'verify-ca' | 'verify-full';
}

/** A DMS API call: the SDK input (with placeholders) and the artifact holding the same request. */
export interface DmsRequestInput<R> {
  /** Artifact that holds `request` as reviewable JSON, or null when the request is built inline only. */
  readonly artifact: string | null;
  readonly region: string;
  readonly request: R;
}

/**
 * The parameter group of an RDS instance (`kind: rds`, a DB parameter group) or an Aurora cluster
 * (`kind: aurora`, its DB cluster parameter group) that carries `session_replication_role` for
 * fk_strategy parameter_group, and the target databases a new session checks it on.
 */
export interface RdsParameterGroupTarget {
  readonly region: string;
  readonly kind: 'rds' | 'aurora';
  /** DBInstanceIdentifier (rds) or DBClusterIdentifier (aurora). */
  readonly identifier: string;
  readonly parameterGroup: string;
  readonly parameter: 'session_replication_role';
  /** One per target database: a new session on each must see the value once the group is in sync. */
  readonly connections: readonly PgConnectionInput[];
}

export interface NodeInputs {
  /** Checks that an SSM parameter exists and is readable (never records its value). */
  SsmParameterResolve: {
    readonly parameter: string;
    readonly withDecryption: true;
  };
  /** Read-only checks on the source through the agent (`POST /v1/preflight` with the bundle). */
  SourcePreflight: {
    readonly agent: AgentAccessInput;
    readonly bundle: 'source/bundle.json';
    readonly bundleHash: string;
    readonly databases: readonly string[];
  };
  /** Creates the migration role if it does not exist (bundle role with `create: true`). */
  SourceRoleEnsure: {
    readonly agent: AgentAccessInput;
    readonly bundle: 'source/bundle.json';
    readonly bundleHash: string;
    readonly role: string;
  };
  /** `POST /v1/plans` then `POST /v1/plans/{id}/apply` without a restart. */
  SourceConfigApply: {
    readonly agent: AgentAccessInput;
    readonly bundle: 'source/bundle.json';
    readonly bundleHash: string;
    readonly allowRestart: false;
  };
  /** Consented `POST /v1/restart`; a no-op when nothing is pending. */
  SourceRestart: {
    readonly agent: AgentAccessInput;
    readonly bundleHash: string;
    readonly onlyIfPending: true;
    /** Settings whose change needs the restart, for the consent prompt. */
    readonly restartSettings: readonly string[];
  };
  SourceWriteFence: {
    readonly agent: AgentAccessInput;
    readonly bundleHash: string;
    readonly method: 'hba_reject' | 'read_only';
    readonly roles: readonly string[];
    readonly databases: readonly string[];
    /** Terminate the fenced roles' sessions after fencing. */
    readonly terminateSessions: true;
  };
  SourceWriteUnfence: {
    readonly agent: AgentAccessInput;
    readonly bundleHash: string;
    readonly method: 'hba_reject' | 'read_only';
    readonly roles: readonly string[];
    readonly databases: readonly string[];
  };
  /** Records the source's current WAL position after the fence; outputs `lsn`. */
  SourceMarkerWrite: {
    readonly agent: AgentAccessInput;
    readonly database: string;
    /** The replication task whose slot MarkerWait watches. */
    readonly task: string;
  };
  /** Creates a named logical slot (explicit `slot_name`); outputs `slotName` and `lsn` (consistent point). */
  SourceSlotCreate: {
    readonly agent: AgentAccessInput;
    readonly database: string;
    readonly slot: string;
    readonly plugin: 'test_decoding' | 'pglogical';
    readonly task: string;
  };
  /** Guarded `DELETE /v1/slots/{name}`; the slot is a name or `@ref(dms.task.<id>.start#slotName)`. */
  SourceSlotDrop: {
    readonly agent: AgentAccessInput;
    readonly database: string;
    readonly slot: string;
    readonly task: string;
  };
  /**
   * Runs `sql` on the target database (fk strategy, schema checks). Target SQL artifacts hold statements
   * separated by blank lines (none inside a statement); run them one by one in autocommit mode when one
   * refuses a transaction block, as ALTER SYSTEM does (executor/sql-split.ts splits and decides).
   */
  TargetPrepare: {
    readonly connection: PgConnectionInput;
    readonly sourceDatabase: string;
    readonly sql: string;
    readonly fkStrategy: 'after_connect_script' | 'parameter_group' | 'disable_triggers' | 'alter_system';
    /** When fkStrategy is parameter_group: the group whose `session_replication_role` must be `replica`. */
    readonly parameterGroup: string | null;
  };
  /**
   * Runs the plan's SQL files (paths relative to the plan file, in order), then `sql` (an artifact) when
   * not null. Used after the full load (`post_load_sql` of the target) and at cutover (`post_load_sql` of
   * the cutover).
   */
  TargetPostLoad: {
    readonly connection: PgConnectionInput;
    readonly files: readonly string[];
    readonly sql: string | null;
  };
  /**
   * Reads every sequence's value on the source with `readSql` (columns: schema, name, last_value,
   * is_called), then runs the artifact `sql` on the target with one parameter `$1`: that result as a
   * JSON array of `{schema, name, last_value}`. The SQL adds the margin; it skips sequences absent on
   * the target and returns one row per sequence set.
   */
  TargetSequenceSync: {
    readonly connection: PgConnectionInput;
    readonly source: PgConnectionInput;
    readonly readSql: string;
    readonly sql: string;
    readonly margin: number;
  };
  /**
   * Compares the data (and schema, sequences) of a source database with its target database from one
   * read-only snapshot each (verify/). `selection` is a SQL predicate over `pg_class c JOIN pg_namespace n`
   * choosing the tables the plan's tasks migrate; `tables` narrows it (`schema.table` wildcards). The node
   * fails when mismatches exceed `allowedMismatches` and `onMismatch` is `stop`, so writes never open.
   */
  DataVerify: {
    readonly connection: PgConnectionInput;
    readonly source: PgConnectionInput;
    readonly sourceDatabase: string;
    readonly mode: 'count' | 'checksum' | 'rows';
    readonly selection: string;
    readonly tables: readonly string[];
    readonly allowedMismatches: number;
    readonly onMismatch: 'stop' | 'warn';
    readonly jobs: number;
    readonly chunkRows: number;
    readonly postLoadSql: readonly string[];
  };
  /**
   * Runs `sql` (re-enable triggers / reset settings). With parameter_group the group is reverted first,
   * by its own node (RdsParameterGroupRevert), and `sql` checks new sessions are origin again.
   */
  TargetFkRestore: {
    readonly connection: PgConnectionInput;
    readonly sql: string;
    readonly fkStrategy: 'after_connect_script' | 'parameter_group' | 'disable_triggers' | 'alter_system';
    readonly parameterGroup: string | null;
  };
  /**
   * Sets `session_replication_role = replica` in the target's parameter group (ApplyMethod immediate:
   * the parameter is dynamic), after checking that the group is the one attached to the instance
   * (DescribeDBInstances) or cluster (DescribeDBClusters). Records the group's value before the change
   * (output `previousValue`, '' when the group leaves it to the engine default) in the journal before it
   * modifies anything, waits until the instance (every cluster member) reports the group `in-sync`, and
   * checks the value from a new session on every target database.
   */
  RdsParameterGroupApply: RdsParameterGroupTarget & {
    readonly value: 'replica';
    readonly request: ModifyDBParameterGroupCommandInput | ModifyDBClusterParameterGroupCommandInput;
  };
  /**
   * Puts the parameter back as it was (`previous`, apply's `previousValue`): `restore` (Modify… with that
   * value) when the group had one, `reset` (Reset… to the engine default) when it had none; waits for
   * `in-sync` and checks a new session on every target database sees the value back. Idempotent: run at
   * cutover before the foreign keys are checked, and again as apply's compensation on abort.
   */
  RdsParameterGroupRevert: RdsParameterGroupTarget & {
    readonly previous: string;
    readonly restore: ModifyDBParameterGroupCommandInput | ModifyDBClusterParameterGroupCommandInput;
    readonly reset: ResetDBParameterGroupCommandInput | ResetDBClusterParameterGroupCommandInput;
  };
  DmsReplicationInstanceCreate: DmsRequestInput<CreateReplicationInstanceCommandInput>;
  DmsEndpointCreate: DmsRequestInput<CreateEndpointCommandInput> & {
    readonly side: 'source' | 'target';
    readonly database: string;
  };
  DmsConnectionTest: DmsRequestInput<TestConnectionCommandInput> & { readonly endpoint: string };
  DmsTaskCreate: DmsRequestInput<CreateReplicationTaskCommandInput> & {
    readonly tableMappings: string;
    readonly taskSettings: string;
  };
  /**
   * `StartReplicationTask` with `start-replication`. For CDC tasks the executor then reads the slot DMS
   * created (or the explicit one) and records it as output `slotName`; full-load tasks output `''`.
   */
  DmsTaskStart: DmsRequestInput<StartReplicationTaskCommandInput> & {
    readonly task: string;
    readonly database: string;
    readonly migrationType: 'full-load' | 'cdc' | 'full-load-and-cdc';
    /** The explicit slot name, or null when DMS names it. */
    readonly slot: string | null;
    /** The plan lets apply restart a failed task DMS cannot resume with reload-target (gate `reload-target`). */
    readonly allowReload: boolean;
  };
  /**
   * AWS's premigration assessments of a created task, before it starts: StartReplicationTaskAssessmentRun
   * (adopting the task's run of the same AssessmentRunName: resume never starts a second one), waits
   * (DescribeReplicationTaskAssessmentRuns: starting → provisioning → running → passed | warning | failed |
   * error-provisioning | error-executing), reads the individual results
   * (DescribeReplicationTaskIndividualAssessments) and fails on a failed one or a run in error; warnings
   * are listed. Outputs the run's ARN and name (recorded as soon as it exists), status, failed and warnings.
   */
  DmsAssessmentRun: DmsRequestInput<StartReplicationTaskAssessmentRunCommandInput> & { readonly task: string };
  /** Polls DescribeReplicationTasks until the full load finished (FullLoadProgressPercent 100 / stopped). */
  DmsFullLoadWait: {
    readonly region: string;
    readonly taskArn: string;
    readonly task: string;
    readonly migrationType: 'full-load' | 'cdc' | 'full-load-and-cdc';
  };
  DmsTaskStop: DmsRequestInput<StopReplicationTaskCommandInput> & { readonly task: string };
  DmsTaskDelete: DmsRequestInput<DeleteReplicationTaskCommandInput> & { readonly task: string };
  DmsEndpointDelete: DmsRequestInput<DeleteEndpointCommandInput> & { readonly endpoint: string };
  DmsReplicationInstanceDelete: DmsRequestInput<DeleteReplicationInstanceCommandInput> & {
    readonly instance: string;
  };
  /**
   * Imports the plan's CA certificate (target.ca_certificate.pem) into DMS with ImportCertificate,
   * adopting one of the same identifier (DescribeCertificates); the PEM is read from `pem` (relative
   * to the plan) when the node runs. Output `arn`: the target endpoint's CertificateArn.
   */
  DmsCertificateImport: {
    readonly region: string;
    readonly certificate: string;
    readonly pem: string;
  };
  DmsCertificateDelete: DmsRequestInput<DeleteCertificateCommandInput> & { readonly certificate: string };
  /**
   * DMS Serverless: CreateReplicationConfig for one task (endpoints, table mappings, replication settings
   * and compute), adopting a config of the same identifier. `tableMappings` and `replicationSettings`
   * name the artifacts the request's TableMappings and ReplicationSettings were written to. Output `arn`.
   */
  DmsReplicationConfigCreate: DmsRequestInput<CreateReplicationConfigCommandInput> & {
    readonly task: string;
    readonly tableMappings: string;
    readonly replicationSettings: string;
  };
  /**
   * StartReplication with `start-replication`, then DescribeReplications until it runs (DMS provisions
   * capacity first). For CDC the executor then attributes the slot DMS created, like DmsTaskStart.
   * Outputs `configArn`, `startType` and `slotName` (`''` for full load).
   */
  DmsReplicationStart: DmsRequestInput<StartReplicationCommandInput> & {
    readonly task: string;
    readonly database: string;
    readonly migrationType: 'full-load' | 'cdc' | 'full-load-and-cdc';
    /** Serverless has no custom CDC start points (PGF3232): DMS names the slot. */
    readonly slot: null;
    readonly allowReload: boolean;
  };
  /** Polls DescribeReplications until the replication's full load finished (ReplicationStats). */
  DmsReplicationFullLoadWait: {
    readonly region: string;
    readonly configArn: string;
    readonly task: string;
    readonly migrationType: 'full-load' | 'cdc' | 'full-load-and-cdc';
  };
  DmsReplicationStop: DmsRequestInput<StopReplicationCommandInput> & { readonly task: string };
  /** DeleteReplicationConfig, after stopping the replication if it runs. */
  DmsReplicationConfigDelete: DmsRequestInput<DeleteReplicationConfigCommandInput> & { readonly task: string };
  /**
   * Waits until the replication lag is below the threshold. DMS: the task runs, then the slot's confirmed
   * lag from the agent. Logical: the subscription's slot (named in `slot`) from the agent.
   */
  CdcLagWait:
    | {
        readonly engine: 'dms';
        readonly region: string;
        readonly task: string;
        /** The task's ARN, or on DMS Serverless the replication config's. */
        readonly taskArn: string;
        /** The task is a DMS Serverless replication (DescribeReplications, not DescribeReplicationTasks). */
        readonly serverless?: true;
        readonly maxLagSeconds: number;
      }
    | {
        readonly engine: 'logical';
        readonly task: string;
        readonly slot: string;
        readonly maxLagSeconds: number;
      };
  /** Waits until the slot confirmed `lsn` (the marker) on the source. */
  MarkerWait: {
    readonly agent: AgentAccessInput;
    readonly database: string;
    readonly task: string;
    readonly slot: string;
    readonly lsn: string;
  };
  /**
   * `CREATE PUBLICATION <publication>` on the source database, over a direct connection (`source`, the
   * executor's `--source-url` overriding the address): always `FOR TABLE …` with the tables matching
   * `include` and not `exclude` (DMS wildcards, table-patterns.ts), resolved against the source catalog
   * at run time, never a table of pgferry's own schema (`FOR ALL TABLES` cannot leave out the agent's
   * marker table, which the target does not have). An existing publication of that name is adopted and
   * its table list brought up to date. Outputs `publication` and `tables` (how many it carries).
   */
  LogicalPublicationCreate: {
    readonly source: PgConnectionInput;
    readonly task: string;
    readonly publication: string;
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    /** The plan's source `server_version_num`: publications need 10+ (graph verification refuses less). */
    readonly sourceVersionNum: number;
  };
  /** `DROP PUBLICATION IF EXISTS` on the source (after the subscription is gone, and on abort). */
  LogicalPublicationDrop: {
    readonly source: PgConnectionInput;
    readonly task: string;
    readonly publication: string;
  };
  /**
   * `CREATE SUBSCRIPTION <subscription> CONNECTION <publisher> PUBLICATION <publication> WITH (copy_data,
   * create_slot = true, slot_name = <slot>)` on the target database. The subscription creates the slot on
   * the source. `publisher` is the source as the target reaches it (the plan's address, the migration
   * user); its password is resolved right before use. An existing subscription is adopted. Outputs
   * `subscription` and `slotName`.
   */
  LogicalSubscriptionCreate: {
    readonly connection: PgConnectionInput;
    readonly publisher: PgConnectionInput;
    readonly task: string;
    /** The source database (TargetPrepare's `sourceDatabase`). */
    readonly database: string;
    readonly subscription: string;
    readonly publication: string;
    readonly slot: string;
    /** false for `migration_type: cdc` (only changes from now on). */
    readonly copyData: boolean;
    readonly migrationType: 'full-load' | 'cdc' | 'full-load-and-cdc';
    /** Logical replication copies no DDL: the plan must pre-create the schema (graph verification). */
    readonly schemaStrategy: 'pre_created' | 'dms_creates';
  };
  /** Polls the target until every table of the subscription is ready (`pg_subscription_rel.srsubstate = 'r'`). */
  LogicalSyncWait: {
    readonly connection: PgConnectionInput;
    readonly task: string;
    readonly subscription: string;
  };
  /**
   * `ALTER SUBSCRIPTION … DISABLE` then `DROP SUBSCRIPTION` on the target, which drops the slot on the
   * source; a slot left behind (source unreachable from the target) is dropped over `source`. Absent
   * subscription: nothing to do.
   */
  LogicalSubscriptionDrop: {
    readonly connection: PgConnectionInput;
    readonly source: PgConnectionInput;
    readonly task: string;
    readonly subscription: string;
    readonly slot: string;
  };
  /** Stops until a person approves; provides `gate.<gate>.approved`. */
  ManualGate: {
    readonly gate: string;
    readonly prompt: string;
  };
}

/** The input type of one node kind. */
export type NodeInput<K extends NodeKind> = NodeInputs[K];

/** Outputs each kind records in the journal for `@ref(<node id>#<output>)` placeholders. */
export const NODE_OUTPUTS = {
  SsmParameterResolve: ['parameter', 'version'],
  SourcePreflight: ['serverVersionNum', 'systemIdentifier'],
  SourceConfigApply: ['planHash', 'changed', 'restartRequired', 'pendingRestart', 'backupId', 'settingChanges'],
  SourceRestart: ['restarted'],
  SourceRoleEnsure: [],
  SourceWriteFence: ['fencedAt', 'terminatedSessions', 'method'],
  SourceWriteUnfence: [],
  SourceMarkerWrite: ['lsn'],
  SourceSlotCreate: ['slotName', 'lsn'],
  SourceSlotDrop: [],
  LogicalPublicationCreate: ['publication', 'tables'],
  LogicalPublicationDrop: ['dropped'],
  LogicalSubscriptionCreate: ['subscription', 'slotName'],
  LogicalSyncWait: ['tables'],
  LogicalSubscriptionDrop: ['dropped', 'slotDropped'],
  TargetPrepare: [],
  TargetPostLoad: [],
  TargetSequenceSync: ['sequences'],
  TargetFkRestore: [],
  RdsParameterGroupApply: ['previousValue', 'applyStatus', 'checkedDatabases'],
  RdsParameterGroupRevert: ['restoredValue', 'applyStatus', 'checkedDatabases'],
  DataVerify: ['result', 'rows', 'mismatches', 'errors'],
  DmsReplicationInstanceCreate: ['arn'],
  DmsEndpointCreate: ['arn'],
  DmsConnectionTest: [],
  DmsTaskCreate: ['arn'],
  DmsTaskStart: ['taskArn', 'startType', 'slotName'],
  DmsFullLoadWait: [],
  DmsAssessmentRun: ['runArn', 'runName', 'status', 'failed', 'warnings'],
  DmsTaskStop: [],
  DmsTaskDelete: [],
  DmsEndpointDelete: [],
  DmsReplicationInstanceDelete: [],
  DmsCertificateImport: ['arn'],
  DmsCertificateDelete: [],
  DmsReplicationConfigCreate: ['arn'],
  DmsReplicationStart: ['configArn', 'startType', 'slotName'],
  DmsReplicationFullLoadWait: [],
  DmsReplicationStop: [],
  DmsReplicationConfigDelete: [],
  CdcLagWait: ['lagBytes'],
  MarkerWait: [],
  ManualGate: ['approvedBy'],
} as const satisfies { readonly [K in NodeKind]: readonly string[] };

export type NodeOutput<K extends NodeKind> = (typeof NODE_OUTPUTS)[K][number];

/** Artifact paths, one place for the compiler, the executor and the diff. */
export const artifactPath = {
  bundle: 'source/bundle.json',
  hbaSnippet: 'source/pg_hba.conf.snippet',
  confSnippet: 'source/postgresql.conf.snippet',
  patroniSnippet: 'source/patroni.yaml.snippet',
  targetPrepare: (db: string) => `target/${db}/prepare.sql`,
  targetPostLoad: (db: string) => `target/${db}/post-load.sql`,
  targetSequences: (db: string) => `target/${db}/sequences.sql`,
  targetCutover: (db: string) => `target/${db}/cutover.sql`,
  replicationInstance: 'dms/replication-instance.json',
  endpoint: (id: string) => `dms/endpoints/${id}.json`,
  task: (id: string) => `dms/tasks/${id}.json`,
  tableMappings: (id: string) => `dms/tasks/${id}.table-mappings.json`,
  taskSettings: (id: string) => `dms/tasks/${id}.task-settings.json`,
  replicationConfig: (id: string) => `dms/replications/${id}.json`,
  replicationTableMappings: (id: string) => `dms/replications/${id}.table-mappings.json`,
  replicationSettings: (id: string) => `dms/replications/${id}.replication-settings.json`,
} as const;
