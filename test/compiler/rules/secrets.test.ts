import { describe, test } from 'vitest';
import { secretsRule } from '../../../compiler/rules/secrets.js';
import { basePlan, expectRow, planWith, type Row, task, withTasks } from './builders.js';

describe('secrets', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'password in the description',
      plan: planWith({ description: 'Migrate orders; DMS password: hunter2' }),
      want: ['PGF3600@/description'],
      words: ['clear text'],
    },
    {
      name: 'prose about tokens is not a secret',
      plan: planWith({ description: 'The agent token: rotated weekly by the platform team.' }),
      want: [],
    },
    {
      name: 'connection URL with a password in a tag',
      plan: planWith({ dms: { tags: { source: 'postgres://dms:s3cret@10.0.2.15/orders' } } }),
      want: ['PGF3600@/dms/tags/source'],
    },
    {
      name: 'a password-looking key in task settings',
      plan: withTasks([task({ settings: { Custom: { SourcePassword: 'hunter2' } } })]),
      want: ['PGF3600@/dms/tasks/0/settings/Custom/SourcePassword'],
    },
    {
      name: 'env reference in a plan that runs against AWS',
      plan: {
        ...basePlan,
        source: {
          ...basePlan.source,
          migration_user: { ...basePlan.source.migration_user, password: { env: 'PGPASSWORD' } },
        },
      },
      want: ['PGF3601@/source/migration_user/password'],
      words: ['PGPASSWORD'],
    },
    {
      name: 'SSM path without leading slash and bad env name',
      plan: {
        ...planWith({ source: { agent: { token: { ssm: 'pgferry/agent' } } } }),
        target: { ...basePlan.target, admin_user: { name: 'postgres', password: { env: '1BAD' } } },
      },
      want: [
        'PGF3602@/source/agent/token',
        'PGF3601@/target/admin_user/password',
        'PGF3602@/target/admin_user/password',
      ],
    },
    {
      name: 'Secrets Manager reference with a #field passes',
      plan: {
        ...basePlan,
        source: {
          ...basePlan.source,
          agent: { ...basePlan.source.agent, token: { secretsManager: 'pgferry/orders/agent#token' } },
        },
      },
      want: [],
    },
    {
      name: 'Secrets Manager reference with an empty or odd #field',
      plan: {
        ...basePlan,
        source: {
          ...basePlan.source,
          agent: { ...basePlan.source.agent, token: { secretsManager: 'pgferry/orders/agent#to ken' } },
        },
      },
      want: ['PGF3602@/source/agent/token'],
      words: ['field'],
    },
    {
      name: 'SSM reference to Secrets Manager passes',
      plan: planWith({ source: { agent: { token: { ssm: '/aws/reference/secretsmanager/agent-token' } } } }),
      want: [],
    },
    {
      name: 'Secrets Manager mode with a malformed role ARN',
      plan: planWith({
        dms: {
          credentials: {
            mode: 'secrets_manager',
            access_role_arn: 'dms-secrets-role',
            source_secret: 'pgferry/orders/source',
            target_secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgferry/orders/target-AbCdEf',
          },
        },
      }),
      want: ['PGF3602@/dms/credentials/access_role_arn'],
      words: ['IAM role ARN'],
    },
    {
      name: 'agent over plain http',
      plan: planWith({ source: { agent: { url: 'http://10.0.2.15:8443' } } }),
      want: ['PGF3603@/source/agent/url'],
      words: ['plain HTTP'],
    },
    {
      name: 'agent over http on localhost passes',
      plan: planWith({ source: { agent: { url: 'http://127.0.0.1:8443' } } }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(secretsRule, row));
});
