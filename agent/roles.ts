// Migration role creation and cutover markers (write fences live in fence.ts). A role's password comes
// from a secret reference and is sent to the server only as a SCRAM (or md5, before 10) verifier, so
// the clear text never appears in a statement, a server log or the agent's log.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { PGFERRY_SCHEMA } from '../contracts/pgferry-schema.js';
import type { SecretRef } from '../contracts/secret-ref.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { quoteLiteral } from './pg/guc.js';
import { currentLsnSql } from './pg/sql.js';

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

/** Inserts a marker row (DMS replicates it) and returns the WAL position of its commit. */
export async function writeMarker(
  ctx: AgentContext,
  body: { database: string; schema?: string; label?: string },
  principal: Principal,
) {
  const schema = body.schema ?? PGFERRY_SCHEMA;
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
