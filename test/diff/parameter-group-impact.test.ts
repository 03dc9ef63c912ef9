import { describe, expect, test } from 'vitest';
import { parameterGroupImpact } from '../../diff/impact/parameter-group.js';
import { basePlan, planWith } from '../support/base-plan.js';

const grouped = (group: string, identifier: string | null = null) =>
  planWith({ target: { fk_strategy: 'parameter_group', parameter_group: group, identifier } });
const lines = (before = basePlan, after = basePlan) =>
  parameterGroupImpact(before, after).map((c) => `${c.severity} ${c.kind}: ${c.message}`);

describe('parameter group impact', () => {
  test('nothing without the strategy on either side', () => expect(lines()).toEqual([]));
  test('switching to it: the group is modified in place and the whole instance runs as replica', () =>
    expect(lines(basePlan, grouped('orders-pg16'))).toEqual([
      'medium rds-parameter-group: parameter group orders-pg16 on DB instance orders: session_replication_role = replica from apply until cutover, modified in place (ModifyDBParameterGroup): every database on the instance runs without foreign key and trigger enforcement meanwhile',
    ]));
  test('leaving it: a run that set the group must revert it', () =>
    expect(lines(grouped('orders-pg16'), basePlan)[0]).toContain('pgferry abort reverts it'));
  test('another group or instance: the first is reverted before the other is set', () => {
    expect(lines(grouped('orders-pg16'), grouped('orders-pg16-b'))[0]).toContain(
      'from orders-pg16 on DB instance orders to orders-pg16-b on DB instance orders',
    );
    expect(lines(grouped('orders-pg16'), grouped('orders-pg16', 'orders-prod'))[0]).toContain(
      'DB instance orders-prod',
    );
    expect(lines(grouped('orders-pg16'), grouped('orders-pg16'))).toEqual([]);
  });
});
