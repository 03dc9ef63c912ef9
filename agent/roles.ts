// Migration role creation, write fences and cutover markers. A role's password comes from a secret
// reference and is sent to the server only as a SCRAM (or md5, before 10) verifier, so the clear text
// never appears in a statement, a server log or the agent's log.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { SecretRef } from '../contracts/secret-ref.js';
import { validateHbaOnServer } from './apply/apply.js';
import { underLock } from './apply/operation.js';
import { agentLogin, assertNoLockout } from './apply/plan.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { renderBlock, spliceBlock } from './hba/managed-block.js';
import { parseHba } from './hba/parse.js';
import { readIdentity, readText } from './host.js';
import { quoteLiteral } from './pg/guc.js';
import { currentLsnSql } from './pg/sql.js';
import { atomicWrite } from './state/atomic-write.js';

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The verifier PostgreSQL stores for SCRAM-SHA-256 (RFC 5802/7677, 4096 iterations like libpq). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export function md5Verifier(password: string, user: string): string {
  return `md5${createHash('md5')
    .update(password + user)
    .digest('hex')}`;
}

export interface RoleRequest {
  readonly name: string;
  readonly login?: boolean;
  readonly superuser?: boolean;
  readonly replication?: boolean;
  readonly password: SecretRef;
  readonly settings?: Readonly<Record<string, string>>;
  readonly grantConnect?: readonly string[];
}

export async function ensureRole(ctx: AgentContext, body: RoleRequest, principal: Principal) {
  const password = await ctx.secrets.resolve(body.password, `role '${body.name}'`);
  const v = await ctx.db.serverVersionNum();
  const rows = await ctx.db.query<{ enc: string }>("SELECT pg_catalog.current_setting('password_encryption') AS enc");
  // A SCRAM verifier also serves md5 rules (the server then runs SCRAM), so use it wherever it exists.
  const scram = v >= 100000;
  void rows;
  const verifier = scram ? scramVerifier(password) : md5Verifier(password, body.name);
  const attrs = [
    body.login === false ? 'NOLOGIN' : 'LOGIN',
    body.superuser ? 'SUPERUSER' : 'NOSUPERUSER',
    body.replication === false ? 'NOREPLICATION' : 'REPLICATION',
    `PASSWORD ${quoteLiteral(verifier)}`,
  ].join(' ');
  const result = await ctx.db.withClient(async (client) => {
    const exists =
      (await client.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [body.name])).rowCount! > 0;
    await client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(body.name)} ${exists ? 'WITH ' : ''}${attrs}`);
    for (const [name, value] of Object.entries(body.settings ?? {}).sort()) {
      if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new AgentError('UNKNOWN_SETTING', `invalid setting name '${name}'`);
      await client.query(`ALTER ROLE ${quoteIdent(body.name)} SET ${name} = ${quoteLiteral(value)}`);
    }
    for (const db of body.grantConnect ?? [])
      await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(db)} TO ${quoteIdent(body.name)}`);
    return exists ? 'updated' : 'created';
  });
  await ctx.state.audit({
    kind: 'role_ensure',
    principal: principal.tokenId,
    role: body.name,
    result,
    passwordFrom: Object.keys(body.password)[0],
  });
  return { role: body.name, result, changed: true, passwordEncryption: scram ? 'scram-sha-256' : 'md5' };
}

export const FENCE_BLOCK = 'fence';

export interface FenceRequest {
  readonly method: 'hba_reject' | 'read_only';
  readonly roles: readonly string[];
  readonly databases?: readonly string[];
  readonly terminate?: boolean;
}

async function terminateSessions(ctx: AgentContext, roles: readonly string[]): Promise<number> {
  const rows = await ctx.db.query<{ n: number }>(
    `SELECT count(pg_catalog.pg_terminate_backend(pid))::int AS n FROM pg_catalog.pg_stat_activity
     WHERE usename = ANY($1::text[]) AND pid <> pg_catalog.pg_backend_pid()`,
    [roles],
  );
  return rows[0]?.n ?? 0;
}

/** Writes (or removes, with no roles) the fence block at the top of pg_hba.conf, validated like an apply. */
async function writeFenceBlock(
  ctx: AgentContext,
  roles: readonly string[],
  databases: readonly string[],
): Promise<boolean> {
  const identity = await readIdentity(ctx.db, ctx.config);
  const v = identity.serverVersionNum;
  const current = await readText(identity.hbaFile);
  const dbs = databases.length > 0 ? [...databases] : ['all'];
  const rules = roles.flatMap((role) => [
    {
      type: 'local' as const,
      database: dbs,
      user: [role],
      address: null,
      method: 'reject' as const,
      comment: `write fence for ${role}`,
    },
    {
      type: 'host' as const,
      database: dbs,
      user: [role],
      address: '0.0.0.0/0',
      method: 'reject' as const,
      comment: '',
    },
    { type: 'host' as const, database: dbs, user: [role], address: '::/0', method: 'reject' as const, comment: '' },
  ]);
  const candidate = spliceBlock(
    current,
    FENCE_BLOCK,
    rules.length ? renderBlock(FENCE_BLOCK, rules) : '',
    'top',
    parseHba(current, v).records,
  );
  if (candidate === current) return false;
  assertNoLockout(parseHba(candidate, v).records, [agentLogin(ctx.config)]);
  await atomicWrite(identity.hbaFile, candidate);
  try {
    await validateHbaOnServer(ctx, v);
  } catch (error) {
    await atomicWrite(identity.hbaFile, current);
    throw error;
  }
  await ctx.db.query('SELECT pg_catalog.pg_reload_conf()');
  return true;
}

export async function fence(ctx: AgentContext, body: FenceRequest, principal: Principal, on: boolean) {
  return underLock(
    ctx,
    { kind: on ? 'fence' : 'unfence', principal: principal.tokenId, method: body.method, roles: body.roles },
    async (operationId, audit) => {
      const self = ctx.config.postgres.user;
      if (on && body.roles.includes(self))
        throw new AgentError('LOCKOUT_RISK', `the fence would lock out the agent's own role '${self}'`);
      let changed = false;
      if (body.method === 'hba_reject') {
        changed = await writeFenceBlock(ctx, on ? body.roles : [], body.databases ?? []);
      } else {
        await ctx.db.withClient(async (client) => {
          for (const role of body.roles) {
            await client.query(
              on
                ? `ALTER ROLE ${quoteIdent(role)} SET default_transaction_read_only = on`
                : `ALTER ROLE ${quoteIdent(role)} RESET default_transaction_read_only`,
            );
          }
        });
        changed = true;
      }
      const terminated = on && body.terminate !== false ? await terminateSessions(ctx, body.roles) : 0;
      await ctx.state.audit({ ...audit, terminated, result: 'ok' });
      const at = new Date().toISOString();
      return {
        fenced: on,
        method: body.method,
        roles: body.roles,
        changed,
        terminatedSessions: terminated,
        operationId,
        ...(on ? { fencedAt: at } : { unfencedAt: at }),
      };
    },
  );
}

/** Inserts a marker row (DMS replicates it) and returns the WAL position of its commit. */
export async function writeMarker(
  ctx: AgentContext,
  body: { database: string; schema?: string; label?: string },
  principal: Principal,
) {
  const schema = body.schema ?? 'pgferry';
  const label = body.label ?? 'cutover';
  const v = await ctx.db.serverVersionNum();
  const result = await ctx.db.withClient(async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.marker (id bigserial PRIMARY KEY, label text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`,
    );
    const row = (
      await client.query<{ id: string; written_at: Date }>(
        `INSERT INTO ${quoteIdent(schema)}.marker (label) VALUES ($1) RETURNING id::text, written_at`,
        [label],
      )
    ).rows[0]!;
    const lsn = (await client.query<{ current_lsn: string }>(currentLsnSql(v))).rows[0]!.current_lsn;
    return { id: row.id, writtenAt: row.written_at.toISOString(), lsn };
  }, body.database);
  await ctx.state.audit({
    kind: 'marker',
    principal: principal.tokenId,
    database: body.database,
    label,
    lsn: result.lsn,
    result: 'written',
  });
  return { database: body.database, table: `${schema}.marker`, label, changed: true, ...result };
}
