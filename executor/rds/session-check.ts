// The proof that a parameter group change took effect: a new session on every target database sees
// the value. RDS's `in-sync` says the instance reloaded its configuration; only a session opened after
// that shows what the application's next connection gets (a database- or role-level setting would win
// over the group, and would be caught here).

import type { PgConnectionInput } from '../../contracts/node-inputs.js';
import { connect, connectionFor } from '../pg-connect.js';
import { NodeFailure, type RunContext } from '../types.js';

async function showIn(ctx: RunContext, connection: PgConnectionInput, parameter: string): Promise<string> {
  const target = await connectionFor(ctx, { connection }, 'connection');
  const client = await connect(ctx, target, 'target');
  try {
    const result = await client.query<Record<string, string>>(`SHOW ${parameter}`);
    return String(result.rows[0]?.[parameter] ?? '');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Polls (up to maxPolls) until a new session on each database shows `expected`; returns the databases
 * checked. A database that never does fails the node, naming what its sessions show.
 */
export async function checkNewSessions(
  ctx: RunContext,
  connections: readonly PgConnectionInput[],
  parameter: string,
  expected: string,
): Promise<string[]> {
  const pending = new Map(connections.map((connection) => [connection.database, connection]));
  let seen = new Map<string, string>();
  for (let poll = 0; poll < Math.max(1, ctx.maxPolls); poll += 1) {
    seen = new Map();
    for (const [database, connection] of pending) {
      const value = await showIn(ctx, connection, parameter);
      if (value === expected) pending.delete(database);
      else seen.set(database, value);
    }
    if (pending.size === 0) return connections.map((connection) => connection.database);
    await ctx.sleep(ctx.pollMs);
  }
  const wrong = [...seen].map(([database, value]) => `${database} shows ${parameter} = ${value}`).join(', ');
  throw new NodeFailure(
    `a new session does not see ${parameter} = ${expected} although RDS reports the group applied: ${wrong} ` +
      `(a setting of the database or of the role wins over the parameter group: ALTER DATABASE/ROLE … RESET ${parameter})`,
  );
}
