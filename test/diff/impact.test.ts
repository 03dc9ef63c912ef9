// The impact summary of pgferry diff, table-driven: each plan edit and the impact lines it must give, and
// how each DMS request member changes (modify in place, tags, replace) as the SDK's types say.
// Over 400 lines on purpose: one table of edits shares the plan builders at the top; split, each part
// would repeat them.

import { describe, expect, it } from 'vitest';
import { tableMappings } from '../../compiler/emit/table-mappings.js';
import type { TableSetting, Task } from '../../compiler/model/plan.js';
import { memberChange } from '../../contracts/dms-mutability.js';
import { diffPlans } from '../../diff/plan-diff.js';
import { basePlan, cdcPlan, planWith, transformation } from '../support/base-plan.js';
import {
  artifactsWith,
  baseBundle,
  baseInstance,
  endpoint,
  graphOf,
  node,
  type SideSpec,
  side,
  task,
} from './support/sides.js';

/** The side's task artifact with the TableMappings the base task patched compiles to. */
function mappingsOf(patch: Partial<Task>) {
  const mappings = tableMappings({ ...basePlan.dms.tasks[0]!, ...patch });
  return artifactsWith({
    'dms/tasks/orders-full-load.json': task('orders-full-load', { TableMappings: JSON.stringify(mappings) }),
  });
}

function tableSetting(boundary: string[]): TableSetting {
  return {
    name: null,
    table: 'public.orders',
    lob: null,
    parallel_load: { type: 'ranges', columns: ['id'], boundaries: [boundary], partitions: [], subpartitions: [] },
  };
}

/** `severity kind: message` lines of the impact summary, for compact expectations. */
function impactOf(before: SideSpec, after: SideSpec): string[] {
  return diffPlans(side('old', before), side('new', after)).impact.map((c) => `${c.severity} ${c.kind}: ${c.message}`);
}

describe('DMS members: modify in place or replace, from the SDK types', () => {
  it.each([
    ['replication-instance', 'ReplicationInstanceClass', 'modify'],
    ['replication-instance', 'EngineVersion', 'modify'],
    ['replication-instance', 'ReplicationSubnetGroupIdentifier', 'replace'],
    ['replication-instance', 'PubliclyAccessible', 'replace'],
    ['replication-instance', 'KmsKeyId', 'replace'],
    ['replication-instance', 'Tags', 'tags'],
    ['endpoint', 'PostgreSQLSettings', 'modify'],
    ['endpoint', 'KmsKeyId', 'replace'],
    ['task', 'MigrationType', 'modify'],
    ['task', 'TableMappings', 'modify'],
    ['task', 'ReplicationTaskSettings', 'modify'],
    ['task', 'SourceEndpointArn', 'replace'],
    ['task', 'ReplicationInstanceArn', 'replace'],
  ] as const)('%s %s → %s', (kind, member, want) => {
    expect(memberChange(kind, member)).toBe(want);
  });
});

describe('impact summary', () => {
  it.each<{ name: string; before?: SideSpec; after: SideSpec; want: string[] }>([
    {
      name: 'nothing changes',
      after: {},
      want: [],
    },
    {
      name: 'a restart setting and a reload setting change',
      after: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            settings: { ...baseBundle.settings, max_replication_slots: 6, wal_sender_timeout: 0 },
          },
        }),
      },
      want: [
        'high source-restart: source PostgreSQL restart required: max_replication_slots',
        'low source-reload: source configuration reload only: wal_sender_timeout',
      ],
    },
    {
      name: 'pg_hba rule replaced',
      after: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            hba: { ...baseBundle.hba, rules: [{ ...baseBundle.hba.rules[0]!, address: '10.0.9.0/24' }] },
          },
        }),
      },
      want: [
        'medium pg-hba: pg_hba rules removed (1): connections they admitted will be refused after reload',
        'medium pg-hba: pg_hba rules added (1)',
      ],
    },
    {
      name: 'a declared slot disappears',
      before: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            slots: [{ name: 'orders_slot', plugin: 'test_decoding', database: 'orders', task: 'orders-cdc' }],
          },
        }),
      },
      after: {},
      want: [
        "high slot: replication slot 'orders_slot' (task orders-cdc) is no longer declared: dropping it loses in-flight CDC changes",
      ],
    },
    {
      name: 'Patroni keeps a new slot',
      after: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            patroni: {
              restUrl: 'http://10.0.2.15:8008',
              scope: 'orders',
              ignoreSlots: [{ name: 'orders_slot', type: 'logical', database: 'orders', plugin: 'test_decoding' }],
            },
          },
        }),
      },
      want: [
        "medium source-reload: Patroni's dynamic configuration changes (applied through Patroni, not postgresql.conf)",
      ],
    },
    {
      name: 'an endpoint replaced names the tasks re-created with it',
      after: {
        artifacts: artifactsWith({
          'dms/endpoints/orders-tgt.json': { ...endpoint('orders-tgt', 'target'), KmsKeyId: 'alias/dms' },
        }),
      },
      want: [
        "high dms-replace: endpoint 'orders-tgt' is REPLACED (deleted and created): KmsKeyId cannot be modified in place; tasks using it are re-created (orders-full-load)",
      ],
    },
    {
      name: 'a source role changes and the write fence moves to read-only',
      before: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            roles: [
              {
                name: 'dms_user',
                login: true,
                superuser: true,
                replication: true,
                password: { ssm: '/p' },
                settings: {},
                create: false,
              },
            ],
          },
        }),
      },
      after: {
        artifacts: artifactsWith({
          'source/bundle.json': {
            ...baseBundle,
            roles: [
              {
                name: 'dms_user',
                login: true,
                superuser: false,
                replication: true,
                password: { ssm: '/p' },
                settings: {},
                create: false,
              },
            ],
            fence: { ...baseBundle.fence, method: 'read_only' },
          },
        }),
      },
      want: [
        "medium source-role: source role 'dms_user' changed",
        'medium cutover-policy: cutover write fence changes',
      ],
    },
    {
      name: 'instance class changes: modified in place, instance restarts',
      after: {
        artifacts: artifactsWith({
          'dms/replication-instance.json': { ...baseInstance, ReplicationInstanceClass: 'dms.r6i.large' },
        }),
      },
      want: [
        "medium dms-modify: replication instance 'orders-ri' modified in place (ModifyReplicationInstance: ReplicationInstanceClass): the instance restarts and running tasks pause",
      ],
    },
    {
      name: 'engine major upgrade needs AllowMajorVersionUpgrade',
      before: {
        artifacts: artifactsWith({ 'dms/replication-instance.json': { ...baseInstance, EngineVersion: '3.4.7' } }),
      },
      after: {},
      want: [
        "medium dms-modify: replication instance 'orders-ri' modified in place (ModifyReplicationInstance: EngineVersion): the instance restarts and running tasks pause; needs AllowMajorVersionUpgrade",
      ],
    },
    {
      name: 'engine downgrade replaces the instance',
      before: {
        artifacts: artifactsWith({ 'dms/replication-instance.json': { ...baseInstance, EngineVersion: '3.5.5' } }),
      },
      after: {},
      want: [
        "high dms-replace: replication instance 'orders-ri' is REPLACED (deleted and created): EngineVersion (downgrade) cannot be modified in place; every task on it is re-created and loads again (orders-full-load)",
      ],
    },
    {
      name: 'a renamed instance is a new instance',
      after: {
        artifacts: artifactsWith({
          'dms/replication-instance.json': { ...baseInstance, ReplicationInstanceIdentifier: 'orders-ri-2' },
        }),
      },
      want: [
        "high dms-replace: replication instance 'orders-ri-2' is REPLACED (deleted and created): ReplicationInstanceIdentifier (a new name) cannot be modified in place; every task on it is re-created and loads again (orders-full-load)",
      ],
    },
    {
      name: 'subnet group change replaces the instance',
      after: {
        artifacts: artifactsWith({
          'dms/replication-instance.json': { ...baseInstance, ReplicationSubnetGroupIdentifier: 'other' },
        }),
      },
      want: [
        "high dms-replace: replication instance 'orders-ri' is REPLACED (deleted and created): ReplicationSubnetGroupIdentifier cannot be modified in place; every task on it is re-created and loads again (orders-full-load)",
      ],
    },
    {
      name: 'a tag change is applied in place (AddTagsToResource), nothing restarts',
      after: {
        artifacts: artifactsWith({
          'dms/replication-instance.json': {
            ...baseInstance,
            Tags: [...baseInstance.Tags, { Key: 'team', Value: 'data' }],
          },
        }),
      },
      want: ["low dms-modify: replication instance 'orders-ri' tags change"],
    },
    {
      name: 'task settings change: stop, modify, resume',
      after: {
        artifacts: artifactsWith({
          'dms/tasks/orders-full-load.json': task('orders-full-load', {
            ReplicationTaskSettings: JSON.stringify({ FullLoadSettings: { MaxFullLoadSubTasks: 16 } }),
          }),
        }),
      },
      want: [
        "medium dms-stop-modify-resume: task 'orders-full-load' must be stopped → modified → resumed (ModifyReplicationTask: ReplicationTaskSettings)",
      ],
    },
    {
      name: 'migration type change restarts with reload',
      after: {
        artifacts: artifactsWith({
          'dms/tasks/orders-full-load.json': task('orders-full-load', { MigrationType: 'full-load-and-cdc' }),
        }),
      },
      want: [
        "high dms-stop-modify-resume: task 'orders-full-load' migration type full-load → full-load-and-cdc: stopped, modified, then restarted with reload-target (tables load again)",
      ],
    },
    {
      name: 'endpoint settings change pauses the tasks that use it',
      after: {
        artifacts: artifactsWith({
          'dms/endpoints/orders-src.json': endpoint('orders-src', 'source', { HeartbeatEnable: true }),
        }),
      },
      want: [
        "medium dms-stop-modify-resume: endpoint 'orders-src' modified in place (ModifyEndpoint: PostgreSQLSettings); tasks using it are stopped and resumed: orders-full-load",
      ],
    },
    {
      name: 'a task is added and one removed',
      after: {
        artifacts: artifactsWith({
          'dms/tasks/orders-full-load.json': undefined,
          'dms/tasks/orders-cdc.json': task('orders-cdc', { MigrationType: 'cdc' }),
        }),
      },
      want: [
        "medium dms-delete: task 'orders-full-load' deleted: its replication stops",
        "low dms-create: task 'orders-cdc' created (cdc)",
      ],
    },
    {
      name: 'table selection and a DMS-created slot from the plan',
      before: { plan: basePlan },
      after: {
        plan: planWith({
          dms: {
            tasks: [
              {
                ...basePlan.dms.tasks[0]!,
                migration_type: 'full-load-and-cdc',
                tables: { include: ['public.%'], exclude: ['public.audit_log'] },
              },
            ],
          },
        }),
      },
      want: [
        "medium table-selection: task 'orders-full-load' table selection changes: deselected tables stop replicating and keep their rows on the target",
        "medium slot: task 'orders-full-load' makes DMS create a logical replication slot on 'orders' when it starts: the slot retains WAL until consumed",
      ],
    },
    {
      name: 'a transformation is added: modified in place, and loaded tables keep their old shape',
      before: { artifacts: mappingsOf({}) },
      after: {
        artifacts: mappingsOf({
          transformations: [transformation({ target: 'schema', action: 'rename', value: 'shop' })],
        }),
      },
      want: [
        "high dms-stop-modify-resume: task 'orders-full-load' transformation rules change: resuming applies them to new changes only; tables already loaded keep the old shape until the task is restarted with reload-target (they load again)",
        "medium dms-stop-modify-resume: task 'orders-full-load' must be stopped → modified → resumed (ModifyReplicationTask: TableMappings)",
      ],
    },
    {
      name: 'table settings change: modified in place, no reload',
      before: { artifacts: mappingsOf({ table_settings: [tableSetting(['1000'])] }) },
      after: { artifacts: mappingsOf({ table_settings: [tableSetting(['2000'])] }) },
      want: [
        "medium dms-stop-modify-resume: task 'orders-full-load' must be stopped → modified → resumed (ModifyReplicationTask: TableMappings)",
      ],
    },
    {
      name: 'a CDC task becomes full-load: its DMS slot is abandoned',
      before: { plan: cdcPlan },
      after: { plan: planWith({ dms: { tasks: [{ ...cdcPlan.dms.tasks[0]!, migration_type: 'full-load' }] } }) },
      want: [
        "high slot: task 'orders-cdc' no longer uses its DMS-created replication slot on 'orders': in-flight CDC changes are lost when it is dropped",
      ],
    },
    {
      name: 'cutover policy',
      after: { plan: planWith({ cutover: { max_lag_seconds: 30 } }) },
      want: ['medium cutover-policy: cutover policy changes'],
    },
    {
      name: 'target SQL and graph nodes',
      after: {
        artifacts: artifactsWith({ 'target/orders/prepare.sql': 'SET session_replication_role = origin;\n' }),
        graph: graphOf(
          [node('source.preflight'), node('target.orders.prepare')],
          [['source.preflight', 'target.orders.prepare']],
        ),
      },
      want: [
        'low target-sql: target SQL target/orders/prepare.sql changed (+1 −1 lines)',
        'low graph: 1 execution graph node added',
      ],
    },
  ])('$name', ({ before, after, want }) => {
    // Plan-only and graph-only variants still need some artifact change to count as a change.
    const touch = after.plan !== undefined && after.artifacts === undefined;
    const afterSpec = touch
      ? { ...after, artifacts: artifactsWith({ 'plan.resolved.json': { changed: true } }) }
      : after;
    expect(impactOf(before ?? {}, afterSpec)).toEqual(want);
  });

  it('shows a re-created slot with what changes about it', () => {
    const slot = { name: 'orders_slot', plugin: 'test_decoding', database: 'orders', task: 'orders-cdc' } as const;
    const diff = diffPlans(
      side('old', { artifacts: artifactsWith({ 'source/bundle.json': { ...baseBundle, slots: [slot] } }) }),
      side('new', {
        artifacts: artifactsWith({
          'source/bundle.json': { ...baseBundle, slots: [{ ...slot, plugin: 'pglogical' }] },
        }),
      }),
    );
    expect(diff.impact[0]).toMatchObject({
      severity: 'high',
      kind: 'slot',
      message: "replication slot 'orders_slot' changes (dropped and re-created): in-flight CDC changes are lost",
      details: ['plugin: test_decoding → pglogical'],
    });
  });

  it('names each table-mapping rule that changed, by rule-name', () => {
    const before = mappingsOf({ table_settings: [tableSetting(['1000'])] });
    const after = mappingsOf({
      transformations: [transformation({ target: 'schema', action: 'rename', value: 'shop' })],
    });
    const details = diffPlans(side('old', { artifacts: before }), side('new', { artifacts: after })).impact.flatMap(
      (c) => c.details,
    );
    expect(new Set(details)).toEqual(
      new Set([
        'TableMappings: table-settings table-settings-1 removed',
        'TableMappings: transformation rename-1 added',
      ]),
    );
  });

  it('puts details under each consequence', () => {
    const diff = diffPlans(
      side('old'),
      side('new', {
        artifacts: artifactsWith({
          'source/bundle.json': { ...baseBundle, settings: { ...baseBundle.settings, max_replication_slots: 6 } },
        }),
      }),
    );
    expect(diff.impact[0]!.details).toEqual(['max_replication_slots: 5 → 6']);
  });

  it('reports no change, and no impact, when no artifact differs even if the plan objects do', () => {
    const diff = diffPlans(side('old'), side('new', { plan: planWith({ cutover: { max_lag_seconds: 30 } }) }));
    expect(diff.changed).toBe(false);
    expect(diff.impact).toEqual([]);
  });
});
