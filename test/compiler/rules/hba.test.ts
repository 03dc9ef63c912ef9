import { describe, expect, test } from 'vitest';
import { hbaRule } from '../../../compiler/rules/hba.js';
import { hasHostBits, networkOf, parseCidr } from '../../../contracts/cidr.js';
import { basePlan, cdcPlan, expectRow, findingsOf, pgVersion, planWith, type Row } from './builders.js';

const withCidrs = (cidrs: string[], extra: Parameters<typeof planWith>[0] = {}) =>
  planWith({
    ...extra,
    dms: { replication_instance: { source_cidrs: cidrs, ...(extra.dms?.replication_instance ?? {}) } },
  });

describe('pg_hba', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    { name: 'scram on 13 passes', plan: cdcPlan, want: [] },
    {
      name: 'malformed IPv4 range',
      plan: withCidrs(['10.0.1.300/24']),
      want: ['PGF3100@/dms/replication_instance/source_cidrs/0'],
      words: ['10.0.1.300/24', 'invalid'],
    },
    {
      name: 'range without prefix',
      plan: withCidrs(['10.0.1.0']),
      want: ['PGF3100@/dms/replication_instance/source_cidrs/0'],
      words: ['prefix'],
    },
    {
      name: 'IPv4 prefix beyond 32',
      plan: withCidrs(['10.0.1.0/33']),
      want: ['PGF3100@/dms/replication_instance/source_cidrs/0'],
      words: ['at most 32'],
    },
    { name: 'IPv6 range passes', plan: withCidrs(['fd00:10::/64']), want: [] },
    {
      name: 'host bits set: corrected network is suggested',
      plan: withCidrs(['10.0.1.7/24']),
      want: ['PGF3101@/dms/replication_instance/source_cidrs/0'],
      words: ['10.0.1.0/24'],
    },
    {
      name: 'IPv6 host bits',
      plan: withCidrs(['fd00:10::1/64']),
      want: ['PGF3101@/dms/replication_instance/source_cidrs/0'],
      words: ['fd00:10::/64'],
    },
    {
      name: '0.0.0.0/0 without opt-in',
      plan: withCidrs(['0.0.0.0/0']),
      want: ['PGF3102@/dms/replication_instance/source_cidrs/0'],
      words: ['anywhere'],
    },
    {
      name: '::/0 without opt-in',
      plan: withCidrs(['::/0']),
      want: ['PGF3102@/dms/replication_instance/source_cidrs/0'],
    },
    {
      name: '0.0.0.0/0 with allow_any_address',
      plan: withCidrs(['0.0.0.0/0'], { source: { allow_any_address: true } }),
      want: [],
    },
    {
      name: 'trust is never allowed',
      plan: planWith({ source: { auth_method: 'trust' as never } }),
      want: ['PGF3103@/source/auth_method'],
      words: ['trust'],
    },
    {
      name: 'scram on 9.5',
      plan: planWith({ source: { auth_method: 'scram-sha-256' } }),
      want: ['PGF3104@/source/auth_method'],
      words: ['PostgreSQL 10'],
    },
    {
      name: 'md5 on 16 is an info',
      plan: planWith({ source: { version: pgVersion('16.4') }, target: { version: pgVersion('16.4') } }),
      want: ['PGF3105@/source/auth_method'],
      words: ['md5'],
    },
    {
      name: 'a database called replication',
      plan: planWith({ source: { databases: ['replication'] }, target: { databases: { replication: 'replication' } } }),
      want: ['PGF3106@/source/databases/0'],
      words: ['keyword'],
    },
    {
      name: 'local protected login with an address',
      plan: planWith({
        source: { protected_logins: [{ type: 'local', database: 'all', user: 'postgres', address: '10.0.0.1/32' }] },
      }),
      want: ['PGF3107@/source/protected_logins/0/address'],
    },
    {
      name: 'host protected login without an address',
      plan: planWith({ source: { protected_logins: [{ type: 'host', database: 'all', user: 'dba', address: null }] } }),
      want: ['PGF3107@/source/protected_logins/0'],
    },
    {
      name: 'protected login with a bad range',
      plan: planWith({
        source: { protected_logins: [{ type: 'hostssl', database: 'all', user: 'dba', address: '10.0.0.1' }] },
      }),
      want: ['PGF3100@/source/protected_logins/0/address'],
    },
    {
      name: 'valid protected logins pass',
      plan: planWith({
        source: {
          protected_logins: [
            { type: 'local', database: 'all', user: 'postgres', address: null },
            { type: 'hostssl', database: 'all', user: 'dba', address: '10.0.9.0/24' },
          ],
        },
      }),
      want: [],
    },
    {
      name: 'protected replication login on 13 covers physical replication only',
      plan: planWith({
        source: {
          version: pgVersion('13.14'),
          protected_logins: [{ type: 'hostssl', database: 'replication', user: 'standby', address: '10.0.3.0/24' }],
        },
        target: { version: pgVersion('13.14') },
      }),
      want: ['PGF3110@/source/protected_logins/0/database'],
      words: ['physical replication only'],
    },
    {
      name: 'protected replication login on 9.5 passes',
      plan: planWith({
        source: {
          protected_logins: [{ type: 'hostssl', database: 'replication', user: 'standby', address: '10.0.3.0/24' }],
        },
      }),
      want: [],
    },
    { name: 'no DMS range', plan: withCidrs([]), want: ['PGF3108@/dms/replication_instance/source_cidrs'] },
    {
      name: 'a /32 on a Multi-AZ instance',
      plan: withCidrs(['10.0.1.15/32'], { dms: { replication_instance: { multi_az: true } } }),
      want: ['PGF3109@/dms/replication_instance/source_cidrs/0'],
      words: ['failover'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(hbaRule, row));

  test('md5 on 18 is a warning', () => {
    const plan = planWith({ source: { version: pgVersion('18.1') }, target: { version: pgVersion('18.1') } });
    expect(findingsOf(hbaRule, plan).map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('cidr parsing', () => {
  test.each([
    ['10.0.0.0/8', true, false, '10.0.0.0/8'],
    ['192.168.1.77/30', true, true, '192.168.1.76/30'],
    ['2001:db8::/32', true, false, '2001:db8::/32'],
    ['2001:db8::ff/120', true, true, '2001:db8::/120'],
    ['::ffff:10.0.0.1/128', true, false, '::ffff:a00:1/128'],
    ['1:2:3:4:5:6:7:8:9/64', false, false, ''],
    ['010.0.0.0/8', false, false, ''],
  ])('%s', (text, ok, hostBits, network) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(ok);
    if (parsed.ok) {
      expect(hasHostBits(parsed.cidr)).toBe(hostBits);
      expect(networkOf(parsed.cidr)).toBe(network);
    }
  });
});
