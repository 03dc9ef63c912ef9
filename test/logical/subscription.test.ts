// The subscription side on two real clusters, through the executor's handler registry: a table copy that
// cannot succeed (the target already holds the row) makes the sync waiter give up naming the table and
// the errors; a subscription the target cannot drop with its slot is detached and the slot dropped over
// the source connection; adopting a subscription refreshes it, so tables the publication gained arrive.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../executor/handlers/index.js';
import type { RunContext } from '../../executor/types.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { connection, node, unitContext } from './unit-support.js';

const context = unitContext();

describe('subscription handlers on real clusters', () => {
  let source: PgCluster;
  let target: PgCluster;
  beforeAll(async () => {
    [source, target] = await Promise.all([
      startCluster({ major: 16, settings: { wal_level: 'logical' } }),
      startCluster({ major: 16, settings: { wal_retrieve_retry_interval: '100ms' } }),
    ]);
    for (const cluster of [source, target]) {
      await cluster.query('CREATE DATABASE app');
      await cluster.query('CREATE TABLE public.t (id int PRIMARY KEY)', [], 'app');
    }
    await source.query('INSERT INTO public.t VALUES (1), (2)', [], 'app');
    await source.query('CREATE PUBLICATION pgferry_t FOR TABLE public.t', [], 'app');
    await target.query('INSERT INTO public.t VALUES (2)', [], 'app');
  });
  afterAll(async () => {
    for (const name of ['pgferry_t', 'pgferry_r']) {
      await target?.query(`ALTER SUBSCRIPTION ${name} DISABLE`, [], 'app').catch(() => undefined);
    }
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('times out naming the table and the copy errors', async () => {
    const created = await handlers['target-sql'].run(
      node('LogicalSubscriptionCreate', {
        connection: connection(target),
        publisher: connection(source),
        subscription: 'pgferry_t',
        publication: 'pgferry_t',
        slot: 'pgferry_t',
        copyData: true,
        schemaStrategy: 'pre_created',
      }),
      context,
    );
    expect(created).toMatchObject({ status: 'succeeded', outputs: { slotName: 'pgferry_t' } });
    // The first failed copy, before the waiter looks (PostgreSQL counts it once the worker has exited).
    for (let i = 0; i < 600; i += 1) {
      const stats = await target.query(
        "SELECT sync_error_count AS n FROM pg_stat_subscription_stats WHERE subname = 'pgferry_t'",
        [],
        'app',
      );
      if (Number(stats.rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wait = handlers.wait.run(
      node('LogicalSyncWait', { connection: connection(target), subscription: 'pgferry_t' }),
      context,
    );
    await expect(wait).rejects.toThrow(/not finished after 3 polls .*public\.t \(\w\).*copy and \d+ apply errors/);
  });

  it('a marker wait fails at once, naming the subscription, while its workers keep failing on the target', async () => {
    const subscribe = node('LogicalSubscriptionCreate', {
      connection: connection(target),
      subscription: 'pgferry_t',
      task: 't',
    });
    const patient = {
      ...unitContext({ pollMs: 100, maxPolls: 600 }),
      graph: { nodes: [subscribe], edges: [] },
      agent: async () => ({
        request: async () => ({}),
        slots: async () => ({ currentLsn: '0/1', slots: [{ slotName: 'pgferry_t', confirmedFlushLsn: null }] }),
      }),
    } as unknown as RunContext;
    const wait = handlers.wait.run(
      node('MarkerWait', { database: 'app', task: 't', slot: 'pgferry_t', lsn: 'FF/0' }),
      patient,
    );
    await expect(wait).rejects.toThrow(
      /subscription pgferry_t on app is failing: \d+ apply and [1-9]\d* copy errors since the wait began/,
    );
  });

  it('dropping it when the target cannot reach the source detaches the slot and drops it (and the copy slots) directly', async () => {
    expect(
      (await source.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'pgferry_t'")).rows[0]
        .n,
    ).toBe(1);
    await target.query("ALTER SUBSCRIPTION pgferry_t CONNECTION 'host=127.0.0.1 port=1 dbname=app'", [], 'app');
    const patient = unitContext({ pollMs: 100, maxPolls: 50 });
    const dropped = await handlers['target-sql'].run(
      node('LogicalSubscriptionDrop', {
        connection: connection(target),
        source: connection(source),
        subscription: 'pgferry_t',
        slot: 'pgferry_t',
      }),
      patient,
    );
    expect(dropped).toMatchObject({ status: 'succeeded', outputs: { dropped: true, slotDropped: true } });
    expect((await target.query('SELECT count(*)::int AS n FROM pg_subscription')).rows[0].n).toBe(0);
    expect((await source.query('SELECT slot_name FROM pg_replication_slots')).rows).toEqual([]);
  });

  it('adopting a subscription refreshes it: a table the publication gained is copied', async () => {
    for (const cluster of [source, target]) {
      await cluster.query(
        'CREATE TABLE public.r (id int PRIMARY KEY); CREATE TABLE public.s (id int PRIMARY KEY)',
        [],
        'app',
      );
    }
    await source.query(
      'INSERT INTO public.r SELECT generate_series(1, 10); INSERT INTO public.s SELECT generate_series(1, 7)',
      [],
      'app',
    );
    await source.query('CREATE PUBLICATION pgferry_r FOR TABLE public.r', [], 'app');
    const patient = unitContext({ pollMs: 100, maxPolls: 300 });
    const subscribe = node('LogicalSubscriptionCreate', {
      connection: connection(target),
      publisher: connection(source),
      subscription: 'pgferry_r',
      publication: 'pgferry_r',
      slot: 'pgferry_r',
      copyData: true,
      schemaStrategy: 'pre_created',
    });
    const sync = node('LogicalSyncWait', { connection: connection(target), subscription: 'pgferry_r' });
    await handlers['target-sql'].run(subscribe, patient);
    expect(await handlers.wait.run(sync, patient)).toMatchObject({ outputs: { tables: 1 } });

    await source.query('ALTER PUBLICATION pgferry_r ADD TABLE public.s', [], 'app');
    const adopted = await handlers['target-sql'].run(subscribe, patient);
    expect(adopted).toMatchObject({ status: 'succeeded', outputs: { adopted: true } });
    expect(await handlers.wait.run(sync, patient)).toMatchObject({ outputs: { tables: 2 } });
    expect((await target.query('SELECT count(*)::int AS n FROM public.s', [], 'app')).rows[0].n).toBe(7);
  });
});
