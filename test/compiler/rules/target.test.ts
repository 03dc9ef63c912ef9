import { describe, expect, test } from 'vitest';
import { targetRule } from '../../../compiler/rules/target.js';
import { basePlan, expectRow, findingsOf, pgVersion, planWith, type Row } from './builders.js';

describe('target', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'ALTER SYSTEM on RDS',
      plan: planWith({ target: { fk_strategy: 'alter_system' } }),
      want: ['PGF3500@/target/fk_strategy'],
      words: ['RDS'],
    },
    {
      name: 'ALTER SYSTEM on a self-managed target passes',
      plan: planWith({ target: { kind: 'self-managed', fk_strategy: 'alter_system' } }),
      want: [],
    },
    {
      name: 'parameter_group strategy without a name',
      plan: planWith({ target: { fk_strategy: 'parameter_group' } }),
      want: ['PGF3501@/target/fk_strategy'],
      words: ['names no parameter group'],
    },
    {
      name: 'parameter_group strategy with a name passes',
      plan: planWith({ target: { fk_strategy: 'parameter_group', parameter_group: 'orders-pg16' } }),
      want: [],
    },
    {
      name: 'parameter_group on a self-managed target',
      plan: planWith({ target: { kind: 'self-managed', fk_strategy: 'parameter_group', parameter_group: 'x' } }),
      want: ['PGF3501@/target/fk_strategy'],
      words: ['self-managed'],
    },
    {
      name: 'a parameter group that nothing uses',
      plan: planWith({ target: { parameter_group: 'orders-pg16' } }),
      want: ['PGF3501@/target/parameter_group'],
      words: ['not used'],
    },
    {
      name: 'disable_triggers on Aurora',
      plan: planWith({ target: { kind: 'aurora', fk_strategy: 'disable_triggers' } }),
      want: ['PGF3502@/target/fk_strategy'],
      words: ['on Aurora', 'user triggers only', 'foreign keys stay enforced'],
      hints: ['post_load_sql'],
    },
    {
      name: 'disable_triggers on a self-managed target disables every trigger',
      plan: planWith({ target: { kind: 'self-managed', fk_strategy: 'disable_triggers' } }),
      want: [],
    },
    {
      name: 'source database without mapping, and a stray mapping',
      plan: { ...basePlan, target: { ...basePlan.target, databases: { order: 'orders' } } },
      want: ['PGF3503@/source/databases/0', 'PGF3503@/target/databases/order'],
    },
    {
      name: 'two source databases into one target database',
      plan: planWith({
        source: { databases: ['orders', 'billing'] },
        target: { databases: { orders: 'app', billing: 'app' } },
      }),
      want: ['PGF3503@/target/databases/orders'],
      words: ['"app"'],
    },
    {
      name: 'no TLS to RDS 9.5 is a warning',
      plan: planWith({ target: { ssl_mode: 'none' } }),
      want: ['PGF3504@/target/ssl_mode'],
      words: ['without TLS'],
    },
    {
      name: 'a separate DMS user on RDS 16 needs SET on session_replication_role',
      plan: planWith({
        target: { version: pgVersion('16.4'), migration_user: { name: 'dms_target', password: { ssm: '/x/y' } } },
      }),
      want: ['PGF3505@/target/migration_user/name'],
      words: ['dms_target', 'session_replication_role'],
    },
    {
      name: 'template1 as a source and rdsadmin as a target database',
      plan: {
        ...planWith({ source: { databases: ['orders', 'template1'] } }),
        target: { ...basePlan.target, databases: { orders: 'rdsadmin', template1: 'template1' } },
      },
      want: ['PGF3506@/source/databases/1', 'PGF3506@/target/databases/orders'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(targetRule, row));

  test('no TLS to RDS 16 is an error (rds.force_ssl)', () => {
    const plan = planWith({ target: { ssl_mode: 'none', version: pgVersion('16.4') } });
    const findings = findingsOf(targetRule, plan);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['PGF3504', 'error']]);
    expect(findings[0]!.message).toContain('force_ssl');
  });
});
