// The agent API contract (contracts/agent-api) against the real agent on a real PostgreSQL 16, and
// against the tests' fake agent: every route is called, and every answer, success or error, must match
// the route's schema for its status (errors: the one envelope). A route of the contract the agent does
// not register, or that this test does not call, fails the test.

import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEnvelope } from '../../contracts/agent-api/responses.js';
import { AGENT_ROUTES, type AgentRouteName, agentPath } from '../../contracts/agent-api/routes.js';
import { startFakeAgent } from '../executor/support/fake-agent.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { admin, makeBundle, startAgent, type TestAgent } from './support.js';

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<object, ReturnType<typeof ajv.compile>>();

/** The schema an answer with `status` must match: the route's for that status, else the error envelope. */
function schemaFor(name: AgentRouteName, status: number): object {
  const responses: Record<string, object> = AGENT_ROUTES[name].schema.response;
  const schema = responses[String(status)] ?? (status >= 400 ? errorEnvelope : undefined);
  if (!schema) throw new Error(`${name}: the contract has no answer for status ${status}`);
  return schema;
}

function problems(name: AgentRouteName, status: number, body: unknown): string[] {
  const schema = schemaFor(name, status);
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

interface Call {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
}

type Answer = { status: number; body: unknown };

/** Calls a route by name, checks the answer against the contract, and records that the route was covered. */
function caller(send: (method: string, path: string, body: unknown) => Promise<Answer>) {
  const covered = new Set<AgentRouteName>();
  const call = async (name: AgentRouteName, input: Call = {}, expectStatus = 200) => {
    const route = AGENT_ROUTES[name];
    const query = input.query ? `?${new URLSearchParams(input.query).toString()}` : '';
    const answer = await send(route.method, `${agentPath(route.url, input.params)}${query}`, input.body);
    expect(
      { name, status: answer.status, body: answer.status === expectStatus ? undefined : answer.body },
      `${name}`,
    ).toEqual({ name, status: expectStatus, body: undefined });
    expect(problems(name, answer.status, answer.body), `${name} ${answer.status}`).toEqual([]);
    if (answer.status < 300) covered.add(name);
    return answer.body as Record<string, unknown>;
  };
  return { call, covered };
}

let cluster: PgCluster;
let agent: TestAgent;

beforeAll(async () => {
  cluster = await startCluster({ major: 16 });
  await cluster.query('CREATE DATABASE appdb');
  await cluster.query('CREATE ROLE orders_app LOGIN');
  agent = await startAgent(cluster);
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

describe('agent API contract', () => {
  it('the agent registers every route of the contract', () => {
    const missing = Object.entries(AGENT_ROUTES)
      .filter(([, route]) => !agent.app.hasRoute({ method: route.method, url: route.url }))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('every route of the real agent answers as the contract says, errors in the envelope', async () => {
    const { call, covered } = caller(async (method, url, body) => {
      const res = await agent.app.inject({
        method: method as 'GET',
        url,
        headers: admin,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.json() };
    });
    const versionNum = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
    await call('health');
    await call('ready');
    await call('status');
    await call('settings', { query: { names: 'wal_level,max_wal_senders' } });
    await call('preflight', { body: { databases: ['appdb'] } });
    await call('catalog', { query: { databases: 'appdb', lob: 'off' } });
    await call('role', {
      body: {
        name: 'dms_user',
        login: true,
        replication: true,
        password: { env: 'DMS_PASSWORD' },
        grantConnect: ['appdb'],
      },
    });
    const plan = await call('plan', { body: makeBundle(16, versionNum) });
    const planId = String(plan.planId);
    await call('planGet', { params: { planId } });
    await call('apply', { params: { planId }, body: { planHash: plan.planHash } });
    const restarted = await call('restart', {
      body: { confirm: true, reason: 'contract', acknowledgeReplicationInterruption: true },
    });
    await call('operation', { params: { id: String(restarted.operationId) } });
    await call('backups');
    await call('rollback', { body: { reason: 'contract' } });
    await call('slotCreate', { body: { name: 'dms_contract', database: 'appdb' } });
    await call('slots');
    await call('slots', { query: { limit: '1', offset: '0' } });
    await call('slot', { params: { name: 'dms_contract' } });
    await call('slotClaim', { params: { name: 'dms_contract' }, body: { database: 'appdb', owner: 'contract test' } });
    await call('marker', { body: { database: 'appdb', label: 'contract' } });
    await call('fence', { body: { method: 'hba_reject', roles: ['orders_app'], databases: ['appdb'], plan: 'c' } });
    await call('unfence', { body: { method: 'hba_reject', roles: ['orders_app'], databases: ['appdb'], plan: 'c' } });
    await call('slotDrop', { params: { name: 'dms_contract' }, body: { confirmSlotName: 'dms_contract' } });
    await call('audit', { query: { limit: '5' } });
    expect(Object.keys(AGENT_ROUTES).filter((name) => !covered.has(name as AgentRouteName))).toEqual([]);

    // Errors: each in the envelope, whatever produced it (a route, the schema, fastify's router).
    await call('planGet', { params: { planId: 'pl_nope' } }, 404);
    await call('slotCreate', { body: { name: 'dms_x', database: 'appdb', extra: 1 } }, 400);
    await call('slots', { query: { limit: '0' } }, 400);
    await call('settings', { query: { nmes: 'wal_level' } }, 400);
    await call('slot', { params: { name: 'Bad-Name' } }, 400);
    await call('slotDrop', { params: { name: 'dms_gone' }, body: { confirmSlotName: 'dms_gone' } }, 404);
  });

  it("the tests' fake agent answers as the contract says, for every route it stands in for", async () => {
    const fake = await startFakeAgent(cluster, 'fake-token-0123456789abcdef');
    try {
      const { call, covered } = caller(async (method, url, body) => {
        const res = await fetch(`${fake.url}${url}`, {
          method,
          headers: { authorization: 'Bearer fake-token-0123456789abcdef', 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: await res.json() };
      });
      const versionNum = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
      await call('status');
      await call('settings', { query: { names: 'wal_level,max_wal_senders' } });
      await call('preflight', { body: { databases: ['appdb'] } });
      await call('catalog', { query: { databases: 'appdb' } });
      const plan = await call('plan', {
        body: makeBundle(16, versionNum, { settings: { wal_sender_timeout: '30s' } }),
      });
      await call('apply', { params: { planId: String(plan.planId) }, body: { planHash: plan.planHash } });
      await call('slotCreate', { body: { name: 'dms_fake', database: 'appdb' } });
      await call('slots');
      await call('slotClaim', { params: { name: 'dms_fake' }, body: { database: 'appdb', owner: 'contract test' } });
      await call('marker', { body: { database: 'appdb', label: 'contract' } });
      await call('fence', { body: { method: 'hba_reject', roles: ['orders_app'], databases: ['appdb'], plan: 'c' } });
      await call('unfence', { body: { method: 'hba_reject', roles: ['orders_app'], databases: ['appdb'], plan: 'c' } });
      await call('slotDrop', { params: { name: 'dms_fake' }, body: { confirmSlotName: 'dms_fake' } });
      await call('restart', { body: { confirm: true, acknowledgeReplicationInterruption: true } });
      expect([...covered].sort()).toEqual([
        'apply',
        'catalog',
        'fence',
        'marker',
        'plan',
        'preflight',
        'restart',
        'settings',
        'slotClaim',
        'slotCreate',
        'slotDrop',
        'slots',
        'status',
        'unfence',
      ]);
      await call('apply', { params: { planId: 'pl_nope' }, body: { planHash: plan.planHash } }, 404);
      await call('slotDrop', { params: { name: 'dms_gone' }, body: { confirmSlotName: 'dms_gone' } }, 404);
    } finally {
      await fake.close();
    }
  });
});
