// The hba half of a plan: policy on the bundle's rules, the replication keyword by version, the managed
// block spliced into the current file, rules already present, shadowing, and the lock-out simulation.

import type { HbaRule, SourceBundle } from '../../contracts/bundle.js';
import type { AgentConfig } from '../config/types.js';
import { AgentError } from '../errors.js';
import { renderBlock, spliceBlock } from '../hba/managed-block.js';
import { checkCidr, type HbaRecord, parseHba } from '../hba/parse.js';
import { covers, firstMatch, type SimConnection } from '../hba/simulate.js';

export function agentLogin(config: AgentConfig): SimConnection {
  const host = config.postgres.host;
  return host.startsWith('/')
    ? { type: 'local', database: config.postgres.database, user: config.postgres.user, address: null }
    : {
        type: 'host',
        database: config.postgres.database,
        user: config.postgres.user,
        address: host === 'localhost' ? '127.0.0.1' : host,
      };
}

function describeRule(rule: HbaRecord): string {
  return `line ${rule.line}: ${rule.type} ${rule.databases.join(',')} ${rule.users.join(',')}${rule.address ? ` ${rule.address}` : ''} ${rule.method}`;
}

function describeConn(conn: SimConnection): string {
  return `${conn.type} ${conn.database} ${conn.user}${conn.address ? ` from ${conn.address}` : ''}`;
}

/** Proves every protected login still reaches a non-reject rule in `text`; throws LOCKOUT_RISK otherwise. */
export function assertNoLockout(
  records: readonly HbaRecord[],
  protect: readonly (SimConnection & { expectMethod?: readonly string[] })[],
): void {
  for (const conn of protect) {
    const { rule, certain } = firstMatch(records, conn);
    const bad =
      rule === null
        ? 'no rule matches it'
        : rule.method === 'reject'
          ? `${describeRule(rule)} rejects it${certain ? '' : ' (possibly)'}`
          : conn.expectMethod && conn.expectMethod.length > 0 && !conn.expectMethod.includes(rule.method)
            ? `${describeRule(rule)} uses ${rule.method}, expected ${conn.expectMethod.join(' or ')}`
            : null;
    if (bad) {
      throw new AgentError('LOCKOUT_RISK', `the hba change would lock out ${describeConn(conn)}: ${bad}`, {
        details: [{ connection: conn, rule: rule ? { line: rule.line, method: rule.method } : null }],
      });
    }
  }
}

function checkRulePolicy(rule: HbaRule, index: number, v: number, config: AgentConfig): void {
  const where = `hba.rules[${index}]`;
  const fail = (code: 'HBA_POLICY' | 'HBA_FEATURE_UNSUPPORTED', why: string) =>
    new AgentError(code, `${where}: ${why}`, { details: [{ rule: index }] });
  if (rule.type === 'local') {
    if (rule.address !== null) throw fail('HBA_POLICY', 'a local rule has no address');
  } else {
    if (rule.address === null) throw fail('HBA_POLICY', `a ${rule.type} rule needs an address`);
    const problem = rule.address.includes('/') ? checkCidr(rule.address) : 'address must be a CIDR (a.b.c.d/len)';
    if (problem) throw fail('HBA_POLICY', problem);
    if (/^(0\.0\.0\.0\/0|::\/0)$/.test(rule.address) && !config.hbaPolicy.allowAnyAddress) {
      throw fail('HBA_POLICY', `${rule.address} admits every address; the agent's policy forbids it`);
    }
    if (rule.method === 'peer') throw fail('HBA_POLICY', 'peer is only valid for local rules');
    if (rule.method === 'password') throw fail('HBA_POLICY', 'password (cleartext) is not allowed for host rules');
  }
  if (rule.method === 'md5' && !config.hbaPolicy.allowMd5)
    throw fail('HBA_POLICY', 'md5 is not allowed by the agent policy');
  if (rule.method === 'scram-sha-256' && v < 100000) {
    throw fail('HBA_FEATURE_UNSUPPORTED', `scram-sha-256 needs PostgreSQL 10 or later (server is ${v})`);
  }
}

const sameRecord = (a: HbaRecord, b: HbaRecord) =>
  a.type === b.type &&
  a.method === b.method &&
  a.address === b.address &&
  a.databases.join(',') === b.databases.join(',') &&
  a.users.join(',') === b.users.join(',');

interface HbaPlan {
  readonly candidate: string;
  readonly alreadySatisfied: string[];
  readonly shadowWarnings: string[];
}

/**
 * Logical replication connections match pg_hba differently by version: before 10 only the
 * `replication` keyword matches them; from 10 the database name (or all) does, and `replication`
 * matches physical replication only. A CDC bundle with the wrong form would never connect.
 */
export function checkReplicationKeyword(bundle: SourceBundle, v: number): void {
  if (bundle.slots.length === 0) return;
  const accepting = bundle.hba.rules.filter((r) => r.type !== 'local' && r.method !== 'reject');
  const users = [...new Set(accepting.flatMap((r) => r.user))].sort();
  for (const user of users) {
    const mine = accepting.filter((r) => r.user.includes(user) || r.user.includes('all'));
    const keyword = mine.some((r) => r.database.includes('replication'));
    const named = bundle.slots.every((slot) =>
      mine.some((r) => r.database.includes(slot.database) || r.database.includes('all')),
    );
    if (v < 100000 && !keyword) {
      throw new AgentError(
        'HBA_KEYWORD_VERSION_MISMATCH',
        `before PostgreSQL 10 a logical replication connection by ${user} matches only a rule for the replication keyword; the bundle has none`,
        {
          details: [{ user, serverVersionNum: v }],
        },
      );
    }
    if (v >= 100000 && keyword && !named) {
      throw new AgentError(
        'HBA_KEYWORD_VERSION_MISMATCH',
        `from PostgreSQL 10 a logical replication connection by ${user} matches its database name, not the replication keyword`,
        {
          details: [{ user, serverVersionNum: v }],
        },
      );
    }
  }
}

export function planHba(current: string, bundle: SourceBundle, v: number, config: AgentConfig): HbaPlan {
  for (const [i, rule] of bundle.hba.rules.entries()) checkRulePolicy(rule, i, v, config);
  checkReplicationKeyword(bundle, v);
  const { block, anchor } = bundle.hba;
  const withoutBlock = spliceBlock(current, block, '', anchor, []);
  const outside = parseHba(withoutBlock, v).records;
  const alreadySatisfied: string[] = [];
  const rules = bundle.hba.rules.filter((rule) => {
    const parsed = parseHba(renderBlock(block, [rule]), v).records[0];
    const existing = parsed && outside.find((r) => sameRecord(r, parsed));
    if (existing)
      alreadySatisfied.push(`${rule.type} ${rule.database.join(',')} ${rule.user.join(',')} (line ${existing.line})`);
    return !existing;
  });
  const candidate = spliceBlock(
    current,
    block,
    rules.length > 0 ? renderBlock(block, rules) : '',
    anchor,
    parseHba(current, v).records,
  );
  const parsed = parseHba(candidate, v);
  if (v < 100000 && parsed.problems.length > 0) {
    // Before 10 the server cannot validate a file without loading it: the agent's parser is the check.
    throw new AgentError(
      'HBA_VALIDATION_FAILED',
      `pg_hba.conf line ${parsed.problems[0]!.line}: ${parsed.problems[0]!.error}`,
      {
        details: parsed.problems.map((p) => ({ line: p.line, error: p.error })),
      },
    );
  }
  const shadowWarnings: string[] = [];
  const blockStart = candidate.split('\n').findIndex((l) => l.startsWith(`# BEGIN pgferry ${block}`)) + 1;
  const blockEnd = candidate.split('\n').findIndex((l) => l.trimEnd() === `# END pgferry ${block}`) + 1;
  for (const rule of parsed.records.filter((r) => r.line > blockStart && r.line < blockEnd)) {
    const shadow = parsed.records.find((r) => r.line < rule.line && covers(r, rule));
    if (!shadow) continue;
    if (shadow.method === 'reject' && rule.method !== 'reject') {
      throw new AgentError(
        'RULE_SHADOWED',
        `new rule at line ${rule.line} never matches: ${describeRule(shadow)} rejects first`,
        {
          details: [{ rule: rule.line, shadowedBy: shadow.line }],
        },
      );
    }
    shadowWarnings.push(`new rule at line ${rule.line} is shadowed by ${describeRule(shadow)}`);
  }
  return { candidate, alreadySatisfied, shadowWarnings };
}

export function countDiff(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n').slice(2)) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}
