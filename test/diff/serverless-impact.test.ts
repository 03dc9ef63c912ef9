// diff on DMS Serverless plans: each ComputeConfig field (and the config's other members) classified as
// modified in place (ModifyReplicationConfig: the replication is stopped, modified, resumed) or replaced,
// from the SDK's Modify* input types (contracts/dms-mutability.ts), on the compiler's real artifacts.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build-graph.js';
import type { Plan } from '../../compiler/model/plan.js';
import { emitArtifacts } from '../../compiler/output.js';
import { computeMemberChange, memberChange } from '../../contracts/dms-mutability.js';
import { dmsImpact } from '../../diff/impact/dms.js';
import { cdcPlan, patchPlan, serverlessPlan } from '../support/base-plan.js';

const artifactsOf = (plan: Plan) => emitArtifacts(plan, buildGraph(plan));

function impactOf(after: Plan, before: Plan = serverlessPlan): string[] {
  return dmsImpact(artifactsOf(before), artifactsOf(after)).map((c) => `${c.severity} ${c.kind}: ${c.message}`);
}

const withServerless = (serverless: Partial<NonNullable<Plan['dms']['serverless']>>) =>
  patchPlan(serverlessPlan, { dms: { serverless } });

describe('replication config members: modify in place or replace, from the SDK types', () => {
  it.each([
    ['ComputeConfig', 'modify'],
    ['TableMappings', 'modify'],
    ['ReplicationSettings', 'modify'],
    ['ReplicationType', 'modify'],
    ['SourceEndpointArn', 'modify'],
    ['ResourceIdentifier', 'replace'],
    ['Tags', 'tags'],
  ] as const)('%s → %s', (member, want) => {
    expect(memberChange('replication-config', member)).toBe(want);
  });

  it.each([
    'MaxCapacityUnits',
    'MinCapacityUnits',
    'MultiAZ',
    'AvailabilityZone',
    'ReplicationSubnetGroupId',
    'VpcSecurityGroupIds',
    'KmsKeyId',
    'PreferredMaintenanceWindow',
    'DnsNameServers',
  ])('ComputeConfig.%s is modified in place', (member) => {
    expect(computeMemberChange(member)).toBe('modify');
  });
});

const modified = (fields: string) =>
  `medium dms-stop-modify-resume: Serverless replication 'orders-cdc' must be stopped → modified → resumed (ModifyReplicationConfig: ${fields})`;

describe('impact of each dms.serverless field on the compiled replication config', () => {
  it.each<[string, Plan, string[]]>([
    ['max_capacity_units', withServerless({ max_capacity_units: 64 }), [modified('ComputeConfig.MaxCapacityUnits')]],
    ['min_capacity_units', withServerless({ min_capacity_units: 4 }), [modified('ComputeConfig.MinCapacityUnits')]],
    [
      'min_capacity_units to DMS default',
      withServerless({ min_capacity_units: null }),
      [modified('ComputeConfig.MinCapacityUnits')],
    ],
    [
      'multi_az (the zone goes with it)',
      withServerless({ multi_az: true, availability_zone: null }),
      [modified('ComputeConfig.AvailabilityZone, ComputeConfig.MultiAZ')],
    ],
    ['subnet_group', withServerless({ subnet_group: 'other' }), [modified('ComputeConfig.ReplicationSubnetGroupId')]],
    [
      'security_groups',
      withServerless({ security_groups: ['sg-0123456789abcdef0'] }),
      [modified('ComputeConfig.VpcSecurityGroupIds')],
    ],
    ['kms_key_id', withServerless({ kms_key_id: 'alias/other' }), [modified('ComputeConfig.KmsKeyId')]],
    [
      'preferred_maintenance_window',
      withServerless({ preferred_maintenance_window: 'mon:03:00-mon:03:30' }),
      [modified('ComputeConfig.PreferredMaintenanceWindow')],
    ],
    [
      'dns_name_servers',
      withServerless({ dns_name_servers: ['10.0.0.2', '10.0.0.3'] }),
      [modified('ComputeConfig.DnsNameServers')],
    ],
    ['source_cidrs (pg_hba only)', withServerless({ source_cidrs: ['10.0.2.0/24'] }), []],
    [
      'tags',
      patchPlan(serverlessPlan, { dms: { tags: { team: 'data' } } }),
      [
        "low dms-modify: endpoint 'orders-orders-src' tags change",
        "low dms-modify: endpoint 'orders-orders-tgt' tags change",
        "low dms-modify: Serverless replication 'orders-cdc' tags change",
      ],
    ],
  ])('%s', (_, after, want) => {
    expect(impactOf(after)).toEqual(want);
  });

  it('a renamed task is a new replication config: the old one deleted, the new one created', () => {
    const renamed = patchPlan(serverlessPlan, {
      dms: { tasks: [{ ...serverlessPlan.dms.tasks[0]!, id: 'orders-cdc-2' }] },
    });
    expect(impactOf(renamed)).toEqual([
      "medium dms-delete: Serverless replication 'orders-cdc' deleted: its replication stops",
      "low dms-create: Serverless replication 'orders-cdc-2' created (full-load-and-cdc)",
    ]);
  });

  it('moving from a replication instance to Serverless deletes the instance and the task, creates the config', () => {
    expect(impactOf(serverlessPlan, cdcPlan)).toEqual([
      "high dms-delete: replication instance 'orders-ri' deleted: every task on it stops",
      "medium dms-delete: task 'orders-cdc' deleted: its replication stops",
      "low dms-create: Serverless replication 'orders-cdc' created (full-load-and-cdc)",
    ]);
  });
});
