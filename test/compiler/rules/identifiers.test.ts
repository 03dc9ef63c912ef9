import { describe, test } from 'vitest';
import { identifiersRule } from '../../../compiler/rules/identifiers.js';
import { replicationInstanceRule } from '../../../compiler/rules/replication-instance.js';
import { basePlan, cdcPlan, expectRow, patchPlan, planWith, type Row, task, withTasks } from './builders.js';

describe('DMS identifiers and tags', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'instance id starting with a digit',
      plan: planWith({ dms: { replication_instance: { identifier: '1orders' } } }),
      want: ['PGF3200@/dms/replication_instance/identifier'],
      words: ['start with a letter'],
    },
    {
      name: 'instance id over 63 characters',
      plan: planWith({ dms: { replication_instance: { identifier: `r${'x'.repeat(63)}` } } }),
      want: ['PGF3200@/dms/replication_instance/identifier'],
      words: ['64 characters', '63'],
    },
    {
      name: 'task id with double hyphen and trailing hyphen',
      plan: withTasks([
        task({ id: 'orders--load' }),
        task({ id: 'orders-load-', tables: { include: ['x.%'], exclude: [] } }),
      ]),
      want: ['PGF3200@/dms/tasks/0/id', 'PGF3200@/dms/tasks/1/id'],
    },
    {
      name: 'task id with an underscore',
      plan: withTasks([task({ id: 'orders_load' })]),
      want: ['PGF3200@/dms/tasks/0/id'],
      words: ['"_"'],
    },
    {
      name: 'duplicate task ids, case-insensitively',
      plan: withTasks([
        task({ id: 'Orders-Load' }),
        task({ id: 'orders-load', tables: { include: ['x.%'], exclude: [] } }),
      ]),
      want: ['PGF3201@/dms/tasks/1/id'],
      words: ['already used'],
    },
    {
      name: 'two databases generating the same endpoint id',
      plan: planWith({
        source: { databases: ['orders_eu', 'orders-eu'] },
        target: { databases: { orders_eu: 'orders_eu', 'orders-eu': 'orders_eu2' } },
      }),
      want: ['PGF3201@/source/databases/1'],
      words: ['orders-orders-eu-src'],
    },
    {
      name: 'generated endpoint id too long',
      plan: planWith({
        source: { databases: [`d${'b'.repeat(260)}`] },
        target: { databases: { [`d${'b'.repeat(260)}`]: 'x' } },
      }),
      want: ['PGF3200@/source/databases/0', 'PGF3200@/source/databases/0'],
      words: ['255'],
    },
    {
      name: 'reserved tag prefixes',
      plan: planWith({ dms: { tags: { 'aws:owner': 'x', 'pgferry:plan': 'y', team: 'db' } } }),
      want: ['PGF3202@/dms/tags/aws:owner', 'PGF3202@/dms/tags/pgferry:plan'],
    },
    {
      name: 'more than 49 tags',
      plan: planWith({ dms: { tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) } }),
      want: ['PGF3202@/dms/tags'],
      words: ['50 tags'],
    },
    {
      name: 'an availability zone instead of a region',
      plan: planWith({ dms: { region: 'eu-west-1a' } }),
      want: ['PGF3203@/dms/region'],
      words: ['eu-west-1a'],
    },
    { name: 'a GovCloud region passes', plan: planWith({ dms: { region: 'us-gov-west-1' } }), want: [] },
    { name: 'a China region passes', plan: planWith({ dms: { region: 'cn-northwest-1' } }), want: [] },
    {
      name: 'a region that does not exist, with a suggestion',
      plan: planWith({ dms: { region: 'eu-west-9' } }),
      want: ['PGF3203@/dms/region'],
      words: ['not an AWS region', 'did you mean "eu-west-1"'],
    },
    {
      name: 'a region-shaped name no partition lists',
      plan: planWith({ dms: { region: 'mars-north-1' } }),
      want: ['PGF3203@/dms/region'],
      words: ['"mars-north-1" is not an AWS region'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(identifiersRule, row));
});

describe('replication instance', () => {
  const instance = (patch: Parameters<typeof planWith>[0]['dms']) => planWith({ dms: patch });
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'publicly accessible',
      plan: instance({ replication_instance: { publicly_accessible: true } }),
      want: ['PGF3210@/dms/replication_instance/publicly_accessible'],
      words: ['publicly accessible'],
    },
    {
      name: 'storage too small',
      plan: instance({ replication_instance: { allocated_storage: 2 } }),
      want: ['PGF3211@/dms/replication_instance/allocated_storage'],
    },
    {
      name: 'an RDS class name',
      plan: instance({ replication_instance: { class: 'db.r5.large' } }),
      want: ['PGF3212@/dms/replication_instance/class'],
      words: ['db.r5.large'],
    },
    {
      name: 'an EC2 family DMS does not offer',
      plan: instance({ replication_instance: { class: 'dms.m5.large' } }),
      want: ['PGF3212@/dms/replication_instance/class'],
      words: ['dms.m5.large', 'did you mean'],
      hints: ['t2, t3, c4, c5, c6i, r4, r5 and r6i'],
    },
    {
      name: 'a size the family does not have',
      plan: instance({ replication_instance: { class: 'dms.c5.8xlarge' } }),
      want: ['PGF3212@/dms/replication_instance/class'],
      words: ['did you mean "dms.c5.'],
    },
    {
      name: 'a sixth-generation class passes',
      plan: instance({ replication_instance: { class: 'dms.c6i.32xlarge' } }),
      want: [],
    },
    {
      name: 'a maintenance window of 15 minutes',
      plan: instance({ replication_instance: { preferred_maintenance_window: 'sun:03:00-sun:03:15' } }),
      want: ['PGF3215@/dms/replication_instance/preferred_maintenance_window'],
      words: ['15 minutes', 'at least 30'],
    },
    {
      name: 'a 30-minute window across the end of the week passes',
      plan: instance({ replication_instance: { preferred_maintenance_window: 'sun:23:45-mon:00:15' } }),
      want: [],
    },
    {
      name: 'burstable class with CDC',
      plan: cdcPlan,
      want: ['PGF3213@/dms/replication_instance/class'],
      words: ['burstable'],
    },
    {
      name: 'a memory-optimised class with CDC passes',
      plan: patchPlan(cdcPlan, { dms: { replication_instance: { class: 'dms.r5.large' } } }),
      want: [],
    },
    {
      name: 'security group by name, bad KMS key and window',
      plan: instance({
        replication_instance: {
          security_groups: ['default'],
          kms_key_id: 'my-key',
          preferred_maintenance_window: 'sunday 3am',
        },
      }),
      want: [
        'PGF3214@/dms/replication_instance/kms_key_id',
        'PGF3214@/dms/replication_instance/preferred_maintenance_window',
        'PGF3214@/dms/replication_instance/security_groups/0',
      ],
    },
    {
      name: 'valid KMS alias and window pass',
      plan: instance({
        replication_instance: { kms_key_id: 'alias/dms', preferred_maintenance_window: 'sun:03:00-sun:03:30' },
      }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(replicationInstanceRule, row));
});
