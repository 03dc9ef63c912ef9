// Proof on the target that everything up to the fence arrived, before writes open. The slot's
// confirmed LSN past the marker only says the replication read the changes; it does not say the target
// has them (a change DMS failed to apply, and skipped by its error policy, leaves the slot moving on).
//   dms      exact row counts of every table the task selects, source (under the fence, so it holds
//            still) against target; polled while the target still moves, failed once it stops moving
//            short, naming the tables and both counts.
//   logical  the subscription's apply worker on the target reports having flushed past the marker LSN
//            (pg_stat_subscription.latest_end_lsn): the target, not the source, says it applied it.
// pgferry's own marker table is never counted and never replicated (contracts/pgferry-schema.ts).

import type pg from 'pg';
import { matchesWildcard } from '../compiler/knowledge/dms-wildcard.js';
import { compareText } from '../contracts/compare.js';
import type { GraphNode } from '../contracts/graph.js';
import { PGFERRY_SCHEMA } from '../contracts/pgferry-schema.js';
import { quoteIdent } from '../contracts/sql-quote.js';
import { lsnToBigInt } from './agent-client.js';
import { type Input, optionalRecord, optionalString } from './inputs.js';
import { connect, connectionFor } from './pg-connect.js';
import { compiledRequest } from './refresh.js';
import { NodeFailure, type RunContext } from './types.js';

/** Polls in a row without the target moving after which a shortfall is a failure, not a lag. */
export const STALL_POLLS = 20;

interface Selection {
  readonly include: boolean;
  readonly schema: string;
  readonly table: string;
}

/** The selection rules of a DMS task's table mappings (the compiled artifact or inline request). */
function selectionRules(ctx: RunContext, task: string): Selection[] {
  const create = ctx.graph.nodes.find(
    (node) =>
      (node.kind === 'DmsTaskCreate' || node.kind === 'DmsReplicationConfigCreate') &&
      String(
        compiledRequest(node, ctx.artifacts).ReplicationTaskIdentifier ??
          compiledRequest(node, ctx.artifacts).ReplicationConfigIdentifier ??
          '',
      ).toLowerCase() === task.toLowerCase(),
  );
  if (!create) return [];
  const path = optionalString(create.input, 'tableMappings');
  const raw =
    (path !== undefined ? ctx.artifacts.get(path) : undefined) ?? compiledRequest(create, ctx.artifacts).TableMappings;
  const mappings = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const rules = (mappings as { rules?: unknown[] } | undefined)?.rules ?? [];
  const out: Selection[] = [];
  for (const rule of rules as Record<string, unknown>[]) {
    if (rule['rule-type'] !== 'selection') continue;
    const locator = (rule['object-locator'] ?? {}) as Record<string, unknown>;
    out.push({
      include: rule['rule-action'] !== 'exclude',
      schema: String(locator['schema-name'] ?? '%'),
      table: String(locator['table-name'] ?? '%'),
    });
  }
  return out;
}

/** Tables the rules select: some include matches and no exclude does. */
export function selectedTables(
  tables: readonly { schema: string; table: string }[],
  rules: readonly Selection[],
): { schema: string; table: string }[] {
  const hit = (rule: Selection, item: { schema: string; table: string }) =>
    matchesWildcard(rule.schema, item.schema) && matchesWildcard(rule.table, item.table);
  return tables.filter(
    (item) =>
      rules.some((rule) => rule.include && hit(rule, item)) && !rules.some((rule) => !rule.include && hit(rule, item)),
  );
}

async function userTables(client: pg.Client): Promise<{ schema: string; table: string }[]> {
  const result = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
        AND n.nspname NOT LIKE 'pg\\_%'`,
    [PGFERRY_SCHEMA],
  );
  return result.rows.sort((a, b) => compareText(`${a.schema}.${a.table}`, `${b.schema}.${b.table}`));
}

async function counts(client: pg.Client, tables: readonly { schema: string; table: string }[]) {
  const out = new Map<string, string>();
  for (const item of tables) {
    const name = `${quoteIdent(item.schema)}.${quoteIdent(item.table)}`;
    const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
    if (!exists.rows[0]?.present) continue;
    const row = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    out.set(`${item.schema}.${item.table}`, row.rows[0]!.n);
  }
  return out;
}

export interface CaughtUp {
  readonly detail: string;
  readonly outputs: Readonly<Record<string, string | number>>;
}

/**
 * DMS: the target holds as many rows as the source in every selected table. The source is read over
 * the direct connection (--source-url, or the plan's); without one there is no proof, and the node
 * says how to give it one.
 */
export async function dmsTargetCaughtUp(node: GraphNode, input: Input, ctx: RunContext): Promise<CaughtUp> {
  const task = optionalString(input, 'task') ?? '';
  const database = optionalString(input, 'database');
  if (database === undefined) throw new NodeFailure(`node ${node.id}: no database to check on the target`);
  if (!ctx.overrides.source && !ctx.deployment.source)
    throw new NodeFailure(
      `node ${node.id}: the slot passed the marker, but nothing proves the target has every change yet: the row-count check reads the source directly; give it a source connection (--source-url URL --source-password REF), then run cutover again`,
    );
  const source = await connect(ctx, await connectionFor(ctx, {}, 'source', database), 'source');
  try {
    const target = await connect(ctx, await connectionFor(ctx, {}, 'connection', database), 'target');
    try {
      const tables = selectedTables(await userTables(source), selectionRules(ctx, task));
      const want = await counts(source, tables);
      let last = '';
      let still = 0;
      for (let poll = 0; poll < ctx.maxPolls; poll += 1) {
        const have = await counts(target, tables);
        const missing = [...want.keys()].filter((name) => !have.has(name));
        const short = [...want.entries()].filter(([name, n]) => have.has(name) && have.get(name) !== n);
        if (short.length === 0) {
          const checked = want.size - missing.length;
          return {
            detail: `target has the source's rows in all ${checked} table(s) of task ${task}${missing.length > 0 ? ` (not on the target under the same name, not counted: ${missing.join(', ')})` : ''}`,
            outputs: { tablesChecked: checked },
          };
        }
        const now = JSON.stringify([...have.entries()]);
        still = now === last ? still + 1 : 0;
        last = now;
        if (still >= STALL_POLLS) {
          const lines = short.map(([name, n]) => `${name}: source ${n} rows, target ${have.get(name)}`);
          throw new NodeFailure(
            `the target lacks changes from before the fence (task ${task}; it stopped moving ${STALL_POLLS} polls ago): ${lines.join('; ')}. Writes stay fenced. Find why DMS did not apply them (pgferry status: table errors; the task's CloudWatch log), repair the target, then run cutover again; or undo: pgferry abort`,
          );
        }
        await ctx.sleep(ctx.pollMs);
      }
      throw new NodeFailure(`target rows for task ${task}: not caught up after ${ctx.maxPolls} polls`, true);
    } finally {
      await target.end().catch(() => undefined);
    }
  } finally {
    await source.end().catch(() => undefined);
  }
}

/** Logical: the subscription's apply worker on the target flushed past the marker LSN. */
export async function logicalTargetCaughtUp(
  node: GraphNode,
  input: Input,
  ctx: RunContext,
  lsn: string,
): Promise<CaughtUp> {
  const task = optionalString(input, 'task');
  const subscriptionNode = ctx.graph.nodes.find(
    (item) => item.kind === 'LogicalSubscriptionCreate' && item.input.task === task,
  );
  const subscription = subscriptionNode ? optionalString(subscriptionNode.input, 'subscription') : undefined;
  if (!subscriptionNode || subscription === undefined)
    throw new NodeFailure(`node ${node.id}: no subscription for task ${task ?? '?'} to check on the target`);
  const named = optionalRecord(subscriptionNode.input, 'connection');
  const target = await connect(
    ctx,
    await connectionFor(ctx, named ? { connection: await ctx.resolve(named) } : {}, 'connection'),
    'target',
  );
  try {
    const want = lsnToBigInt(lsn);
    let flushed: string | null = null;
    for (let poll = 0; poll < ctx.maxPolls; poll += 1) {
      const result = await target.query<{ lsn: string | null }>(
        `SELECT st.latest_end_lsn::text AS lsn FROM pg_catalog.pg_stat_subscription st
          WHERE st.subname = $1 AND st.relid IS NULL`,
        [subscription],
      );
      flushed = result.rows[0]?.lsn ?? null;
      if (flushed !== null && lsnToBigInt(flushed) >= want)
        return {
          detail: `subscription ${subscription} on the target flushed ${flushed}, past the marker ${lsn}`,
          outputs: { targetLsn: flushed },
        };
      await ctx.sleep(ctx.pollMs);
    }
    throw new NodeFailure(
      `subscription ${subscription} on the target has not flushed past the marker ${lsn} after ${ctx.maxPolls} polls (at ${flushed ?? 'no apply worker'}); writes stay fenced`,
      true,
    );
  } finally {
    await target.end().catch(() => undefined);
  }
}
