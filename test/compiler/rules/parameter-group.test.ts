import { describe, test } from 'vitest';
import { parameterGroupRule } from '../../../compiler/rules/parameter-group.js';
import { basePlan, expectRow, planWith, type Row } from './builders.js';

const group = (patch: Record<string, unknown>) =>
  planWith({ target: { fk_strategy: 'parameter_group', parameter_group: 'orders-pg16', ...patch } });

describe('parameter group', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    { name: 'a custom group on an RDS endpoint passes', plan: group({}), want: [] },
    {
      name: 'a default group',
      plan: group({ parameter_group: 'default.postgres16' }),
      want: ['PGF3510@/target/parameter_group'],
      words: ['default parameter group', 'does not let anyone modify'],
      hints: ['custom DB parameter group'],
    },
    {
      name: 'an invalid group name',
      plan: group({ parameter_group: 'orders--pg' }),
      want: ['PGF3510@/target/parameter_group'],
      words: ['not a valid parameter group name'],
    },
    {
      name: 'a CNAME host names no instance',
      plan: group({ host: 'db.example.com' }),
      want: ['PGF3511@/target/host'],
      words: ['not an RDS endpoint'],
      hints: ['target.identifier'],
    },
    {
      name: 'a CNAME host with the identifier set passes',
      plan: group({ host: 'db.example.com', identifier: 'orders-prod' }),
      want: [],
    },
    {
      name: 'an Aurora instance endpoint names no cluster',
      plan: group({ kind: 'aurora', host: 'orders-1.c1abcdefghij.eu-west-1.rds.amazonaws.com' }),
      want: ['PGF3511@/target/host'],
      words: ['not an Aurora cluster endpoint'],
    },
    {
      name: 'an Aurora cluster endpoint passes',
      plan: group({ kind: 'aurora', host: 'orders.cluster-c1abcdefghij.eu-west-1.rds.amazonaws.com' }),
      want: [],
    },
    {
      name: 'an identifier nothing reads',
      plan: planWith({ target: { identifier: 'orders' } }),
      want: ['PGF3511@/target/identifier'],
      words: ['not used'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(parameterGroupRule, row));
});
