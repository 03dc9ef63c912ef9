// `pgferry status` for `engine: logical`: each subscription of the plan as the target sees it (enabled,
// tables per sync state, copy and apply errors so far), with its slot's lag from the agent's view.

import { compareText } from '../contracts/compare.js';
import { subscriptionErrors } from './handlers/subscription-errors.js';
import { optionalRecord, optionalString } from './inputs.js';
import { connect, connectionFor } from './pg-connect.js';
import type { Session } from './session.js';

/** pg_subscription_rel.srsubstate: init, data copy, finished copy, synchronized, ready. */
export const SYNC_STATES = ['i', 'd', 'f', 's', 'r'] as const;
export type SyncStateCode = (typeof SYNC_STATES)[number];

export interface SubscriptionStatus {
  readonly subscription: string;
  readonly database: string | null;
  /** false: not created yet, or dropped (cutover, abort). */
  readonly exists: boolean;
  readonly enabled: boolean | null;
  readonly slot: string | null;
  /** Tables per sync state. */
  readonly tables: Readonly<Record<SyncStateCode, number>>;
  /** From the agent's slot view of the source (null when the agent cannot say). */
  readonly slotActive: boolean | null;
  readonly confirmedLagBytes: number | null;
}

const noTables = (): Record<SyncStateCode, number> => ({ i: 0, d: 0, f: 0, s: 0, r: 0 });

/** Each subscription of the plan as the target sees it, with its slot's lag from the agent's view. */
export async function liveSubscriptions(
  session: Session,
  slots: readonly Readonly<Record<string, unknown>>[] | null,
  problems: string[],
): Promise<SubscriptionStatus[]> {
  const out: SubscriptionStatus[] = [];
  const nodes = session.compiled.graph.nodes.filter((node) => node.kind === 'LogicalSubscriptionCreate');
  for (const node of [...nodes].sort((a, b) => compareText(a.id, b.id))) {
    const subscription = optionalString(node.input, 'subscription');
    if (subscription === undefined) continue;
    try {
      const ctx = session.context(node);
      const named = optionalRecord(node.input, 'connection');
      const target = await connectionFor(ctx, named ? { connection: await ctx.resolve(named) } : {}, 'connection');
      const client = await connect(ctx, target, 'target');
      try {
        const result = await client.query<{ enabled: boolean; slot: string | null; state: string | null; n: number }>(
          `SELECT s.subenabled AS enabled, s.subslotname AS slot, r.srsubstate::text AS state, count(r.srrelid)::int AS n
             FROM pg_subscription s LEFT JOIN pg_subscription_rel r ON r.srsubid = s.oid
            WHERE s.subname = $1 AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            GROUP BY 1, 2, 3`,
          [subscription],
        );
        const first = result.rows[0];
        const tables = noTables();
        for (const row of result.rows)
          if (row.state !== null && (SYNC_STATES as readonly string[]).includes(row.state))
            tables[row.state as SyncStateCode] += row.n;
        // A worker failing on the target retries forever in silence: say so with the rest of the state.
        const errors = first ? await subscriptionErrors(client, subscription) : null;
        if (errors && errors.apply + errors.sync > 0) {
          problems.push(
            `subscription ${subscription}: ${errors.apply} apply and ${errors.sync} copy errors so far (see the target server log)`,
          );
        }
        const slotName = first?.slot ?? optionalString(node.input, 'slot') ?? null;
        const slot = slots?.find((item) => item.slotName === slotName);
        out.push({
          subscription,
          database: target.database,
          exists: first !== undefined,
          enabled: first?.enabled ?? null,
          slot: slotName,
          tables,
          slotActive: typeof slot?.active === 'boolean' ? slot.active : null,
          confirmedLagBytes: typeof slot?.confirmedLagBytes === 'number' ? slot.confirmedLagBytes : null,
        });
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch (error) {
      problems.push(`subscription ${subscription}: ${session.redactor.messageOf(error)}`);
    }
  }
  return out;
}
