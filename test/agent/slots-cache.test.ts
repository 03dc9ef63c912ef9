// The slot list is cached and single-flight (issue 3: at most one slot query per cache interval whatever
// the request rate), and a drop through the API is never hidden by the cache.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, startAgent, type TestAgent } from './support.js';

let cluster: PgCluster;
let agent: TestAgent;

beforeAll(async () => {
  cluster = await startCluster({ major: 16, settings: { wal_level: 'logical' } });
  for (const name of ['dms_cache_a', 'dms_cache_b']) {
    await cluster.query(`SELECT pg_create_logical_replication_slot('${name}', 'test_decoding')`);
  }
  agent = await startAgent(cluster, { slotsCacheMs: 600_000 });
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

const slotNames = async () => {
  const res = await agent.app.inject({ method: 'GET', url: '/v1/slots', headers: admin });
  expect(res.statusCode).toBe(200);
  return (res.json().slots as { slotName: string }[]).map((s) => s.slotName);
};

describe('slot list and metrics cache', () => {
  it('answers many concurrent /v1/slots and /metrics requests with one slot query', async () => {
    const before = agent.ctx.db.queryCounts.get('slots') ?? 0;
    const factsBefore = agent.ctx.db.queryCounts.get('facts') ?? 0;
    const requests = Array.from({ length: 40 }, (_, i) =>
      agent.app.inject({ method: 'GET', url: i % 4 === 0 ? '/metrics' : '/v1/slots', headers: admin }),
    );
    const answers = await Promise.all(requests);
    expect(answers.map((res) => res.statusCode)).toEqual(answers.map(() => 200));
    expect(answers[1]?.json().slots.map((s: { slotName: string }) => s.slotName)).toEqual([
      'dms_cache_a',
      'dms_cache_b',
    ]);
    expect(answers[0]?.body).toContain('slot_name="dms_cache_a"');
    expect((agent.ctx.db.queryCounts.get('slots') ?? 0) - before).toBe(1);
    expect((agent.ctx.db.queryCounts.get('facts') ?? 0) - factsBefore).toBe(1);
    await slotNames();
    expect((agent.ctx.db.queryCounts.get('slots') ?? 0) - before).toBe(1);
  });

  it('lists a dropped slot no more, although the cache interval has not passed', async () => {
    expect(await slotNames()).toContain('dms_cache_a');
    const res = await agent.app.inject({
      method: 'DELETE',
      url: '/v1/slots/dms_cache_a',
      headers: admin,
      payload: { confirmSlotName: 'dms_cache_a' },
    });
    expect(res.statusCode).toBe(200);
    expect(await slotNames()).toEqual(['dms_cache_b']);
  });

  it('serves the same /metrics page while nothing it shows changed, and a new one when a counter moves', async () => {
    const scrape = async () => {
      const res = await agent.app.inject({ method: 'GET', url: '/metrics', headers: admin });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      return res.body;
    };
    const first = await scrape();
    const duration = /pgferry_scrape_duration_seconds (\S+)/.exec(first)?.[1];
    expect(duration).toBeDefined();
    // A rebuilt page would measure its own build time: the same figure means the same page.
    expect(await scrape()).toBe(first);
    agent.ctx.counters.apply.noop += 1;
    const next = await scrape();
    expect(next).toContain('pgferry_config_apply_total{result="noop"} 1');
    expect(first).toContain('pgferry_config_apply_total{result="noop"} 0');
    expect(next).not.toBe(first);
    agent.ctx.counters.apply.noop -= 1;
  });
});
