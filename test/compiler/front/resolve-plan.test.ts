import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../compiler/front/load-plan.js';
import { parseVersion } from '../../../compiler/front/resolve-plan.js';
import { canonicalJson } from '../../../contracts/canonical-json.js';

const orders = readFileSync('plans/orders.yaml', 'utf8');

describe('parseVersion', () => {
  it.each([
    ['9.5.21', '9.5', 90521],
    ['9.6', '9.6', 90600],
    ['10.23', '10', 100023],
    ['13.14', '13', 130014],
    ['16.4', '16', 160004],
    ['16', '16', 160000],
  ])('%s → major %s, num %i', (text, major, num) => {
    expect(parseVersion(text)).toEqual({ text, major, num });
  });
});

describe('resolvePlan defaults', () => {
  it('derives the defaults that depend on other values', async () => {
    const text = orders
      .replace('  databases: [orders]', '  databases: [orders, billing]')
      .replace('  write_roles: [orders_app]', '  write_roles: [orders_app, billing_app]')
      .replace(
        / {2}migration_user:\n {4}name: postgres\n {4}password: \{ ssm: \/pgferry\/orders\/target\/postgres \}\n/,
        '  databases: { billing: billing_v2 }\n  schema_objects: { strategy: dms_creates }\n',
      )
      .replace('        include: ["public.%"]', '        include: ["public.%"]\n      lob: { mode: full }');
    const { plan, diagnostics } = await loadPlan('p.yaml', text);
    expect(diagnostics).toEqual([]);
    expect(plan!.target.databases).toEqual({ orders: 'orders', billing: 'billing_v2' });
    expect(plan!.target.migration_user).toEqual(plan!.target.admin_user);
    expect(plan!.cutover.fence.roles).toEqual(['orders_app', 'billing_app']);
    expect(plan!.dms.tasks[0]!.full_load.target_table_prep_mode).toBe('DROP_AND_CREATE');
    expect(plan!.dms.tasks[0]!.lob).toEqual({ mode: 'full', chunk_size_kb: 64 });
  });

  it('keeps values the plan states, including explicit nulls', async () => {
    const text = orders.replace(
      '  write_roles: [orders_app]',
      '  write_roles: [orders_app]\n  patroni: null\n  settings: { wal_level: logical, max_replication_slots: 10 }',
    );
    const { plan } = await loadPlan('p.yaml', text);
    expect(plan!.source.patroni).toBeNull();
    expect(plan!.source.settings).toEqual({ wal_level: 'logical', max_replication_slots: 10 });
  });

  it('does not depend on key order', async () => {
    const reordered = orders.replace(/^(source:[\s\S]*?)\n(target:[\s\S]*?)\n(dms:)/m, '$2\n$1\n$3');
    expect(reordered).not.toBe(orders);
    const [a, b] = await Promise.all([loadPlan('p.yaml', orders), loadPlan('p.yaml', reordered)]);
    expect(canonicalJson(b.plan)).toBe(canonicalJson(a.plan));
  });
});
