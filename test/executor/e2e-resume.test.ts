// A failure injected at each executor kind (ssm, agent, target-sql, dms, wait), then the same command
// again: it resumes where it stopped, creates nothing twice and finishes. Real clusters, fake DMS.

import { InvalidResourceStateFault } from '@aws-sdk/client-database-migration-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DmsFake, throttling } from '../support/dms-fake.js';
import { freePort } from '../support/pg-cluster.js';
import { nodeStates, SECRETS, sequenceValue, slotNames, startWorld, type World } from './support/world.js';

const TARGET_SECRET = '/pgferry/shopx/target/postgres';

describe('failures at every executor kind, then resume', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('ssm and agent failures stop their dependents and say how to go on', async () => {
    delete world.parameters[TARGET_SECRET];
    world.agent.failNext('POST /v1/plans/', 500, 'APPLY_FAILED');
    const result = await world.run('apply');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'secrets.pgferry-shopx-target-postgres.resolve: secret ssm:/pgferry/shopx/target/postgres could not be read (ParameterNotFound)',
    );
    expect(result.stderr).toContain('source.config.apply: agent POST /v1/plans/pl_1/apply: 500 APPLY_FAILED');
    expect(result.stderr).toMatch(/resume: {2}pgferry apply .*cdc\.yaml/);
    expect(result.stderr).toMatch(/pgferry abort .*cdc\.yaml/);
    const states = nodeStates(await world.journal());
    expect(states['source.config.apply']).toBe('failed');
    expect(states['gate.restart-consent']).toBe('pending');
    expect(world.dms.calls).toEqual([]);
  });

  it('a target-sql failure (unreachable target), while the fixed branches resume', async () => {
    world.parameters[TARGET_SECRET] = SECRETS[TARGET_SECRET];
    const result = await world.run('apply', [], { targetUrl: `postgres://postgres@127.0.0.1:${await freePort()}/` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /target\.orders\.prepare: cannot connect to the target database orders at 127\.0\.0\.1:\d+ as postgres/,
    );
    const states = nodeStates(await world.journal());
    expect(states['source.config.apply']).toBe('succeeded');
    expect(states['secrets.pgferry-shopx-target-postgres.resolve']).toBe('succeeded');
    expect(states['gate.restart-consent']).toBe('waiting-gate');
  });

  it('a DMS failure (and throttling, retried) after consent', async () => {
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    world.dms.failNext('CreateEndpoint', throttling(), 2);
    world.dms.failNext(
      'CreateReplicationTask',
      new InvalidResourceStateFault({
        message: 'Replication instance shopx-ri is busy',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await world.run('apply');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dms.task.orders-cdc.create: Replication instance shopx-ri is busy');
    const states = nodeStates(await world.journal());
    expect(states['dms.endpoint.shopx-orders-src.create']).toBe('succeeded');
    expect(states['dms.endpoint.shopx-orders-tgt.create']).toBe('succeeded');
    expect(states['target.orders.prepare']).toBe('succeeded');
    expect(world.dms.count('CreateEndpoint')).toBe(4);

    const resumed = await world.run('apply');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).not.toContain('dms.instance.shopx-ri.create');
  });

  it('a wait failure (no consumer: the slot never reaches the marker), then the cutover resumes and finishes', async () => {
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    world.agent.simulateConsumer = false;
    const stuck = await world.run('cutover', ['--max-polls', '3']);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toMatch(
      /cutover\.orders-cdc\.marker-wait: the cutover marker [0-9A-F]+\/[0-9A-F]+ confirmed by the slot of orders-cdc: not reached after .* \(the poll budget \(3 polls\)\); last seen: slot orderscdc_\w+ confirmed [0-9A-F]+\/[0-9A-F]+ \(inactive\); is the task still running/,
    );
    world.agent.simulateConsumer = true;
    const done = await world.run('cutover');
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(await sequenceValue(world.target, 'public.invoice_no')).toBe('1042');
    expect(await slotNames(world.source)).toEqual([]);
  });

  it('nothing was created twice', () => {
    expect(Object.fromEntries(world.dms.created)).toEqual({
      CreateReplicationInstance: 1,
      CreateEndpoint: 2,
      CreateReplicationTask: 1,
    });
    expect(world.dms.count('StartReplicationTask')).toBe(1);
    expect(world.dms.tasks.get('orders-cdc')?.startTypes).toEqual(['start-replication']);
    expect(world.agent.requests.filter((request) => request === 'POST /v1/restart')).toHaveLength(1);
    expect(DmsFake.slotNameFor('orders-cdc')).toMatch(/^orderscdc_/);
  });

  it('no secret value in anything pgferry printed or wrote', async () => {
    const journal = JSON.stringify(await world.journal());
    const everything = [...world.transcript, journal].join('\n');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    // The grep means something only if the run really read the secrets it must keep out of sight.
    expect(world.ssm.reads).toEqual(
      expect.arrayContaining(['/pgferry/shopx/agent/token', '/pgferry/shopx/source/dms_user']),
    );
  });
});
