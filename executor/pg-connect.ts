// Connections to the target (and, when given, the source) with passwords resolved from secret
// references at the moment of use. A connection error is reworded so it cannot carry a password.

import pg from 'pg';
import { secretPlaceholder } from '../contracts/secret-ref.js';
import type { DbAccess } from './deployment.js';
import { NodeFailure, type RunContext } from './types.js';

export async function connect(ctx: RunContext, access: DbAccess, database: string, role: string): Promise<pg.Client> {
  const password = access.password ? await ctx.resolve(secretPlaceholder(access.password)) : undefined;
  const client = new pg.Client({
    host: access.host,
    port: access.port,
    user: access.user,
    password,
    database,
    ssl: access.ssl ? { rejectUnauthorized: false } : false,
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
      `cannot connect to the ${role} database ${database} at ${access.host}:${access.port} as ${access.user}: ${ctx.redactor.messageOf(error)}`,
    );
  }
  return client;
}
