// The target side of the logical replication engine, over `pg` to the target database (the node's
// `connection`; `--target-url` overrides the address): create the subscription (which creates its slot
// on the source and starts copying), wait until every table is ready, and drop it at cutover or abort
// (which drops the slot on the source). Every step adopts what already exists.

import type pg from 'pg';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { type Input, optionalRecord, optionalString, requireString } from '../inputs.js';
import { connect, connectionFor } from '../pg-connect.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';
import type { KindRun } from './by-kind.js';

/** libpq keyword/value quoting: single quotes, backslash before `'` and `\`. */
function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const SSL_MODES: Readonly<Record<string, string>> = {
  none: 'disable',
  require: 'require',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
};

/** The publisher as the target reaches it: the plan's source address, never a command-line override. */
function publisherConninfo(node: GraphNode, input: Input): string {
  const publisher = optionalRecord(input, 'publisher');
  if (publisher === undefined) throw new NodeFailure(`node ${node.id}: input needs a 'publisher' connection`);
  const parts: [string, string | undefined][] = [
    ['host', optionalString(publisher, 'host')],
    ['port', publisher.port === undefined ? undefined : String(publisher.port)],
    ['dbname', optionalString(publisher, 'database')],
    ['user', optionalString(publisher, 'user')],
    ['password', optionalString(publisher, 'password')],
    ['sslmode', SSL_MODES[optionalString(publisher, 'sslMode') ?? 'none']],
    ['application_name', optionalString(input, 'subscription')],
  ];
  return parts
    .filter((part): part is [string, string] => part[1] !== undefined)
    .map(([key, value]) => `${key}=${conninfoValue(value)}`)
    .join(' ');
}

async function withTarget<T>(
  node: GraphNode,
  input: Input,
  ctx: RunContext,
  work: (client: pg.Client, database: string) => Promise<T>,
): Promise<T> {
  const target = await connectionFor(ctx, input, 'connection');
  const client = await connect(ctx, target, 'target');
  try {
    return await work(client, target.database);
  } catch (error) {
    if (error instanceof NodeFailure) throw error;
    throw new NodeFailure(`node ${node.id} on target database ${target.database}: ${ctx.redactor.messageOf(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface SubscriptionRow {
  readonly oid: string;
  readonly slot: string | null;
  readonly enabled: boolean;
}

async function findSubscription(client: pg.Client, name: string): Promise<SubscriptionRow | null> {
  const result = await client.query<SubscriptionRow>(
    `SELECT oid::text AS oid, subslotname AS slot, subenabled AS enabled FROM pg_subscription
      WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [name],
  );
  return result.rows[0] ?? null;
}

async function subscriptionCreate(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const subscription = requireString(node, input, 'subscription');
  const publication = requireString(node, input, 'publication');
  const slot = requireString(node, input, 'slot');
  if (optionalString(input, 'schemaStrategy') !== 'pre_created') {
    throw new NodeFailure(
      `node ${node.id}: logical replication copies no DDL; the target schema must be pre-created (target.schema_objects.strategy: pre_created)`,
    );
  }
  return withTarget(node, input, ctx, async (client, database): Promise<NodeResult> => {
    const existing = await findSubscription(client, subscription);
    const copyData = input.copyData !== false;
    if (existing !== null) {
      const name = client.escapeIdentifier(subscription);
      if (!existing.enabled) await client.query(`ALTER SUBSCRIPTION ${name} ENABLE`);
      // Tables the publication gained since (a widened selection) are only replicated after a refresh.
      let note = `subscription ${subscription} exists on ${database}: adopted`;
      try {
        await client.query(`ALTER SUBSCRIPTION ${name} REFRESH PUBLICATION WITH (copy_data = ${copyData})`);
      } catch (error) {
        note += `; REFRESH PUBLICATION failed (${ctx.redactor.messageOf(error)}): tables added to the publication are not replicated yet`;
      }
      return {
        status: 'succeeded',
        outputs: { subscription, slotName: existing.slot ?? slot, adopted: true },
        note,
      };
    }
    // CREATE SUBSCRIPTION … create_slot refuses a transaction block: one statement, autocommit.
    const sql =
      `CREATE SUBSCRIPTION ${client.escapeIdentifier(subscription)}` +
      ` CONNECTION ${client.escapeLiteral(publisherConninfo(node, input))}` +
      ` PUBLICATION ${client.escapeIdentifier(publication)}` +
      ` WITH (copy_data = ${copyData}, create_slot = true, slot_name = ${client.escapeLiteral(slot)})`;
    try {
      await client.query(sql);
    } catch (error) {
      const message = ctx.redactor.messageOf(error);
      const hint = /relation .* does not exist/.test(message)
        ? ': a published table is missing on the target; restore the pre-data schema first'
        : /already exists/.test(message) && /slot/.test(message)
          ? `: slot ${slot} is left on the source from an earlier attempt; drop it (pgferry abort) and apply again`
          : '';
      throw new NodeFailure(
        `node ${node.id}: CREATE SUBSCRIPTION ${subscription} on ${database} failed: ${message}${hint}`,
      );
    }
    return { status: 'succeeded', outputs: { subscription, slotName: slot, copyData } };
  });
}

interface SyncState {
  readonly exists: boolean;
  readonly total: number;
  readonly pending: string[];
  /** Copy and apply errors so far (PostgreSQL 15+); the messages are in the target's server log. */
  readonly errors: string | null;
}

// A table copy that fails (a duplicate key: the target table was not empty) is retried forever by
// PostgreSQL; the counters make the waiter's message say so instead of only "not ready".
const ERRORS_SQL = `
  SELECT CASE WHEN sync_error_count + apply_error_count > 0
              THEN sync_error_count || ' copy and ' || apply_error_count || ' apply errors (see the target server log)'
         END AS errors
    FROM pg_stat_subscription_stats WHERE subname = $1`;

async function syncState(client: pg.Client, subscription: string): Promise<SyncState> {
  const result = await client.query<{ rel: string; state: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS rel, r.srsubstate AS state
       FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid
       JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE s.subname = $1 ORDER BY 1`,
    [subscription],
  );
  const exists = (await findSubscription(client, subscription)) !== null;
  const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
  const errors = version >= 150000 ? ((await client.query(ERRORS_SQL, [subscription])).rows[0]?.errors ?? null) : null;
  return {
    exists,
    total: result.rows.length,
    pending: result.rows.filter((row) => row.state !== 'r').map((row) => `${row.rel} (${row.state})`),
    errors,
  };
}

async function syncWait(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const subscription = requireString(node, input, 'subscription');
  return withTarget(node, input, ctx, async (client, database): Promise<NodeResult> => {
    let detail = '';
    for (let attempt = 0; attempt < ctx.maxPolls; attempt += 1) {
      const state = await syncState(client, subscription);
      if (!state.exists) throw new NodeFailure(`node ${node.id}: subscription ${subscription} is not on ${database}`);
      if (state.pending.length === 0) {
        return {
          status: 'succeeded',
          outputs: { subscription, tables: state.total },
          note: `${state.total} tables copied`,
        };
      }
      detail =
        `${state.total - state.pending.length}/${state.total} tables ready; waiting for ${state.pending.join(', ')}` +
        (state.errors === null ? '' : `; ${state.errors}`);
      await ctx.sleep(ctx.pollMs);
    }
    throw new NodeFailure(
      `initial copy of ${subscription}: not finished after ${ctx.maxPolls} polls (${detail})`,
      true,
    );
  });
}

/** The slot on the source after the subscription is gone: `absent`, `dropped` (it was left), or why not. */
type SlotCleanup = { readonly state: 'absent' | 'dropped' } | { readonly state: 'unknown'; readonly why: string };

/**
 * Drops the slot over a direct source connection when DROP SUBSCRIPTION left it (the target could not
 * reach the source, or an earlier run detached it). A walsender still attached after the subscription
 * is gone exits on its own: wait for it a bounded number of polls.
 */
async function dropLeftoverSlot(
  ctx: RunContext,
  input: Input,
  slot: string,
  subscriptionOid: string | null,
): Promise<SlotCleanup> {
  let client: pg.Client;
  try {
    client = await connect(ctx, await connectionFor(ctx, input, 'source'), 'source');
  } catch (error) {
    return { state: 'unknown', why: ctx.redactor.messageOf(error) };
  }
  try {
    // A detached subscription also leaves the slots of unfinished table copies (`pg_<oid>_sync_…`, 14+).
    const syncPrefix = subscriptionOid === null ? null : `pg_${subscriptionOid}_sync_`;
    let dropped = false;
    for (let attempt = 0; attempt < Math.max(1, Math.min(ctx.maxPolls, 50)); attempt += 1) {
      const found = await client.query<{ slot_name: string; active: boolean }>(
        'SELECT slot_name, active FROM pg_replication_slots WHERE slot_name = $1 OR left(slot_name, length($2)) = $2 ORDER BY 1',
        [slot, syncPrefix ?? slot],
      );
      for (const row of found.rows.filter((item) => !item.active)) {
        await client.query('SELECT pg_drop_replication_slot($1)', [row.slot_name]);
        dropped = true;
      }
      if (found.rows.every((row) => !row.active)) return { state: dropped ? 'dropped' : 'absent' };
      await ctx.sleep(ctx.pollMs);
    }
    return { state: 'unknown', why: `slot ${slot} (or a table-copy slot) is still in use on the source` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function subscriptionDrop(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const subscription = requireString(node, input, 'subscription');
  const slot = requireString(node, input, 'slot');
  // 'with-slot': DROP SUBSCRIPTION dropped the slot on the source itself.
  let oid: string | null = null;
  const outcome = await withTarget(node, input, ctx, async (client): Promise<'absent' | 'with-slot' | 'detached'> => {
    const existing = await findSubscription(client, subscription);
    if (existing === null) return 'absent';
    oid = existing.oid;
    const name = client.escapeIdentifier(subscription);
    await client.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
    if (existing.slot === null) {
      await client.query(`DROP SUBSCRIPTION ${name}`);
      return 'detached';
    }
    try {
      await client.query(`DROP SUBSCRIPTION ${name}`);
      return 'with-slot';
    } catch (error) {
      // The target cannot drop the slot (source unreachable from it): detach it, drop it directly below.
      ctx.log(`DROP SUBSCRIPTION ${subscription} could not drop slot ${slot}: ${ctx.redactor.messageOf(error)}`);
      await client.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
      await client.query(`DROP SUBSCRIPTION ${name}`);
      return 'detached';
    }
  });
  const cleanup = await dropLeftoverSlot(ctx, input, slot, outcome === 'detached' ? oid : null);
  if (cleanup.state === 'unknown') {
    // After a normal DROP SUBSCRIPTION the slot is gone; otherwise a slot left behind retains WAL forever.
    if (outcome !== 'with-slot') {
      throw new NodeFailure(
        `node ${node.id}: subscription ${subscription} is gone but slot ${slot} may remain on the source (${cleanup.why}); ` +
          'drop it there (SELECT pg_drop_replication_slot(…)) or run again once the source is reachable',
        true,
      );
    }
    return {
      status: 'succeeded',
      outputs: { subscription, dropped: true, slotDropped: true },
      note: `could not confirm on the source that slot ${slot} is gone: ${cleanup.why}`,
    };
  }
  const outputs = {
    subscription,
    dropped: outcome !== 'absent',
    slotDropped: outcome === 'with-slot' || cleanup.state === 'dropped',
  };
  return outcome === 'absent'
    ? { status: 'succeeded', outputs, note: `subscription ${subscription} is already gone` }
    : { status: 'succeeded', outputs };
}

/** Target-side logical kinds, run by the `target-sql` executor. */
export const logicalTargetKinds: Partial<Record<NodeKind, KindRun>> = {
  LogicalSubscriptionCreate: subscriptionCreate,
  LogicalSubscriptionDrop: subscriptionDrop,
};

/** Waits of the logical engine, run by the `wait` executor. */
export const logicalWaitKinds: Partial<Record<NodeKind, KindRun>> = {
  LogicalSyncWait: syncWait,
};
