import { describe, expect, test } from 'vitest';
import { hbaRule } from '../../../compiler/rules/hba.js';
import { checkPlan } from '../../../compiler/rules/index.js';
import { replicationInstanceRule } from '../../../compiler/rules/replication-instance.js';
import { serverlessRule } from '../../../compiler/rules/serverless.js';
import { serverlessPlan } from '../../support/base-plan.js';
import { basePlan, cdcTask, expectRow, patchPlan, planWith, type Row, withTasks } from './builders.js';

const serverlessWith = (patch: Parameters<typeof patchPlan>[1]) => patchPlan(serverlessPlan, patch);

describe('where DMS runs, and what DMS Serverless accepts', () => {
  const rows: Row[] = [
    { name: 'a Serverless plan with every ComputeConfig key passes', plan: serverlessPlan, want: [] },
    { name: 'an instance plan passes', plan: basePlan, want: [] },
    {
      name: 'neither form: the tasks have nowhere to run',
      plan: planWith({ dms: { replication_instance: null } }),
      want: ['PGF3230@/dms'],
      words: ['neither'],
    },
    {
      name: 'both forms',
      plan: patchPlan(serverlessPlan, { dms: { replication_instance: basePlan.dms.replication_instance } }),
      want: ['PGF3230@/dms/serverless'],
      words: ['both'],
    },
    {
      name: 'a logical-engine plan needs neither',
      plan: planWith({ engine: 'logical', dms: { replication_instance: null } }),
      want: [],
    },
    {
      name: 'a maximum that is not a DCU step',
      plan: serverlessWith({ dms: { serverless: { max_capacity_units: 100 } } }),
      want: ['PGF3231@/dms/serverless/max_capacity_units'],
      words: ['100', '384'],
      hints: ['128'],
    },
    {
      name: 'a maximum above 384',
      plan: serverlessWith({ dms: { serverless: { max_capacity_units: 512 } } }),
      want: ['PGF3231@/dms/serverless/max_capacity_units'],
      hints: ['384'],
    },
    {
      name: 'a minimum that is not a DCU step',
      plan: serverlessWith({ dms: { serverless: { min_capacity_units: 3 } } }),
      want: ['PGF3231@/dms/serverless/min_capacity_units'],
      hints: ['4'],
    },
    {
      name: 'a minimum above the maximum',
      plan: serverlessWith({ dms: { serverless: { min_capacity_units: 32, max_capacity_units: 16 } } }),
      want: ['PGF3231@/dms/serverless/min_capacity_units'],
      words: ['above'],
    },
    {
      name: 'minimum equal to maximum, and no minimum at all, pass',
      plan: serverlessWith({ dms: { serverless: { min_capacity_units: 384, max_capacity_units: 384 } } }),
      want: [],
    },
    {
      name: 'no minimum (DMS uses 1)',
      plan: serverlessWith({ dms: { serverless: { min_capacity_units: null, max_capacity_units: 1 } } }),
      want: [],
    },
    {
      name: 'a task that names its slot is a custom CDC start point',
      plan: withTasks([cdcTask({ migration_type: 'cdc', slot_name: 'pgferry_orders' })], serverlessPlan),
      want: ['PGF3232@/dms/tasks/0/slot_name'],
      words: ['custom cdc start point'],
      hints: ['remove slot_name'],
    },
    {
      name: 'an availability zone with Multi-AZ',
      plan: serverlessWith({ dms: { serverless: { multi_az: true } } }),
      want: ['PGF3233@/dms/serverless/availability_zone'],
      words: ['multi_az'],
    },
    {
      name: 'an availability zone of another region',
      plan: serverlessWith({ dms: { serverless: { availability_zone: 'us-east-1a' } } }),
      want: ['PGF3233@/dms/serverless/availability_zone'],
      hints: ['eu-west-1a'],
    },
    {
      name: 'five DNS name servers, one of them a host name',
      plan: serverlessWith({
        dms: { serverless: { dns_name_servers: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', 'dns.example'] } },
      }),
      want: ['PGF3233@/dms/serverless/dns_name_servers', 'PGF3233@/dms/serverless/dns_name_servers/4'],
    },
    {
      name: 'Secrets Manager credentials need a VPC endpoint (a warning)',
      plan: serverlessWith({
        dms: {
          credentials: {
            mode: 'secrets_manager',
            access_role_arn: 'arn:aws:iam::123456789012:role/dms-secrets',
            source_secret: 'pgferry/orders/source',
            target_secret: 'pgferry/orders/target',
          },
        },
      }),
      want: ['PGF3234@/dms/credentials'],
      words: ['vpc endpoint'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(serverlessRule, row));
});

describe('rules both forms share read the Serverless form', () => {
  const rows: Row[] = [
    {
      name: 'a malformed security group, KMS key and short maintenance window on Serverless',
      plan: serverlessWith({
        dms: {
          serverless: {
            security_groups: ['default'],
            kms_key_id: 'my key',
            preferred_maintenance_window: 'sun:03:00-sun:03:10',
          },
        },
      }),
      want: [
        'PGF3214@/dms/serverless/kms_key_id',
        'PGF3215@/dms/serverless/preferred_maintenance_window',
        'PGF3214@/dms/serverless/security_groups/0',
      ],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(replicationInstanceRule, row));

  test('pg_hba ranges come from dms.serverless.source_cidrs, Multi-AZ single hosts warned', () => {
    expectRow(hbaRule, {
      name: 'single host',
      plan: serverlessWith({
        dms: { serverless: { multi_az: true, availability_zone: null, source_cidrs: ['10.0.1.7/32'] } },
      }),
      want: ['PGF3109@/dms/serverless/source_cidrs/0'],
      words: ['serverless replication'],
    });
  });

  test('a Serverless plan has no engine-version or instance finding', () => {
    expect(checkPlan(serverlessPlan).map((finding) => finding.code)).toEqual([]);
  });
});
