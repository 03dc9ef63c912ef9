// Write fences. The pg_hba fence block holds one entry per (plan, database): fencing a database adds
// or refreshes its entry and never touches another's, and only unfencing that database removes it.
// Each entry is stored as a JSON comment in front of its reject rules, so pg_hba.conf is the one
// record of what is fenced (nothing to drift between a state file and the live file). A fence counts
// only when a login as each fenced role is really refused after the reload.

import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentReply } from '../contracts/agent-api/routes.js';
import type { HbaRule } from '../contracts/bundle.js';
import { compareText } from '../contracts/compare.js';
import { quoteIdent } from '../contracts/sql-quote.js';
import { validateHbaOnServer } from './apply/apply.js';
import { underLock } from './apply/operation.js';
import { agentLogin, assertNoLockout } from './apply/plan.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { findBlock, renderBlock, spliceBlock } from './hba/managed-block.js';
import { parseHba } from './hba/parse.js';
import { readIdentity, readText } from './host.js';
import driver from './pg/driver.js';
import { atomicWrite } from './state/atomic-write.js';

export const FENCE_BLOCK = 'fence';
/** The database key of a fence over every database (a request without `databases`). */
const ALL = 'all';
const ENTRY_PREFIX = '# fence ';

export interface FenceRequest {
  readonly method: 'hba_reject' | 'read_only';
  readonly roles: readonly string[];
  readonly databases?: readonly string[];
  readonly terminate?: boolean;
  /** The plan that owns the fence; entries of other plans are left alone. */
  readonly plan?: string;
}

export interface FenceEntry {
  readonly plan: string;
  readonly database: string;
  readonly roles: readonly string[];
  readonly fencedAt: string;
}

const entryKey = (entry: { plan: string; database: string }) => `${entry.plan}\u0000${entry.database}`;

/** The entries in the fence block of `text` (a block written before entries existed reads as plan ''). */
export function readFenceEntries(text: string, versionNum: number): FenceEntry[] {
  const location = findBlock(text, FENCE_BLOCK);
  if (!location) return [];
  const lines = text.split(/(?<=\n)/).slice(location.begin + 1, location.end);
  const entries: FenceEntry[] = [];
  for (const line of lines) {
    if (!line.startsWith(ENTRY_PREFIX)) continue;
    try {
      const parsed = JSON.parse(line.slice(ENTRY_PREFIX.length)) as Partial<FenceEntry>;
      if (typeof parsed.plan === 'string' && typeof parsed.database === 'string' && Array.isArray(parsed.roles)) {
        entries.push({
          plan: parsed.plan,
          database: parsed.database,
          roles: parsed.roles.map(String),
          fencedAt: String(parsed.fencedAt ?? ''),
        });
      }
    } catch {
      // Not an entry line: a comment someone typed inside the block.
    }
  }
  if (entries.length > 0) return entries;
  // Legacy block: reject rules without entry comments. Keep them, grouped by database, so an upgrade
  // in the middle of a cutover never lifts a fence by rewriting the block.
  const byDatabase = new Map<string, Set<string>>();
  for (const record of parseHba(lines.join(''), versionNum).records) {
    if (record.method !== 'reject') continue;
    for (const database of record.databases) {
      const roles = byDatabase.get(database) ?? new Set<string>();
      for (const user of record.users) roles.add(user);
      byDatabase.set(database, roles);
    }
  }
  return [...byDatabase].map(([database, roles]) => ({ plan: '', database, roles: [...roles].sort(), fencedAt: '' }));
}

function entryRules(entry: FenceEntry): HbaRule[] {
  const databases = [entry.database];
  const header = `fence ${JSON.stringify({ plan: entry.plan, database: entry.database, roles: entry.roles, fencedAt: entry.fencedAt })}`;
  return entry.roles.flatMap((role, index) => [
    {
      type: 'local' as const,
      database: databases,
      user: [role],
      address: null,
      method: 'reject' as const,
      comment: index === 0 ? header : '',
    },
    {
      type: 'host' as const,
      database: databases,
      user: [role],
      address: '0.0.0.0/0',
      method: 'reject' as const,
      comment: '',
    },
    {
      type: 'host' as const,
      database: databases,
      user: [role],
      address: '::/0',
      method: 'reject' as const,
      comment: '',
    },
  ]);
}

/** The block for a set of entries, in a stable order ('' when there is nothing left to fence). */
export function renderFenceBlock(entries: readonly FenceEntry[]): string {
  if (entries.length === 0) return '';
  const sorted = [...entries].sort((a, b) => compareText(a.plan, b.plan) || compareText(a.database, b.database));
  return renderBlock(FENCE_BLOCK, sorted.flatMap(entryRules));
}

/** Adds, replaces or removes one (plan, database) entry and writes pg_hba.conf, validated like an apply. */
async function updateFenceEntry(
  ctx: AgentContext,
  key: { plan: string; database: string },
  entry: FenceEntry | null,
): Promise<{ changed: boolean; entries: FenceEntry[] }> {
  const identity = await readIdentity(ctx.db, ctx.config);
  const v = identity.serverVersionNum;
  const current = await readText(identity.hbaFile);
  const existing = readFenceEntries(current, v);
  const previous = existing.find((item) => entryKey(item) === entryKey(key));
  let next = existing.filter((item) => entryKey(item) !== entryKey(key));
  if (entry) {
    // Re-fencing with the same roles keeps the entry (and when it began) as it is.
    const same = previous && [...previous.roles].sort().join(',') === [...entry.roles].sort().join(',');
    next = [...next, same ? previous : entry];
  }
  const candidate = spliceBlock(current, FENCE_BLOCK, renderFenceBlock(next), 'top', parseHba(current, v).records);
  if (candidate === current) return { changed: false, entries: next };
  assertNoLockout(parseHba(candidate, v).records, [agentLogin(ctx.config)]);
  await atomicWrite(identity.hbaFile, candidate);
  try {
    await validateHbaOnServer(ctx, v);
  } catch (error) {
    await atomicWrite(identity.hbaFile, current);
    throw error;
  }
  await ctx.db.query('SELECT pg_catalog.pg_reload_conf()');
  return { changed: true, entries: next };
}

/** Tries to log in as `role` with a throwaway password: refused by pg_hba, or let through to authentication. */
async function loginRefused(ctx: AgentContext, role: string, database: string): Promise<boolean> {
  const { host, port, connectTimeoutMs } = ctx.db.options;
  const client = new driver.Client({
    host,
    port,
    user: role,
    database,
    password: randomBytes(12).toString('hex'),
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'pgferry-agent-fence-check',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end().catch(() => undefined);
    return false;
  } catch (error) {
    const message = (error as Error).message ?? '';
    return /pg_hba\.conf rejects connection|no pg_hba\.conf entry/.test(message);
  }
}

export interface LoginCheck {
  readonly role: string;
  readonly database: string;
  readonly refused: boolean;
}

/**
 * Logins as each role into each database until every one is `refused` as wanted (the postmaster reloads
 * pg_hba.conf asynchronously after pg_reload_conf, so the first attempts may still see the old rules).
 */
async function checkLogins(
  ctx: AgentContext,
  pairs: readonly { role: string; database: string }[],
  wantRefused: boolean,
): Promise<LoginCheck[]> {
  let checks: LoginCheck[] = [];
  for (let attempt = 0; attempt < 50; attempt += 1) {
    checks = [];
    for (const { role, database } of pairs) {
      const probeDb = database === ALL ? ctx.config.postgres.database : database;
      checks.push({ role, database, refused: await loginRefused(ctx, role, probeDb) });
    }
    if (checks.every((check) => check.refused === wantRefused)) return checks;
    await delay(100);
  }
  return checks;
}

async function terminateSessions(
  ctx: AgentContext,
  roles: readonly string[],
  databases: readonly string[],
): Promise<number> {
  const every = databases.includes(ALL);
  const rows = await ctx.db.query<{ n: number }>(
    `SELECT count(pg_catalog.pg_terminate_backend(pid))::int AS n FROM pg_catalog.pg_stat_activity
     WHERE usename = ANY($1::text[]) AND pid <> pg_catalog.pg_backend_pid()
       AND ($2::boolean OR datname = ANY($3::text[]))`,
    [roles, every, databases],
  );
  return rows[0]?.n ?? 0;
}

async function readOnlyFence(ctx: AgentContext, roles: readonly string[], databases: readonly string[], on: boolean) {
  await ctx.db.withClient(async (client) => {
    for (const database of databases) {
      const scope = database === ALL ? '' : ` IN DATABASE ${quoteIdent(database)}`;
      for (const role of roles) {
        await client.query(
          on
            ? `ALTER ROLE ${quoteIdent(role)}${scope} SET default_transaction_read_only = on`
            : `ALTER ROLE ${quoteIdent(role)}${scope} RESET default_transaction_read_only`,
        );
      }
    }
  });
}

export async function fence(
  ctx: AgentContext,
  body: FenceRequest,
  principal: Principal,
  on: boolean,
): Promise<AgentReply<'fence'>> {
  const plan = body.plan ?? '';
  const databases = body.databases && body.databases.length > 0 ? [...new Set(body.databases)].sort() : [ALL];
  const roles = [...new Set(body.roles)].sort();
  return underLock(
    ctx,
    { kind: on ? 'fence' : 'unfence', principal: principal.tokenId, method: body.method, plan, roles, databases },
    async (operationId, audit) => {
      const self = ctx.config.postgres.user;
      if (on && roles.includes(self))
        throw new AgentError('LOCKOUT_RISK', `the fence would lock out the agent's own role '${self}'`);
      const at = new Date().toISOString();
      let changed = false;
      let entries: FenceEntry[] = [];
      let logins: LoginCheck[] = [];
      if (body.method === 'hba_reject') {
        for (const database of databases) {
          const result = await updateFenceEntry(
            ctx,
            { plan, database },
            on ? { plan, database, roles, fencedAt: at } : null,
          );
          changed ||= result.changed;
          entries = result.entries;
        }
        // An unfenced role stays refused where another plan's entry still fences the same database.
        const stillFenced = new Set(entries.flatMap((e) => e.roles.map((role) => `${role}\u0000${e.database}`)));
        const pairs = databases
          .flatMap((database) => roles.map((role) => ({ role, database })))
          .filter((pair) => on || !stillFenced.has(`${pair.role}\u0000${pair.database}`));
        logins = await checkLogins(ctx, pairs, on);
        if (on && logins.some((check) => !check.refused)) {
          const open = logins.filter((check) => !check.refused).map((check) => `${check.role}@${check.database}`);
          throw new AgentError(
            'VERIFY_FAILED',
            `the fence is written but a login is still admitted: ${open.join(', ')}`,
            {
              changed: true,
              details: logins,
            },
          );
        }
      } else {
        await readOnlyFence(ctx, roles, databases, on);
        changed = true;
      }
      const terminated = on && body.terminate !== false ? await terminateSessions(ctx, roles, databases) : 0;
      await ctx.state.audit({ ...audit, changed, terminated, result: 'ok' });
      const entry = entries.find((item) => item.plan === plan && item.database === databases[0]);
      return {
        fenced: on,
        method: body.method,
        plan,
        roles,
        databases,
        changed,
        terminatedSessions: terminated,
        operationId,
        logins,
        entries: entries.map((item) => ({ plan: item.plan, database: item.database, roles: [...item.roles] })),
        ...(on ? { fencedAt: entry?.fencedAt || at } : { unfencedAt: at }),
      };
    },
  );
}
