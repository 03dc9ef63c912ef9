// The error counters of a logical subscription on the target (pg_stat_subscription_stats, PostgreSQL
// 15+). A failing apply or table-sync worker retries forever without a word to the executor: waits on
// the source side (the marker reaching the slot) would only time out. Watching the counters grow makes
// such a wait fail at once and say where to look.

import type pg from 'pg';
import type { GraphNode } from '../../contracts/graph.js';
import { optionalRecord, optionalString } from '../inputs.js';
import { connect, connectionFor } from '../pg-connect.js';
import { NodeFailure, type RunContext } from '../types.js';

export interface SubscriptionErrors {
  readonly apply: number;
  readonly sync: number;
}

/** The counters, or null before PostgreSQL 15 (no such view) or when the subscription is gone. */
export async function subscriptionErrors(client: pg.Client, subscription: string): Promise<SubscriptionErrors | null> {
  const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
  if (version < 150000) return null;
  const row = (
    await client.query<{ apply: string; sync: string }>(
      'SELECT apply_error_count::text AS apply, sync_error_count::text AS sync FROM pg_stat_subscription_stats WHERE subname = $1',
      [subscription],
    )
  ).rows[0];
  return row ? { apply: Number(row.apply), sync: Number(row.sync) } : null;
}

/** The subscription (graph node) that carries a task's changes, when the engine is logical. */
function subscriptionNodeOf(ctx: RunContext, task: string): GraphNode | undefined {
  return ctx.graph?.nodes.find((node) => node.kind === 'LogicalSubscriptionCreate' && node.input.task === task);
}

/**
 * A watcher for the task's subscription: `check()` throws once its error counters grew since the watch
 * began. A no-op for tasks without a subscription (engine dms) or a target before PostgreSQL 15.
 */
export async function watchSubscriptionErrors(
  ctx: RunContext,
  task: string | undefined,
): Promise<{ check(): Promise<void>; close(): Promise<void> }> {
  const none = { check: async () => undefined, close: async () => undefined };
  const node = task === undefined ? undefined : subscriptionNodeOf(ctx, task);
  const subscription = node ? optionalString(node.input, 'subscription') : undefined;
  if (!node || subscription === undefined) return none;
  const named = optionalRecord(node.input, 'connection');
  const target = await connectionFor(ctx, named ? { connection: await ctx.resolve(named) } : {}, 'connection');
  const client = await connect(ctx, target, 'target');
  const baseline = await subscriptionErrors(client, subscription);
  if (baseline === null) {
    await client.end().catch(() => undefined);
    return none;
  }
  return {
    async check() {
      const now = await subscriptionErrors(client, subscription);
      if (!now) return;
      const apply = now.apply - baseline.apply;
      const sync = now.sync - baseline.sync;
      if (apply > 0 || sync > 0) {
        throw new NodeFailure(
          `subscription ${subscription} on ${target.database} is failing: ${apply} apply and ${sync} copy errors ` +
            'since the wait began; changes are not reaching the target (see the target server log for the error)',
        );
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}
