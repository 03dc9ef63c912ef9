// AWS DMS API inputs, typed by the SDK's own `*CommandInput` types (`satisfies`), so a member the API
// does not know or a wrong enum value fails the type check. ARNs of resources created earlier in the
// run are `@ref(<node id>#arn)` placeholders; passwords are `@secret(…)` placeholders.

import type {
  ComputeConfig,
  CreateEndpointCommandInput,
  CreateReplicationConfigCommandInput,
  CreateReplicationInstanceCommandInput,
  CreateReplicationTaskCommandInput,
  PostgreSQLSettings,
  Tag,
} from '@aws-sdk/client-database-migration-service';
import { canonicalJson } from '../../contracts/canonical-json.js';
import { refPlaceholder, secretPlaceholder } from '../../contracts/secret-ref.js';
import { sourceEndpointId, targetDatabase, targetEndpointId, tasksOf } from '../model/names.js';
import { nodeId } from '../model/node-ids.js';
import type { Plan, Task } from '../model/plan.js';
import { isCdc } from '../model/task-kind.js';
import { tableMappings } from './table-mappings.js';
import { taskSettings } from './task-settings.js';

export { tableMappings };

/** Seconds; the DMS default of 60 is short for full-load scans of big tables. */
const EXECUTE_TIMEOUT_SECONDS = 300;

export const SESSION_REPLICATION_ROLE_SCRIPT = 'SET session_replication_role = replica';

export function tags(plan: Plan): Tag[] {
  const extra = Object.keys(plan.dms.tags)
    .filter((key) => key !== 'pgferry:plan')
    .sort()
    .map((key) => ({ Key: key, Value: plan.dms.tags[key] }));
  return [{ Key: 'pgferry:plan', Value: plan.name }, ...extra];
}

/** CreateReplicationInstance; only for a plan with a replication instance (not Serverless). */
export function replicationInstanceRequest(plan: Plan) {
  const ri = plan.dms.replication_instance;
  if (ri === null) throw new Error(`plan ${plan.name} has no replication instance (it runs on DMS Serverless)`);
  return {
    ReplicationInstanceIdentifier: ri.identifier,
    ReplicationInstanceClass: ri.class,
    AllocatedStorage: ri.allocated_storage,
    EngineVersion: ri.engine_version,
    MultiAZ: ri.multi_az,
    PubliclyAccessible: ri.publicly_accessible,
    AutoMinorVersionUpgrade: ri.auto_minor_version_upgrade,
    VpcSecurityGroupIds: ri.security_groups.length > 0 ? [...ri.security_groups] : undefined,
    ReplicationSubnetGroupIdentifier: ri.subnet_group ?? undefined,
    KmsKeyId: ri.kms_key_id ?? undefined,
    PreferredMaintenanceWindow: ri.preferred_maintenance_window ?? undefined,
    Tags: tags(plan),
  } satisfies CreateReplicationInstanceCommandInput;
}

function credentials(
  plan: Plan,
  side: 'source' | 'target',
): Pick<
  PostgreSQLSettings,
  'ServerName' | 'Port' | 'Username' | 'Password' | 'SecretsManagerSecretId' | 'SecretsManagerAccessRoleArn'
> {
  const creds = plan.dms.credentials;
  if (creds.mode === 'secrets_manager') {
    return {
      SecretsManagerSecretId: side === 'source' ? creds.source_secret : creds.target_secret,
      SecretsManagerAccessRoleArn: creds.access_role_arn,
    };
  }
  const end = side === 'source' ? plan.source : plan.target;
  const user = side === 'source' ? plan.source.migration_user : plan.target.migration_user;
  return { ServerName: end.host, Port: end.port, Username: user.name, Password: secretPlaceholder(user.password) };
}

/** The CDC task of a database that decides the source endpoint's slot, plugin and heartbeat. */
function cdcTaskOf(plan: Plan, database: string): Task | undefined {
  return tasksOf(plan, database).find((task) => isCdc(task));
}

export function sourceEndpointRequest(plan: Plan, database: string) {
  const cdc = cdcTaskOf(plan, database);
  const settings: PostgreSQLSettings = {
    ...credentials(plan, 'source'),
    DatabaseName: database,
    ExecuteTimeout: EXECUTE_TIMEOUT_SECONDS,
    // DDL capture installs an event trigger and a table on the source; only CDC can use it.
    CaptureDdls: cdc !== undefined,
    ...(cdc === undefined
      ? {}
      : {
          PluginName: cdc.plugin,
          DdlArtifactsSchema: cdc.heartbeat.schema,
          HeartbeatEnable: cdc.heartbeat.enabled,
          // Always sent: an unset frequency has been seen to mean a tight loop (reference/dms.md §8).
          HeartbeatFrequency: cdc.heartbeat.frequency_minutes,
          HeartbeatSchema: cdc.heartbeat.schema,
          SlotName: cdc.slot_name ?? undefined,
        }),
  };
  return {
    EndpointIdentifier: sourceEndpointId(plan, database),
    EndpointType: 'source',
    EngineName: 'postgres',
    SslMode: plan.source.ssl ? 'require' : 'none',
    PostgreSQLSettings: settings,
    Tags: tags(plan),
  } satisfies CreateEndpointCommandInput;
}

/** The identifier of the certificate apply imports from target.ca_certificate.pem. */
export const targetCertificateId = (plan: Plan) => `${plan.name}-target-ca`;

/**
 * CertificateArn for the target endpoint: only with verify-ca/verify-full, where DMS checks the
 * server's certificate against it: the plan's ARN, or the one the import node outputs.
 */
function targetCertificateArn(plan: Plan): string | undefined {
  const certificate = plan.target.ca_certificate;
  if (certificate === null || !plan.target.ssl_mode.startsWith('verify-')) return undefined;
  return 'arn' in certificate
    ? certificate.arn
    : refPlaceholder(nodeId.dmsCertificateImport(targetCertificateId(plan)), 'arn');
}

export function targetEndpointRequest(plan: Plan, database: string) {
  const settings: PostgreSQLSettings = {
    ...credentials(plan, 'target'),
    DatabaseName: targetDatabase(plan, database),
    ExecuteTimeout: EXECUTE_TIMEOUT_SECONDS,
    MaxFileSize: 32768,
    AfterConnectScript:
      plan.target.fk_strategy === 'after_connect_script' ? SESSION_REPLICATION_ROLE_SCRIPT : undefined,
  };
  return {
    EndpointIdentifier: targetEndpointId(plan, database),
    EndpointType: 'target',
    EngineName: plan.target.kind === 'aurora' ? 'aurora-postgresql' : 'postgres',
    SslMode: plan.target.ssl_mode,
    CertificateArn: targetCertificateArn(plan),
    PostgreSQLSettings: settings,
    Tags: tags(plan),
  } satisfies CreateEndpointCommandInput;
}

export function taskRequest(plan: Plan, task: Task) {
  const explicitSlot = task.slot_name !== null && task.migration_type === 'cdc';
  const ri = plan.dms.replication_instance;
  if (ri === null) throw new Error(`plan ${plan.name} runs on DMS Serverless: task ${task.id} is a replication config`);
  return {
    ReplicationTaskIdentifier: task.id,
    MigrationType: task.migration_type,
    ReplicationInstanceArn: refPlaceholder(nodeId.dmsInstanceCreate(ri.identifier), 'arn'),
    SourceEndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(sourceEndpointId(plan, task.database)), 'arn'),
    TargetEndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(targetEndpointId(plan, task.database)), 'arn'),
    TableMappings: canonicalJson(tableMappings(task), 0),
    ReplicationTaskSettings: canonicalJson(taskSettings(plan, task), 0),
    CdcStartPosition: explicitSlot ? refPlaceholder(nodeId.sourceSlotCreate(task.id), 'lsn') : undefined,
    Tags: [...tags(plan), { Key: 'pgferry:database', Value: task.database }],
  } satisfies CreateReplicationTaskCommandInput;
}

/** ComputeConfig of every replication config of a Serverless plan. */
export function computeConfig(plan: Plan) {
  const serverless = plan.dms.serverless;
  if (serverless === null) throw new Error(`plan ${plan.name} has no dms.serverless`);
  return {
    MaxCapacityUnits: serverless.max_capacity_units,
    MinCapacityUnits: serverless.min_capacity_units ?? undefined,
    MultiAZ: serverless.multi_az,
    AvailabilityZone: serverless.availability_zone ?? undefined,
    ReplicationSubnetGroupId: serverless.subnet_group ?? undefined,
    VpcSecurityGroupIds: serverless.security_groups.length > 0 ? [...serverless.security_groups] : undefined,
    KmsKeyId: serverless.kms_key_id ?? undefined,
    PreferredMaintenanceWindow: serverless.preferred_maintenance_window ?? undefined,
    // The API takes one comma-separated string.
    DnsNameServers: serverless.dns_name_servers.length > 0 ? serverless.dns_name_servers.join(',') : undefined,
  } satisfies ComputeConfig;
}

/**
 * CreateReplicationConfig for a task of a Serverless plan: the task's endpoints, table mappings and
 * settings (the same documents a task on an instance gets) and the plan's compute configuration.
 */
export function replicationConfigRequest(plan: Plan, task: Task) {
  return {
    ReplicationConfigIdentifier: task.id,
    ReplicationType: task.migration_type,
    SourceEndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(sourceEndpointId(plan, task.database)), 'arn'),
    TargetEndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(targetEndpointId(plan, task.database)), 'arn'),
    ComputeConfig: computeConfig(plan),
    TableMappings: canonicalJson(tableMappings(task), 0),
    ReplicationSettings: canonicalJson(taskSettings(plan, task), 0),
    Tags: [...tags(plan), { Key: 'pgferry:database', Value: task.database }],
  } satisfies CreateReplicationConfigCommandInput;
}
