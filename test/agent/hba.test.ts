// The strict pg_hba parser (the only validation on 9.x), the managed block writer (every byte outside
// the block kept) and the first-match simulation behind the lock-out check.

import { describe, expect, it } from 'vitest';
import { checkReplicationKeyword } from '../../agent/apply/plan.js';
import { renderBlock, spliceBlock } from '../../agent/hba/managed-block.js';
import { checkCidr, parseHba } from '../../agent/hba/parse.js';
import { covers, firstMatch } from '../../agent/hba/simulate.js';
import type { HbaRule } from '../../contracts/bundle.js';
import { parseCidr } from '../../contracts/cidr.js';
import { makeBundle } from './support.js';

describe('one address parser for the agent and the compiler', () => {
  it.each([
    '10.0.1.0/24',
    '010.0.1.0/24',
    '10.0.1.7/33',
    '::/0',
    ':::/64',
    'fd00:10::1/64',
    '2001:db8::/129',
    '::ffff:10.0.0.1/128',
    '10.0.1/24',
    '1.2.3.4.5/8',
  ])('%s: the agent accepts it exactly when the compiler does', (text) => {
    expect(checkCidr(text) === null).toBe(parseCidr(text).ok);
  });
});

describe('parseHba on 9.5/9.6', () => {
  it.each([
    ['host all all 10.0.0.0/33 md5', 'invalid CIDR mask'],
    ['host all all 10.0.0.0/8 md55', 'invalid authentication method "md55"'],
    ['host all all 10.0.0.0/8 scram-sha-256', 'invalid authentication method "scram-sha-256"'],
    ['hostgssenc all all 10.0.0.0/8 md5', 'invalid connection type "hostgssenc"'],
    ['host all all', 'end-of-line before IP address specification'],
    ['host all all 10.0.0.1 md5', 'invalid IP mask "md5"'],
    ['host all all 10.0.0.0/8 peer', 'peer authentication is only supported on local sockets'],
    ['include other.conf', 'invalid connection type "include"'],
    ['local "all all md5', 'unterminated quoted string'],
    ['host all all 300.0.0.1/32 md5', 'invalid IP address "300.0.0.1"'],
    // Read by glibc as octal (010 = 8): refused rather than meaning 8.0.1.0.
    ['host all all 010.0.1.0/24 md5', 'invalid IP address "010.0.1.0"'],
    ['host all all :::/64 md5', 'invalid IP address ":::"'],
  ])('rejects %j', (line, error) => {
    const parsed = parseHba(`local all postgres peer\n${line}\n`, 90521);
    expect(parsed.problems).toEqual([{ line: 2, error: expect.stringContaining(error) }]);
  });

  it('accepts what 9.5 accepts', () => {
    const text = [
      '# comment',
      'local   all             postgres                                peer',
      'local   replication     all                                     peer # trailing',
      'host    "my db"         dms_user        10.0.1.0/24             md5',
      'host    all             all             10.0.0.1 255.255.255.0  md5',
      'hostssl orders,billing  +readers        ::1/128                 cert clientcert=1',
      '',
    ].join('\n');
    const parsed = parseHba(text, 90521);
    expect(parsed.problems).toEqual([]);
    expect(parsed.records.map((r) => [r.line, r.type, r.databases, r.users, r.address, r.method])).toEqual([
      [2, 'local', ['all'], ['postgres'], null, 'peer'],
      [3, 'local', ['replication'], ['all'], null, 'peer'],
      [4, 'host', ['"my db"'], ['dms_user'], '10.0.1.0/24', 'md5'],
      [5, 'host', ['all'], ['all'], '10.0.0.1/255.255.255.0', 'md5'],
      [6, 'hostssl', ['orders', 'billing'], ['+readers'], '::1/128', 'cert'],
    ]);
  });

  it('knows the later features by version', () => {
    expect(parseHba('host all all 10.0.0.0/8 scram-sha-256\n', 100000).problems).toEqual([]);
    expect(parseHba('hostgssenc all all 10.0.0.0/8 md5\n', 120000).problems).toEqual([]);
    expect(parseHba('include other.conf\n', 160000).problems).toEqual([]);
    expect(parseHba('host all all \\\n 10.0.0.0/8 md5\n', 140000).problems).toEqual([]);
  });
});

const dms: HbaRule = {
  type: 'host',
  database: ['appdb'],
  user: ['dms_user'],
  address: '10.0.1.0/24',
  method: 'md5',
  comment: 'DMS',
};

describe('managed block', () => {
  const original =
    '# keep me\r\nlocal all postgres peer\r\n\r\n# IPv4\r\nhost all all 127.0.0.1/32 md5\r\ninclude_dir conf.d\r\n';

  it('inserts before the first non-local rule and leaves every other byte alone', () => {
    const block = renderBlock('dms', [dms]);
    const out = spliceBlock(original, 'dms', block, 'first_non_local_rule', parseHba(original, 160000).records);
    expect(out.replace(block, '')).toBe(original);
    expect(out.indexOf(block)).toBe(original.indexOf('host all all'));
  });

  it('replaces only the block on the next apply and removes it when there are no rules', () => {
    const first = spliceBlock(original, 'dms', renderBlock('dms', [dms]), 'bottom', []);
    const second = spliceBlock(first, 'dms', renderBlock('dms', [{ ...dms, address: '10.0.2.0/24' }]), 'bottom', []);
    expect(second).toContain('10.0.2.0/24');
    expect(second).not.toContain('10.0.1.0/24');
    expect(spliceBlock(second, 'dms', '', 'bottom', [])).toBe(original);
  });

  it('renders the same rules to the same bytes, quoting names that need it', () => {
    const odd: HbaRule = { ...dms, database: ['my "db"'], user: ['all'], comment: 'line1\nline2' };
    expect(renderBlock('dms', [odd])).toBe(renderBlock('dms', [odd]));
    expect(renderBlock('dms', [odd])).toContain('host\t"my ""db"""\tall\t10.0.1.0/24\tmd5\n');
    expect(renderBlock('dms', [odd])).toContain('# line1 line2\n');
  });

  it('refuses a damaged block', () => {
    expect(() => spliceBlock('# BEGIN pgferry dms\nhost all all 1.2.3.4/32 md5\n', 'dms', '', 'bottom', [])).toThrow(
      /damaged/,
    );
  });
});

describe('replication keyword by version', () => {
  const base = makeBundle(9, 90521, {
    hba: { mode: 'managed_block', block: 'dms', anchor: 'bottom', rules: [dms], protect: [] },
  });

  it('needs a replication rule for CDC before 10', () => {
    expect(() => checkReplicationKeyword(base, 90521)).toThrow(/matches only a rule for the replication keyword/);
    const fixed = { ...base, hba: { ...base.hba, rules: [dms, { ...dms, database: ['replication'] }] } };
    expect(() => checkReplicationKeyword(fixed, 90521)).not.toThrow();
  });

  it('is satisfied by the database rule from 10, and needs nothing without slots', () => {
    expect(() => checkReplicationKeyword(base, 100000)).not.toThrow();
    expect(() => checkReplicationKeyword({ ...base, slots: [] }, 90521)).not.toThrow();
  });
});

describe('first-match simulation', () => {
  const records = parseHba(
    [
      'local all postgres peer',
      'host all +admins 10.0.0.0/8 reject',
      'host appdb dms_user 10.0.1.0/24 scram-sha-256',
      'host all all 0.0.0.0/0 reject',
    ].join('\n'),
    160000,
  ).records;

  it.each([
    [{ type: 'local', database: 'postgres', user: 'postgres', address: null }, 1, true],
    [{ type: 'host', database: 'appdb', user: 'dms_user', address: '10.0.1.5' }, 2, false],
    [{ type: 'host', database: 'appdb', user: 'dms_user', address: '192.168.0.1' }, 4, true],
    [{ type: 'local', database: 'postgres', user: 'app', address: null }, null, true],
  ] as const)('%j first matches line %s', (conn, index, certain) => {
    const result = firstMatch(records, conn);
    expect(result.rule === null ? null : records.indexOf(result.rule)).toBe(index === null ? null : index - 1);
    expect(result.certain).toBe(certain);
  });

  it('knows when an earlier rule covers a later one', () => {
    const [wide, narrow] = parseHba(
      'host all all 10.0.0.0/8 reject\nhostssl appdb dms_user 10.0.1.0/24 md5\n',
      160000,
    ).records;
    expect(covers(wide!, narrow!)).toBe(true);
    expect(covers(narrow!, wide!)).toBe(false);
  });
});
