// The PostgreSQL facts the rules rely on, checked against real servers (12 and 16): which GUCs exist,
// which need a restart, their units and 10+ defaults, and that address ranges parse and normalise the
// way PostgreSQL's own inet type does.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { matchesWildcard, wildcardToRegex } from '../../../compiler/knowledge/dms-wildcard.js';
import { SLOT_NAME } from '../../../compiler/knowledge/identifiers.js';
import { defaultReplicationSettings, SOURCE_GUCS } from '../../../compiler/knowledge/pg-versions.js';
import { hasHostBits, networkOf, parseCidr } from '../../../contracts/cidr.js';
import { type PgCluster, startCluster } from '../../support/pg-cluster.js';

const majors = [12, 16] as const;
const clusters = new Map<number, PgCluster>();

beforeAll(async () => {
  for (const major of majors) clusters.set(major, await startCluster({ major }));
}, 120_000);

afterAll(async () => {
  for (const cluster of clusters.values()) await cluster.stop();
});

describe.each(majors)('PostgreSQL %i', (major) => {
  const cluster = () => clusters.get(major)!;

  test('SOURCE_GUCS: existence, restart context and unit match pg_settings', async () => {
    const num = Number((await cluster().query('SHOW server_version_num')).rows[0].server_version_num);
    const { rows } = await cluster().query('SELECT name, context, unit FROM pg_settings WHERE name = ANY($1)', [
      Object.keys(SOURCE_GUCS),
    ]);
    const actual = new Map(rows.map((row) => [row.name as string, row as { context: string; unit: string | null }]));
    for (const facts of Object.values(SOURCE_GUCS)) {
      const row = actual.get(facts.name);
      expect(row !== undefined, `${facts.name} on ${num}`).toBe(num >= facts.since);
      if (!row) continue;
      expect(row.context === 'postmaster', `${facts.name} restart`).toBe(facts.restart);
      expect(row.unit, `${facts.name} unit`).toBe(facts.unit);
    }
  });

  test('10+ replication defaults', async () => {
    const num = Number((await cluster().query('SHOW server_version_num')).rows[0].server_version_num);
    const { rows } = await cluster().query(
      "SELECT name, boot_val FROM pg_settings WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders')",
    );
    const defaults = Object.fromEntries(rows.map((row) => [row.name, row.boot_val]));
    const expected = defaultReplicationSettings(num);
    expect(defaults).toEqual({
      wal_level: expected.wal_level,
      max_replication_slots: String(expected.max_replication_slots),
      max_wal_senders: String(expected.max_wal_senders),
    });
  });

  test.each(['dms_orders', 'a'.repeat(63), 'a'.repeat(64), 'DMS_orders', 'dms-orders', 'dms orders', '9_slot'])(
    'slot name %s: SLOT_NAME agrees with PostgreSQL',
    async (name) => {
      // Accepted means usable as written: the name type silently truncates past 63 bytes.
      let accepted: boolean;
      try {
        const { rows } = await cluster().query('SELECT slot_name FROM pg_create_physical_replication_slot($1)', [name]);
        await cluster().query('SELECT pg_drop_replication_slot($1)', [rows[0].slot_name]);
        accepted = rows[0].slot_name === name;
      } catch {
        accepted = false;
      }
      expect(SLOT_NAME.test(name)).toBe(accepted);
    },
  );

  test("DMS wildcards: the rules' matcher agrees with the regexes target SQL uses", async () => {
    // Brackets, regex and SQL metacharacters, and a ']' as the only member of a set ('[]]x'), where the
    // rule's matcher and the emitter once disagreed.
    const patterns = [
      '%',
      'order%',
      'order_',
      'order[_]%',
      '[a-c]%',
      '%[_]log',
      'o%r%s',
      'orders',
      '[]]x',
      'a.b%',
      'x$(y)',
      'we[-]ird',
      "it's",
      '[^a]%',
      'a\\b%',
    ];
    const names = [
      'orders',
      'order_lines',
      'orderXlines',
      'order1',
      'billing',
      'audit_log',
      'auditlog',
      'o',
      ']x',
      'a.bc',
      'aXbc',
      'x$(y)',
      'we-ird',
      "it's",
      '^b',
      'ab',
      'a\\bc',
    ];
    const { rows } = await cluster().query(
      'SELECT p.i, n.j, n.name ~ p.re AS hit FROM unnest($1::text[]) WITH ORDINALITY p(re, i), unnest($2::text[]) WITH ORDINALITY n(name, j)',
      [patterns.map(wildcardToRegex), names],
    );
    for (const row of rows) {
      const pattern = patterns[Number(row.i) - 1]!;
      const name = names[Number(row.j) - 1]!;
      expect(matchesWildcard(pattern, name), `${pattern} ~ ${name}`).toBe(row.hit);
    }
    expect(rows).toHaveLength(patterns.length * names.length);
  });

  test.each([
    '10.0.1.0/24',
    '10.0.1.7/24',
    '192.168.1.77/30',
    '0.0.0.0/0',
    '2001:db8::ff/120',
    'fd00:10::1/64',
    '::/0',
    '10.0.1.300/24',
    '10.0.1.0/33',
    '2001:db8::/129',
  ])('cidr %s parses and normalises like inet', async (text) => {
    const parsed = parseCidr(text);
    let network: string | null = null;
    try {
      network = (await cluster().query('SELECT network($1::inet)::text AS n', [text])).rows[0].n as string;
    } catch {
      network = null;
    }
    expect(parsed.ok).toBe(network !== null);
    if (parsed.ok && network !== null) {
      expect(networkOf(parsed.cidr)).toBe(network);
      expect(hasHostBits(parsed.cidr)).toBe(network !== text);
    }
  });
});
