// The agent handler's cutover safety without a server: fence requests carry the plan and a run-scoped
// idempotency key, a 409 LOCKED waits its turn, and a marker answer older than the source's position
// (an answer replayed from an earlier run) fails instead of passing for a fresh marker.

import { describe, expect, it } from 'vitest';
import { AGENT_ROUTES, agentPath } from '../../../contracts/agent-api/routes.js';
import { type AgentClient, AgentError, type AgentReplies } from '../../../executor/agent-client.js';
import { agentHandler } from '../../../executor/handlers/agent.js';
import type { RunContext } from '../../../executor/types.js';
import { node, unitContext } from '../../logical/unit-support.js';

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly key: string | undefined;
}

function fakeAgent(answer: (call: Call, index: number) => unknown, currentLsn = '0/3000000') {
  const calls: Call[] = [];
  const client: AgentClient = {
    async call<N extends keyof AgentReplies>(
      name: N,
      input: { params?: Record<string, string>; body?: unknown } = {},
      key?: string,
    ): Promise<AgentReplies[N]> {
      const route = AGENT_ROUTES[name];
      const call = { method: route.method, path: agentPath(route.url, input.params), body: input.body, key };
      calls.push(call);
      const result = answer(call, calls.length - 1);
      if (result instanceof Error) throw result;
      return result as AgentReplies[N];
    },
    async slots() {
      return { currentLsn, slots: [] };
    },
  };
  return { client, calls };
}

function context(client: AgentClient, runId: string, slept: number[]): RunContext {
  return {
    ...unitContext(),
    agent: async () => client,
    now: () => new Date('2026-01-01T00:00:00Z'),
    sleep: async (ms: number) => {
      slept.push(ms);
    },
    runKey: (n: { idempotencyKey: string }) => `${n.idempotencyKey}@run:${runId}`,
  } as unknown as RunContext;
}

const fenceNode = node('SourceWriteFence', { method: 'hba_reject', roles: ['crm_app'], databases: ['crm'] });

describe('agent handler: fences and markers', () => {
  it('sends the plan and a run-scoped key; a LOCKED answer is retried with backoff', async () => {
    const locked = new AgentError(409, 'LOCKED', 'agent POST /v1/fence: 409 LOCKED: another operation', false);
    const { client, calls } = fakeAgent((_call, i) => (i < 2 ? locked : { fenced: true, fencedAt: 'T1' }));
    const slept: number[] = [];
    const result = await agentHandler.run(fenceNode, context(client, 'run-1', slept));
    expect(result).toMatchObject({ status: 'succeeded', outputs: { fencedAt: 'T1' } });
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      path: '/v1/fence',
      key: 'SourceWriteFence@run:run-1',
      body: { plan: 'logical-unit', roles: ['crm_app'], databases: ['crm'], method: 'hba_reject' },
    });
    expect(slept).toEqual([250, 500]);
  });

  it('a new run sends a new key', async () => {
    const { client, calls } = fakeAgent(() => ({ fenced: true }));
    await agentHandler.run(fenceNode, context(client, 'run-1', []));
    await agentHandler.run(fenceNode, context(client, 'run-2', []));
    expect(calls.map((call) => call.key)).toEqual(['SourceWriteFence@run:run-1', 'SourceWriteFence@run:run-2']);
  });

  it('other agent errors are not retried', async () => {
    const refused = new AgentError(422, 'LOCKOUT_RISK', 'no', false);
    const { client, calls } = fakeAgent(() => refused);
    await expect(agentHandler.run(fenceNode, context(client, 'r', []))).rejects.toThrow(/no/);
    expect(calls).toHaveLength(1);
  });

  it('refuses a marker LSN older than the source position before the request', async () => {
    const markerNode = node('SourceMarkerWrite', { database: 'crm' });
    const replayed = fakeAgent(() => ({ id: '1', lsn: '0/1000000' }), '0/3000000');
    await expect(agentHandler.run(markerNode, context(replayed.client, 'r', []))).rejects.toThrow(
      /marker LSN 0\/1000000, older than the source's 0\/3000000/,
    );
    const fresh = fakeAgent(() => ({ id: '2', lsn: '0/3000100' }), '0/3000000');
    expect(await agentHandler.run(markerNode, context(fresh.client, 'r', []))).toMatchObject({
      status: 'succeeded',
      outputs: { lsn: '0/3000100' },
    });
  });
});
