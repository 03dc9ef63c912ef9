// The agent applies exactly what the compiler emits: a CDC plan for a PostgreSQL 16 source is compiled
// (buildGraph + emitArtifacts), and its source/bundle.json is planned and applied over HTTP.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build-graph.js';
import { emitArtifacts } from '../../compiler/output.js';
import type { SourceBundle } from '../../contracts/bundle.js';
import { cdcPlan, planWith } from '../support/base-plan.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, startAgent, type TestAgent } from './support.js';

let cluster: PgCluster;
let agent: TestAgent;

beforeAll(async () => {
  cluster = await startCluster({ major: 16, hba: ['host all postgres 127.0.0.1/32 trust'] });
  await cluster.query('CREATE DATABASE orders');
  agent = await startAgent(cluster);
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

it('plans and applies the compiled source/bundle.json', async () => {
  const versionNum = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
  const plan = planWith({
    ...cdcPlan,
    source: { ...cdcPlan.source, version: { text: '16', major: '16', num: versionNum }, auth_method: 'scram-sha-256' },
    dms: {
      ...cdcPlan.dms,
      replication_instance: { ...cdcPlan.dms.replication_instance, source_cidrs: ['127.0.0.1/32'] },
    },
  });
  const artifact = emitArtifacts(plan, buildGraph(plan)).find((a) => a.path === 'source/bundle.json');
  expect(artifact).toBeDefined();
  const bundle = JSON.parse(artifact!.content) as SourceBundle;

  const planned = await agent.app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: bundle });
  expect(planned.statusCode, planned.body).toBe(200);
  const dryRun = planned.json();
  expect(dryRun.requires.restart).toBe(true);
  expect(dryRun.changes.hba.diff).toContain('+host\torders\tdms_user\t127.0.0.1/32\tscram-sha-256');

  const applied = await agent.app.inject({
    method: 'POST',
    url: `/v1/plans/${dryRun.planId}/apply`,
    headers: admin,
    payload: { planHash: dryRun.planHash },
  });
  expect(applied.statusCode, applied.body).toBe(200);
  expect(applied.json().pendingRestart).toEqual(expect.arrayContaining(['wal_level']));
  const again = await agent.app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: bundle });
  expect(again.json().noop).toBe(true);
});
