import * as dms from '@aws-sdk/client-database-migration-service';
import { describe, expect, test } from 'vitest';
import {
  replicationConfigRequest,
  replicationInstanceRequest,
  sourceEndpointRequest,
  tableMappings,
  targetEndpointRequest,
  taskRequest,
} from '../../../compiler/emit/dms-requests.js';
import { taskSettings } from '../../../compiler/emit/task-settings.js';
import type { Plan } from '../../../compiler/model/plan.js';
import { basePlan, cdcPlan, planWith, serverlessPlan } from '../../support/base-plan.js';
import { checkAgainstModel } from './dms-model.js';

const model = dms as unknown as Record<string, unknown>;

const secretsManagerPlan = planWith({
  dms: {
    credentials: {
      mode: 'secrets_manager',
      access_role_arn: 'arn:aws:iam::123456789012:role/dms-secrets',
      source_secret: 'pgferry/orders/source',
      target_secret: 'pgferry/orders/target',
    },
  },
});

const explicitSlotPlan: Plan = planWith({
  source: { version: { text: '13.14', major: '13', num: 130014 } },
  dms: {
    tasks: [{ ...cdcPlan.dms.tasks[0]!, migration_type: 'cdc', slot_name: 'pgferry_orders', plugin: 'pglogical' }],
  },
});

describe('DMS requests match the API model shipped with the SDK', () => {
  const plans: [string, Plan][] = [
    ['seed', basePlan],
    ['cdc', cdcPlan],
    ['secrets manager', secretsManagerPlan],
    ['explicit slot', explicitSlotPlan],
  ];
  test.each(plans)('%s', (_, plan) => {
    const problems = [
      ...checkAgainstModel(replicationInstanceRequest(plan), model.CreateReplicationInstanceMessage$),
      ...checkAgainstModel(sourceEndpointRequest(plan, 'orders'), model.CreateEndpointMessage$),
      ...checkAgainstModel(targetEndpointRequest(plan, 'orders'), model.CreateEndpointMessage$),
      ...plan.dms.tasks.flatMap((task) =>
        checkAgainstModel(JSON.parse(JSON.stringify(taskRequest(plan, task))), model.CreateReplicationTaskMessage$),
      ),
    ];
    expect(problems).toEqual([]);
  });

  test('a Serverless plan: CreateReplicationConfig with every ComputeConfig member', () => {
    const request = replicationConfigRequest(serverlessPlan, serverlessPlan.dms.tasks[0]!);
    expect(checkAgainstModel(JSON.parse(JSON.stringify(request)), model.CreateReplicationConfigMessage$)).toEqual([]);
    expect(request.ComputeConfig).toEqual({
      AvailabilityZone: 'eu-west-1a',
      DnsNameServers: '10.0.0.2',
      KmsKeyId: 'alias/orders-dms',
      MaxCapacityUnits: 16,
      MinCapacityUnits: 2,
      MultiAZ: false,
      PreferredMaintenanceWindow: 'sun:03:00-sun:03:30',
      ReplicationSubnetGroupId: 'orders-dms-subnets',
      VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    });
    // The same documents a task on an instance gets.
    const task = serverlessPlan.dms.tasks[0]!;
    expect(JSON.parse(request.TableMappings)).toEqual(tableMappings(task));
    expect(JSON.parse(request.ReplicationSettings)).toEqual(taskSettings(serverlessPlan, task));
    expect(() => replicationInstanceRequest(serverlessPlan)).toThrow(/Serverless/);
  });

  test('the model check catches unknown members and wrong types', () => {
    const bad = {
      ...sourceEndpointRequest(basePlan, 'orders'),
      PostgreSQLSettings: { MapUnboundedNumericAsString: true, Port: '5432' },
    };
    expect(checkAgainstModel(bad, model.CreateEndpointMessage$)).toEqual([
      '$.PostgreSQLSettings.MapUnboundedNumericAsString: unknown member of PostgreSQLSettings',
      '$.PostgreSQLSettings.Port: expected a number',
    ]);
  });
});

describe('endpoints', () => {
  test('ssm credentials become secret placeholders, never values', () => {
    const src = sourceEndpointRequest(basePlan, 'orders');
    expect(src.EndpointIdentifier).toBe('orders-orders-src');
    expect(src.PostgreSQLSettings.Password).toBe('@secret(ssm:/pgferry/orders/source/dms_user)');
    expect(src.PostgreSQLSettings.Username).toBe('dms_user');
    expect(src.SslMode).toBe('none');
  });

  test('secrets manager credentials name the secret and the role, and nothing else', () => {
    const tgt = targetEndpointRequest(secretsManagerPlan, 'orders');
    expect(tgt.PostgreSQLSettings).toMatchObject({
      SecretsManagerSecretId: 'pgferry/orders/target',
      SecretsManagerAccessRoleArn: 'arn:aws:iam::123456789012:role/dms-secrets',
      DatabaseName: 'orders',
    });
    expect(tgt.PostgreSQLSettings.Password).toBeUndefined();
    expect(tgt.PostgreSQLSettings.ServerName).toBeUndefined();
  });

  test('the target endpoint sets session_replication_role only with after_connect_script', () => {
    expect(targetEndpointRequest(basePlan, 'orders').PostgreSQLSettings.AfterConnectScript).toBe(
      'SET session_replication_role = replica',
    );
    const pg = planWith({ target: { fk_strategy: 'parameter_group', parameter_group: 'orders-pg' } });
    expect(targetEndpointRequest(pg, 'orders').PostgreSQLSettings.AfterConnectScript).toBeUndefined();
  });

  test('CDC source endpoints carry plugin, heartbeat and DDL capture; full-load ones do not capture DDL', () => {
    expect(sourceEndpointRequest(cdcPlan, 'orders').PostgreSQLSettings).toMatchObject({
      PluginName: 'test-decoding',
      HeartbeatEnable: true,
      HeartbeatFrequency: 5,
      HeartbeatSchema: 'public',
      CaptureDdls: true,
    });
    expect(sourceEndpointRequest(basePlan, 'orders').PostgreSQLSettings.CaptureDdls).toBe(false);
    expect(sourceEndpointRequest(basePlan, 'orders').PostgreSQLSettings.HeartbeatEnable).toBeUndefined();
  });

  test('an explicit slot goes to the endpoint, its start position to the task', () => {
    expect(sourceEndpointRequest(explicitSlotPlan, 'orders').PostgreSQLSettings).toMatchObject({
      SlotName: 'pgferry_orders',
      PluginName: 'pglogical',
    });
    const task = taskRequest(explicitSlotPlan, explicitSlotPlan.dms.tasks[0]!);
    expect(task.CdcStartPosition).toBe('@ref(source.slot.orders-cdc.create#lsn)');
  });

  test('Aurora targets use the aurora-postgresql engine name; underscores become hyphens in ids', () => {
    const plan = planWith({ target: { kind: 'aurora' }, name: 'shop_app' });
    expect(targetEndpointRequest(plan, 'orders')).toMatchObject({
      EngineName: 'aurora-postgresql',
      EndpointIdentifier: 'shop-app-orders-tgt',
    });
  });
});

describe('tasks', () => {
  test('ARNs are placeholders naming the nodes that create them', () => {
    const task = taskRequest(basePlan, basePlan.dms.tasks[0]!);
    expect(task).toMatchObject({
      ReplicationTaskIdentifier: 'orders-full-load',
      MigrationType: 'full-load',
      ReplicationInstanceArn: '@ref(dms.instance.orders-ri.create#arn)',
      SourceEndpointArn: '@ref(dms.endpoint.orders-orders-src.create#arn)',
      TargetEndpointArn: '@ref(dms.endpoint.orders-orders-tgt.create#arn)',
    });
    expect(task.Tags).toContainEqual({ Key: 'pgferry:plan', Value: 'orders' });
  });

  test('table mappings: includes then excludes with deterministic rule ids and names', () => {
    const task = {
      ...basePlan.dms.tasks[0]!,
      tables: { include: ['public.%', 'sales.order[_]%'], exclude: ['public.tmp_%'] },
    };
    expect(tableMappings(task).rules).toEqual([
      expect.objectContaining({
        'rule-id': '1',
        'rule-name': 'include-1',
        'rule-action': 'include',
        'object-locator': { 'schema-name': 'public', 'table-name': '%' },
      }),
      expect.objectContaining({
        'rule-id': '2',
        'rule-name': 'include-2',
        'object-locator': { 'schema-name': 'sales', 'table-name': 'order[_]%' },
      }),
      expect.objectContaining({ 'rule-id': '3', 'rule-name': 'exclude-1', 'rule-action': 'exclude' }),
    ]);
    const request = taskRequest(basePlan, task);
    expect(JSON.parse(request.TableMappings)).toEqual(tableMappings(task));
  });

  test('task settings: LOB mode, full load tuning, then plan overrides merged per section', () => {
    const task = {
      ...basePlan.dms.tasks[0]!,
      lob: { mode: 'full' as const, chunk_size_kb: 64 },
      settings: { Logging: { EnableLogContext: true }, FullLoadSettings: { CommitRate: 20000 } },
    };
    const settings = taskSettings(basePlan, task);
    expect(settings.TargetMetadata).toMatchObject({ SupportLobs: true, FullLobMode: true, LobChunkSize: 64 });
    expect(settings.Logging).toEqual({ EnableLogging: true, EnableLogContext: true });
    expect(settings.FullLoadSettings).toMatchObject({
      CommitRate: 20000,
      MaxFullLoadSubTasks: 8,
      TargetTablePrepMode: 'DO_NOTHING',
    });
    expect(JSON.parse(taskRequest(basePlan, task).ReplicationTaskSettings)).toEqual(
      JSON.parse(JSON.stringify(settings)),
    );
  });

  test('TRUNCATE during CDC fails the task loudly only where DMS honours it (PostgreSQL 12+)', () => {
    expect(taskSettings(cdcPlan, cdcPlan.dms.tasks[0]!).ErrorBehavior).toMatchObject({
      ApplyErrorFailOnTruncationDdl: true,
    });
    const old = planWith({ dms: { tasks: [{ ...cdcPlan.dms.tasks[0]! }] } });
    expect(taskSettings(old, old.dms.tasks[0]!).ErrorBehavior).toMatchObject({ ApplyErrorFailOnTruncationDdl: false });
  });
});

test('replication instance request pins engine and privacy, tags the plan', () => {
  const plan = planWith({ dms: { tags: { team: 'data', env: 'prod' } } });
  expect(replicationInstanceRequest(plan)).toEqual({
    ReplicationInstanceIdentifier: 'orders-ri',
    ReplicationInstanceClass: 'dms.t3.medium',
    AllocatedStorage: 50,
    EngineVersion: '3.5.4',
    MultiAZ: false,
    PubliclyAccessible: false,
    AutoMinorVersionUpgrade: false,
    VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    ReplicationSubnetGroupIdentifier: 'orders-dms-subnets',
    KmsKeyId: undefined,
    PreferredMaintenanceWindow: undefined,
    Tags: [
      { Key: 'pgferry:plan', Value: 'orders' },
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: 'data' },
    ],
  });
});
