// Connections to the target (and the source, for sequence reads) from a node's `connection` input
// (contracts/node-inputs.ts PgConnectionInput, placeholders already resolved). Command-line overrides
// replace the address (tunnels, test clusters) but never the database. A connection error is reworded
// so it cannot carry a password.

import pg from 'pg';
import { secretPlaceholder } from '../contracts/secret-ref.js';
import type { DbAccess } from './deployment.js';
import { type Input, optionalNumber, optionalRecord, optionalString } from './inputs.js';
import { NodeFailure, type RunContext } from './types.js';

export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
  readonly ssl: boolean;
}

/** The connection a node names under `key`, with the command-line override applied. */
export async function connectionFor(
  ctx: RunContext,
  input: Input,
  key: 'connection' | 'source',
  fallbackDatabase?: string,
): Promise<PgTarget> {
  const named = optionalRecord(input, key);
  const override: DbAccess | null = key === 'connection' ? ctx.overrides.target : ctx.overrides.source;
  const legacy = key === 'connection' ? ctx.deployment.target : ctx.deployment.source;
  const database = optionalString(named ?? {}, 'database') ?? fallbackDatabase;
  if (database === undefined) throw new NodeFailure(`no ${key} database named in the node input`);
  const mapped = key === 'connection' && !named ? (ctx.deployment.databases[database] ?? database) : database;
  const base = named
    ? {
        host: optionalString(named, 'host') ?? '',
        port: optionalNumber(named, 'port') ?? 5432,
        user: optionalString(named, 'user') ?? 'postgres',
        password: optionalString(named, 'password') ?? null,
        ssl: (optionalString(named, 'sslMode') ?? 'none') !== 'none',
      }
    : legacy
      ? {
          host: legacy.host,
          port: legacy.port,
          user: legacy.user,
          password: legacy.password ? await ctx.resolve(secretPlaceholder(legacy.password)) : null,
          ssl: legacy.ssl,
        }
      : null;
  if (override) {
    const password = override.password
      ? await ctx.resolve(secretPlaceholder(override.password))
      : (base?.password ?? null);
    return {
      host: override.host,
      port: override.port,
      user: override.user,
      password,
      ssl: override.ssl,
      database: mapped,
    };
  }
  if (!base || base.host === '')
    throw new NodeFailure(`no ${key === 'connection' ? 'target' : 'source'} connection in the node input`);
  return { ...base, database: mapped };
}

export async function connect(ctx: RunContext, target: PgTarget, role: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? undefined,
    database: target.database,
    ssl: target.ssl ? { rejectUnauthorized: false } : false,
    application_name: `pgferry ${ctx.deployment.plan}`,
    connectionTimeoutMillis: 15_000,
  });
  // An 'error' event after connect (server restart) must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new NodeFailure(
      `cannot connect to the ${role} database ${target.database} at ${target.host}:${target.port} as ${target.user}: ${ctx.redactor.messageOf(error)}`,
    );
  }
  return client;
}
