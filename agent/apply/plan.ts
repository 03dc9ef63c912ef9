// The dry run (POST /v1/plans): reads the host, validates the bundle against the running server, and
// computes the exact hba bytes and ALTER SYSTEM statements an apply would produce, plus a fingerprint
// of the state it was computed from. No side effects. An apply recomputes the plan and refuses (409)
// when the fingerprint moved.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { GucValue, HbaRule, ProtectedConnection, SourceBundle } from '../../contracts/bundle.js';
import { hashJson, sha256 } from '../../contracts/canonical-json.js';
import type { AgentConfig } from '../config/types.js';
import { AgentError } from '../errors.js';
import { renderBlock, spliceBlock } from '../hba/managed-block.js';
import { checkCidr, type HbaRecord, parseHba } from '../hba/parse.js';
import { covers, firstMatch, type SimConnection } from '../hba/simulate.js';
import { type Identity, readIdentity, readText } from '../host.js';
import type { Db } from '../pg/db.js';
import { alterSystemSql, normalise, normaliseFileValue, type SettingRow } from '../pg/guc.js';
import { fileWinnersSql, majorOf, pkglibdirSql, settingsSql, slotCountsSql, VERSIONED_SETTINGS } from '../pg/sql.js';

export interface SettingChange {
  readonly name: string;
  /** Running value (pg_settings.setting, base unit). */
  readonly from: string;
  /** Value the config files currently give it, if any file sets it. */
  readonly fileValue: string | null;
  readonly to: string;
  readonly unit: string | null;
  readonly context: string;
  readonly effect: 'reload' | 'restart';
  readonly sql: string;
}

export interface Check {
  readonly id: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
}

export interface AgentPlan {
  readonly planId: string;
  readonly planHash: string;
  readonly baseFingerprint: string;
  readonly bundleId: string;
  readonly bundleHash: string;
  readonly expiresAt: string;
  readonly noop: boolean;
  readonly changes: {
    readonly settings: readonly SettingChange[];
    readonly hba: {
      readonly file: string;
      readonly changed: boolean;
      readonly diff: string;
      readonly added: number;
      readonly removed: number;
      readonly alreadySatisfied: readonly string[];
      readonly shadowWarnings: readonly string[];
    };
  };
  readonly requires: { readonly reload: boolean; readonly restart: boolean };
  /** Postmaster settings whose desired value is not yet running (a restart would apply them). */
  readonly restartPending: readonly string[];
  readonly checks: readonly Check[];
  readonly warnings: readonly string[];
}

/** What apply needs beyond the public plan. */
export interface PlanInternals {
  readonly plan: AgentPlan;
  readonly bundle: SourceBundle;
  readonly identity: Identity;
  readonly currentHba: string;
  readonly candidateHba: string;
  readonly desired: ReadonlyMap<string, { readonly normalised: string; readonly context: string }>;
}

interface WinnerRow {
  name: string;
  sourcefile: string | null;
  sourceline: number | null;
  setting: string | null;
  error: string | null;
}

export function bundleHashOf(bundle: SourceBundle): string {
  const { hash: _hash, ...rest } = bundle;
  return hashJson(rest);
}

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

function countDiff(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n').slice(2)) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}

function assertTarget(bundle: SourceBundle, identity: Identity): void {
  const major = majorOf(identity.serverVersionNum);
  if (bundle.target.pgMajor !== major) {
    throw new AgentError(
      'WRONG_TARGET',
      `the bundle is for PostgreSQL ${bundle.target.pgMajor}; this host runs ${identity.serverVersion}`,
      {
        details: [{ expected: bundle.target.pgMajor, actual: major }],
      },
    );
  }
  if (bundle.target.systemIdentifier !== null && bundle.target.systemIdentifier !== identity.systemIdentifier) {
    throw new AgentError(
      'WRONG_TARGET',
      `the bundle is for system ${bundle.target.systemIdentifier}; this host is ${identity.systemIdentifier}`,
      {
        details: [{ expected: bundle.target.systemIdentifier, actual: identity.systemIdentifier }],
      },
    );
  }
}

async function planSettings(db: Db, bundle: SourceBundle, identity: Identity, config: AgentConfig) {
  const v = identity.serverVersionNum;
  const names = Object.keys(bundle.settings).sort();
  for (const name of names) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
      throw new AgentError('UNKNOWN_SETTING', `'${name}' is not a valid setting name`, { details: [{ name }] });
    }
  }
  db.count('settings');
  const rows = new Map((await db.query<SettingRow>(settingsSql, [names])).map((r) => [r.name, r]));
  const winners = new Map((await db.query<WinnerRow>(fileWinnersSql, [names])).map((r) => [r.name, r]));
  const changes: SettingChange[] = [];
  const desired = new Map<string, { normalised: string; context: string }>();
  const restartPending: string[] = [];
  for (const name of names) {
    const row = rows.get(name);
    if (!row) {
      const gate = VERSIONED_SETTINGS[name];
      if (gate && ((gate.from && v < gate.from) || (gate.until && v >= gate.until))) {
        throw new AgentError(
          'SETTING_NOT_IN_VERSION',
          `${name} does not exist in PostgreSQL ${identity.serverVersion}`,
          { details: [{ name }] },
        );
      }
      const suggestion = config.settingsAllowList.find((known) => editDistance(known, name) <= 2);
      throw new AgentError(
        'UNKNOWN_SETTING',
        `unknown setting '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
        {
          details: [{ name, ...(suggestion ? { suggestion } : {}) }],
        },
      );
    }
    if (row.context === 'internal')
      throw new AgentError('NOT_SETTABLE', `${name} is fixed when the cluster is built and cannot be set`, {
        details: [{ name }],
      });
    if (!config.settingsAllowList.includes(name)) {
      throw new AgentError('SETTING_NOT_ALLOWED', `${name} is not in the agent's settings allow-list`, {
        details: [{ name }],
      });
    }
    const value = bundle.settings[name] as GucValue;
    const to = normalise(row, value);
    desired.set(name, { normalised: to, context: row.context });
    const winner = winners.get(name);
    const fileValue = winner?.setting != null ? normaliseFileValue(row, winner.setting) : null;
    const running =
      row.vartype === 'string' && name === 'shared_preload_libraries'
        ? row.setting
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .join(', ')
        : row.setting;
    const effective = fileValue ?? running;
    if (row.context === 'postmaster' && running !== to) restartPending.push(name);
    if (effective === to) continue;
    changes.push({
      name,
      from: running,
      fileValue,
      to,
      unit: row.unit,
      context: row.context,
      effect: row.context === 'postmaster' ? 'restart' : 'reload',
      sql: alterSystemSql(name, to),
    });
  }
  return { changes, desired, restartPending, rows };
}

const STANDBY_SENSITIVE = [
  'max_connections',
  'max_worker_processes',
  'max_wal_senders',
  'max_prepared_transactions',
  'max_locks_per_transaction',
];

async function crossChecks(
  db: Db,
  desired: ReadonlyMap<string, { normalised: string }>,
  running: ReadonlyMap<string, string>,
  v: number,
): Promise<Check[]> {
  const checks: Check[] = [];
  db.count('slot_counts');
  const counts = (await db.query<{ slots_used: number; logical_slots: number }>(slotCountsSql))[0]!;
  const maxSlots = desired.get('max_replication_slots');
  if (maxSlots && Number(maxSlots.normalised) < counts.slots_used) {
    throw new AgentError(
      'SLOT_LIMIT_BELOW_USAGE',
      `max_replication_slots = ${maxSlots.normalised} is below the ${counts.slots_used} slots that exist (the next start would fail)`,
      { details: [{ desired: Number(maxSlots.normalised), used: counts.slots_used }] },
    );
  }
  checks.push({ id: 'slot_headroom', status: 'pass', detail: `${counts.slots_used} slots exist` });
  const walLevel = desired.get('wal_level');
  if (walLevel && walLevel.normalised !== 'logical' && counts.logical_slots > 0) {
    throw new AgentError(
      'WAL_LEVEL_CONFLICT_LOGICAL_SLOTS',
      `wal_level = ${walLevel.normalised} while ${counts.logical_slots} logical slots exist (the next start would be FATAL)`,
      { details: [{ logicalSlots: counts.logical_slots }] },
    );
  }
  // A hot standby refuses to run with lower values than its primary (Patroni #633): never lower them
  // on a primary that has physical standbys streaming.
  const lowered = STANDBY_SENSITIVE.filter((name) => {
    const want = desired.get(name);
    return want !== undefined && running.get(name) !== undefined && Number(want.normalised) < Number(running.get(name));
  });
  if (lowered.length > 0) {
    const standbys = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_replication r
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots s WHERE s.slot_type = 'logical' AND s.active_pid = r.pid)`,
    );
    if ((standbys[0]?.n ?? 0) > 0) {
      throw new AgentError(
        'STANDBY_SENSITIVE_PARAM',
        `lowering ${lowered.join(', ')} on a primary with ${standbys[0]!.n} physical standby connection(s) would stop them from running hot standby`,
        {
          details: lowered.map((name) => ({
            name,
            running: running.get(name),
            desired: desired.get(name)!.normalised,
          })),
        },
      );
    }
  }
  const libs = desired.get('shared_preload_libraries');
  if (libs && libs.normalised !== '') {
    const sql = pkglibdirSql(v);
    const dir = sql ? (await db.query<{ setting: string }>(sql))[0]?.setting : undefined;
    if (dir) {
      for (const lib of libs.normalised.split(', ')) {
        const file = lib.includes('/') ? lib : join(dir, lib.endsWith('.so') ? lib : `${lib}.so`);
        if (!existsSync(file)) {
          throw new AgentError(
            'LIBRARY_NOT_FOUND',
            `shared_preload_libraries names '${lib}', but ${file} does not exist (the next start would fail)`,
            {
              details: [{ library: lib, path: file }],
            },
          );
        }
      }
      checks.push({ id: 'preload_libraries_present', status: 'pass', detail: `found in ${dir}` });
    } else {
      checks.push({
        id: 'preload_libraries_present',
        status: 'warn',
        detail: 'PKGLIBDIR unknown; libraries not checked',
      });
    }
  }
  return checks;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** Fingerprint of everything an apply depends on: if any of it moves, the plan is stale. */
export async function fingerprint(db: Db, identity: Identity, names: readonly string[]): Promise<string> {
  const [hba, auto] = await Promise.all([readText(identity.hbaFile), readText(identity.autoConfFile)]);
  const rows = await db.query<{ name: string; setting: string; pending_restart: boolean }>(
    'SELECT name, setting, pending_restart FROM pg_catalog.pg_settings WHERE name = ANY($1::text[]) ORDER BY name',
    [[...names].sort()],
  );
  return hashJson({
    systemIdentifier: identity.systemIdentifier,
    serverVersionNum: identity.serverVersionNum,
    files: { hba: sha256(hba), autoConf: sha256(auto) },
    settings: rows,
  });
}

export async function computePlan(db: Db, config: AgentConfig, bundle: SourceBundle): Promise<PlanInternals> {
  const bundleHash = bundleHashOf(bundle);
  if (bundleHash !== bundle.hash) {
    throw new AgentError(
      'BUNDLE_HASH_MISMATCH',
      `the bundle's hash ${bundle.hash} does not match its content (${bundleHash})`,
      {
        details: [{ declared: bundle.hash, computed: bundleHash }],
      },
    );
  }
  const identity = await readIdentity(db, config);
  assertTarget(bundle, identity);
  if (bundle.settingsMethod !== 'alter_system') {
    throw new AgentError(
      'SETTINGS_VALIDATION_FAILED',
      'settingsMethod include_file is not supported by this agent; use alter_system',
    );
  }
  const v = identity.serverVersionNum;
  const { changes, desired, restartPending, rows } = await planSettings(db, bundle, identity, config);
  const checks = await crossChecks(db, desired, new Map([...rows].map(([name, row]) => [name, row.setting])), v);
  const currentHba = await readText(identity.hbaFile);
  const hba = planHba(currentHba, bundle, v, config);
  const protect: (SimConnection & { expectMethod?: readonly string[] })[] = [
    agentLogin(config),
    ...bundle.hba.protect.map((p: ProtectedConnection) => ({ ...p })),
  ];
  assertNoLockout(parseHba(hba.candidate, v).records, protect);
  checks.push({ id: 'hba_lockout', status: 'pass', detail: `${protect.length} protected logins still admitted` });
  const hbaChanged = hba.candidate !== currentHba;
  const diff = hbaChanged
    ? createTwoFilesPatch(identity.hbaFile, identity.hbaFile, currentHba, hba.candidate, 'current', 'planned')
    : '';
  const baseFingerprint = await fingerprint(db, identity, [...desired.keys()]);
  const changesOut = {
    settings: changes,
    hba: {
      file: identity.hbaFile,
      changed: hbaChanged,
      diff,
      ...countDiff(diff),
      alreadySatisfied: hba.alreadySatisfied,
      shadowWarnings: hba.shadowWarnings,
    },
  };
  const planHash = hashJson({ bundleHash, baseFingerprint, changes: changesOut });
  const noop = changes.length === 0 && !hbaChanged;
  const plan: AgentPlan = {
    planId: `pl_${planHash.slice(7, 31)}`,
    planHash,
    baseFingerprint,
    bundleId: bundle.bundleId,
    bundleHash,
    expiresAt: new Date(Date.now() + config.limits.planTtlSeconds * 1000).toISOString(),
    noop,
    changes: changesOut,
    requires: { reload: !noop, restart: restartPending.length > 0 },
    restartPending,
    checks,
    warnings: hba.shadowWarnings,
  };
  return { plan, bundle, identity, currentHba, candidateHba: hba.candidate, desired };
}
