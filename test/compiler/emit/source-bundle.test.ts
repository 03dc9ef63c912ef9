import { describe, expect, test } from 'vitest';
import { buildSourceBundle, computeSettings, hbaRules } from '../../../compiler/emit/source-bundle.js';
import { patroniSnippet, pgHbaSnippet, postgresqlConfSnippet } from '../../../compiler/emit/source-snippets.js';
import type { PgVersion, Plan } from '../../../compiler/model/plan.js';
import { hashJson } from '../../../contracts/canonical-json.js';
import { basePlan, cdcPlan, planWith } from '../../support/base-plan.js';

const v = (text: string, num: number): PgVersion => ({
  text,
  major: text
    .split('.')
    .slice(0, num < 100000 ? 2 : 1)
    .join('.'),
  num,
});

function cdcOn(version: PgVersion, patch: Parameters<typeof planWith>[0] = {}): Plan {
  const plan = planWith({ ...patch, source: { ...(patch.source ?? {}), version } });
  return { ...plan, dms: { ...plan.dms, tasks: cdcPlan.dms.tasks } };
}

describe('pg_hba rules per PostgreSQL version', () => {
  test.each([
    ['9.5.21', 90521, true],
    ['9.6.24', 90624, true],
    ['10.23', 100023, false],
    ['16.4', 160004, false],
  ] as const)('CDC from %s: replication keyword rule = %s', (text, num, replicationRule) => {
    const rules = hbaRules(cdcOn(v(text, num)));
    expect(rules[0]).toMatchObject({ type: 'host', database: ['orders'], user: ['dms_user'], address: '10.0.1.0/24' });
    expect(rules.some((rule) => rule.database[0] === 'replication')).toBe(replicationRule);
  });

  test('full load needs no replication rule even before 10', () => {
    expect(hbaRules(basePlan).map((rule) => rule.database)).toEqual([['orders']]);
  });

  test('one rule per CIDR and database, hostssl with TLS, the plan’s auth method', () => {
    const plan = planWith({
      source: {
        databases: ['orders', 'billing'],
        ssl: true,
        auth_method: 'scram-sha-256',
        version: v('13.14', 130014),
      },
      target: { databases: { orders: 'orders', billing: 'billing' } },
      dms: { replication_instance: { source_cidrs: ['10.0.1.0/24', '10.0.2.0/24'] } },
    });
    const rules = hbaRules(plan);
    expect(rules.map((rule) => `${rule.type} ${rule.database} ${rule.address} ${rule.method}`)).toEqual([
      'hostssl orders 10.0.1.0/24 scram-sha-256',
      'hostssl billing 10.0.1.0/24 scram-sha-256',
      'hostssl orders 10.0.2.0/24 scram-sha-256',
      'hostssl billing 10.0.2.0/24 scram-sha-256',
    ]);
  });
});

describe('settings', () => {
  test('full load changes no server setting on the seed', () => {
    expect(computeSettings(basePlan)).toEqual({});
    expect(buildSourceBundle(basePlan).restartSettings).toEqual([]);
  });

  test('CDC: logical WAL, slots and senders for existing + tasks + headroom, timeout off', () => {
    const plan = cdcOn(v('13.14', 130014), { source: { existing_replication: { slots: 3, wal_senders: 2 } } });
    expect(computeSettings(plan)).toEqual({
      wal_level: 'logical',
      max_replication_slots: 6,
      max_wal_senders: 5,
      wal_sender_timeout: 0,
    });
    expect(buildSourceBundle(plan).restartSettings).toEqual(['max_replication_slots', 'max_wal_senders', 'wal_level']);
  });

  test('computed capacity is a floor the agent keeps raised, unless the plan lets it go down', () => {
    const plan = cdcOn(v('13.14', 130014), {});
    expect(buildSourceBundle(plan).capacity).toEqual({
      floors: ['max_replication_slots', 'max_wal_senders'],
      mayLower: [],
    });
    const lowering = cdcOn(v('13.14', 130014), { source: { capacity_may_lower: ['max_wal_senders'] } });
    expect(buildSourceBundle(lowering).capacity).toEqual({
      floors: ['max_replication_slots'],
      mayLower: ['max_wal_senders'],
    });
    expect(buildSourceBundle(basePlan).capacity).toBeUndefined();
  });

  test('overrides raise but never lower the computed budget', () => {
    const plan = cdcOn(v('13.14', 130014), { source: { settings: { max_replication_slots: 20, max_wal_senders: 1 } } });
    expect(computeSettings(plan)).toMatchObject({ max_replication_slots: 20, max_wal_senders: 3 });
  });

  test('max_slot_wal_keep_size only from 13; pglogical preloads its library; TLS turns ssl on', () => {
    const settings = { max_slot_wal_keep_size: 10240 };
    expect(computeSettings(cdcOn(v('13.14', 130014), { source: { settings } }))).toMatchObject(settings);
    expect(computeSettings(cdcOn(v('12.18', 120018), { source: { settings } }))).not.toHaveProperty(
      'max_slot_wal_keep_size',
    );
    const pglogical: Plan = {
      ...cdcPlan,
      dms: { ...cdcPlan.dms, tasks: [{ ...cdcPlan.dms.tasks[0]!, plugin: 'pglogical' }] },
    };
    expect(computeSettings(pglogical).shared_preload_libraries).toEqual(['pglogical']);
    expect(computeSettings(planWith({ source: { ssl: true } }))).toEqual({ ssl: true });
  });

  test('ssl needs a restart before PostgreSQL 10 only (reloadable from 10)', () => {
    expect(buildSourceBundle(planWith({ source: { ssl: true } })).restartSettings).toEqual(['ssl']);
    const on13 = planWith({ source: { ssl: true, version: { text: '13.14', major: '13', num: 130014 } } });
    expect(buildSourceBundle(on13).restartSettings).toEqual([]);
  });

  test('idle_in_transaction_session_timeout is a role setting from 9.6 on', () => {
    expect(buildSourceBundle(basePlan).roles[0]!.settings).toEqual({});
    const plan = planWith({ source: { version: v('9.6.24', 90624) } });
    expect(buildSourceBundle(plan).roles[0]!.settings).toEqual({ idle_in_transaction_session_timeout: '0' });
    expect(computeSettings(plan)).not.toHaveProperty('idle_in_transaction_session_timeout');
  });
});

describe('bundle', () => {
  test('hash covers everything but itself', () => {
    const { hash, ...rest } = buildSourceBundle(cdcPlan);
    expect(hash).toBe(hashJson(rest));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('version, fence, slots and secret references', () => {
    const plan: Plan = {
      ...cdcPlan,
      dms: {
        ...cdcPlan.dms,
        tasks: [{ ...cdcPlan.dms.tasks[0]!, migration_type: 'cdc', slot_name: 'pgferry_orders' }],
      },
    };
    const bundle = buildSourceBundle(plan);
    expect(bundle.target).toEqual({ pgMajor: 13, serverVersionNum: 130014, systemIdentifier: null });
    expect(bundle.fence).toEqual({ method: 'hba_reject', roles: ['orders_app'], databases: ['orders'] });
    expect(bundle.slots).toEqual([
      { name: 'pgferry_orders', plugin: 'test_decoding', database: 'orders', task: 'orders-cdc' },
    ]);
    expect(bundle.roles[0]!.password).toEqual({ ssm: '/pgferry/orders/source/dms_user' });
    expect(buildSourceBundle(basePlan).target.pgMajor).toBe(9);
  });
});

describe('snippets', () => {
  test('postgresql.conf snippet: one line per setting with the reason and restart marker', () => {
    const text = postgresqlConfSnippet(cdcPlan, buildSourceBundle(cdcPlan));
    expect(text).toContain("wal_level = 'logical'");
    expect(text).toMatch(/max_replication_slots = 3 +# \[restart\]/);
    expect(text).toMatch(/wal_sender_timeout += 0 +# DMS needs 0 or >= 10s/);
    expect(text).toContain('ALTER ROLE dms_user SET idle_in_transaction_session_timeout = 0;');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  test('pg_hba snippet: the managed block with a comment per rule and the fence preview', () => {
    const text = pgHbaSnippet(basePlan, buildSourceBundle(basePlan));
    expect(text).toContain(
      '# BEGIN pgferry orders\n# DMS replication instance orders-ri reads orders\nhost  orders  dms_user  10.0.1.0/24  md5\n# END pgferry orders',
    );
    expect(text).toContain('# host  orders  orders_app  all  reject');
  });

  test('Patroni snippet: parameters and ignore_slots, only for Patroni sources', () => {
    expect(patroniSnippet(cdcPlan, buildSourceBundle(cdcPlan))).toBeNull();
    const plan = planWith({
      source: { ...cdcPlan.source, patroni: { rest_url: 'http://10.0.2.15:8008', scope: 'orders' } },
    });
    const withTasks: Plan = { ...plan, dms: cdcPlan.dms };
    const text = patroniSnippet(withTasks, buildSourceBundle(withTasks))!;
    expect(text).toContain('postgresql:\n  parameters:\n    max_replication_slots: 3');
    expect(text).toContain('wal_level: logical');
    expect(text).toContain('ignore_slots:\n  - type: logical\n    database: orders\n    plugin: test_decoding');
  });
});
