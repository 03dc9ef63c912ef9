// Migration role creation and cutover markers (write fences live in fence.ts). A role's password comes
// from a secret reference and is sent to the server only as a SCRAM (or md5, before 10) verifier, so
// the clear text never appears in a statement, a server log or the agent's log.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { AgentReply } from '../contracts/agent-api/routes.js';
import { PGFERRY_SCHEMA } from '../contracts/pgferry-schema.js';
import type { SecretRef } from '../contracts/secret-ref.js';
import { quoteIdent, quoteLiteral } from '../contracts/sql-quote.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { currentLsnSql } from './pg/sql.js';

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

export async function ensureRole(
  ctx: AgentContext,
  body: RoleRequest,
  principal: Principal,
): Promise<AgentReply<'role'>> {
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
  for (const name of Object.keys(body.settings ?? {})) {
    if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new AgentError('UNKNOWN_SETTING', `invalid setting name '${name}'`);
  }
  const result = await ctx.db.withClient(async (client) => {
    const current = await currentRole(client, body.name);
    if (current !== null && sameRole(current, body, password)) {
      const missing = await missingConnect(client, body.name, body.grantConnect ?? []);
      if (missing.length === 0) return 'unchanged' as const;
    }
    await client.query(
      `${current ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(body.name)} ${current ? 'WITH ' : ''}${attrs}`,
    );
    for (const [name, value] of Object.entries(body.settings ?? {}).sort()) {
      await client.query(`ALTER ROLE ${quoteIdent(body.name)} SET ${name} = ${quoteLiteral(value)}`);
    }
    for (const db of body.grantConnect ?? [])
      await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(db)} TO ${quoteIdent(body.name)}`);
    return current ? ('updated' as const) : ('created' as const);
  });
  await ctx.state.audit({
    kind: 'role_ensure',
    principal: principal.tokenId,
    role: body.name,
    result,
    passwordFrom: Object.keys(body.password)[0],
  });
  return {
    role: body.name,
    result,
    changed: result !== 'unchanged',
    passwordEncryption: scram ? 'scram-sha-256' : 'md5',
  };
}

interface CurrentRole {
  readonly login: boolean;
  readonly superuser: boolean;
  readonly replication: boolean;
  /** The stored verifier; null when the agent's role may not read pg_authid (then it cannot compare). */
  readonly verifier: string | null;
  readonly config: readonly string[];
}

async function currentRole(client: pg.Client, name: string): Promise<CurrentRole | null> {
  const base = await client.query<{ oid: number; rolcanlogin: boolean; rolsuper: boolean; rolreplication: boolean }>(
    'SELECT oid, rolcanlogin, rolsuper, rolreplication FROM pg_catalog.pg_roles WHERE rolname = $1',
    [name],
  );
  const row = base.rows[0];
  if (!row) return null;
  const config = await client.query<{ setconfig: string[] | null }>(
    'SELECT setconfig FROM pg_catalog.pg_db_role_setting WHERE setrole = $1 AND setdatabase = 0',
    [row.oid],
  );
  // pg_authid is readable by superusers only; a least-privilege agent updates the role every time.
  const verifier = await client
    .query<{ rolpassword: string | null }>('SELECT rolpassword FROM pg_catalog.pg_authid WHERE oid = $1', [row.oid])
    .then((r) => r.rows[0]?.rolpassword ?? null)
    .catch(() => null);
  return {
    login: row.rolcanlogin,
    superuser: row.rolsuper,
    replication: row.rolreplication,
    verifier,
    config: config.rows[0]?.setconfig ?? [],
  };
}

/** Whether the role already is what the request asks for: attributes, password and settings. */
function sameRole(current: CurrentRole, body: RoleRequest, password: string): boolean {
  if (current.login !== (body.login !== false)) return false;
  if (current.superuser !== (body.superuser === true)) return false;
  if (current.replication !== (body.replication !== false)) return false;
  if (!verifierMatches(current.verifier, password, body.name)) return false;
  return Object.entries(body.settings ?? {}).every(([name, value]) => current.config.includes(`${name}=${value}`));
}

/** Whether `password` is what a stored verifier was made from (SCRAM with its own salt and iterations, or md5). */
export function verifierMatches(stored: string | null, password: string, user: string): boolean {
  if (stored === null) return false;
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$[^:]+:.+$/.exec(stored);
  if (scram) return scramVerifier(password, Buffer.from(scram[2]!, 'base64'), Number(scram[1])) === stored;
  return stored === md5Verifier(password, user);
}

async function missingConnect(client: pg.Client, role: string, databases: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const db of databases) {
    const granted = await client.query<{ ok: boolean }>(
      "SELECT pg_catalog.has_database_privilege($1, $2, 'CONNECT') AS ok",
      [role, db],
    );
    if (granted.rows[0]?.ok !== true) missing.push(db);
  }
  return missing;
}

/** Inserts a marker row (DMS replicates it) and returns the WAL position of its commit. */
export async function writeMarker(
  ctx: AgentContext,
  body: { database: string; schema?: string; label?: string },
  principal: Principal,
): Promise<AgentReply<'marker'>> {
  const schema = body.schema ?? PGFERRY_SCHEMA;
  const label = body.label ?? 'cutover';
  const v = await ctx.db.serverVersionNum();
  const result = await ctx.db.withClient(async (client) => {
    // Two CDC tasks on one database write their markers at the same moment: IF NOT EXISTS does not make
    // concurrent creators safe (both pass the check, one fails on pg_type's unique index), so the
    // creation runs under a transaction-scoped advisory lock.
    await client.query('BEGIN');
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('pgferry.marker-table'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.marker (id bigserial PRIMARY KEY, label text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
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
