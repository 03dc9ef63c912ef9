// The executor's side of the source-host agent's HTTP API (/v1, bearer token, JSON, one error
// envelope). Routes are called by name from the agent API contract (contracts/agent-api/routes.ts):
// the request is typed from its schemas and every answer is validated against the route's answer
// schema before anyone reads it, so a field is read by its one name, never guessed. Mutating calls
// carry an Idempotency-Key so a retried request gets the first answer.

import { request as httpsCall } from 'node:https';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { AGENT_ROUTES, type AgentReply, type AgentRouteName, agentPath } from '../contracts/agent-api/routes.js';

export class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly changed: boolean | null,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

/** One slot as the agent reports it (the fields the executor reads). */
export type AgentSlot = Pick<
  AgentReply<'slot'>,
  | 'slotName'
  | 'plugin'
  | 'database'
  | 'active'
  | 'restartLsn'
  | 'confirmedFlushLsn'
  | 'retainedWalBytes'
  | 'confirmedLagBytes'
>;

export interface AgentSlots {
  readonly currentLsn: string | null;
  readonly slots: readonly AgentSlot[];
}

/** Every route's answer type, computed once (an indexed access per call stays cheap for the checker). */
export type AgentReplies = { readonly [N in AgentRouteName]: AgentReply<N> };

/** What a route takes besides its name: path parameters, query string and body (the agent validates them). */
export interface AgentCallInput {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
}

export interface AgentClient {
  /** Calls a route of the contract; the answer has been validated against the route's answer schema. */
  call<N extends AgentRouteName>(name: N, input?: AgentCallInput, idempotencyKey?: string): Promise<AgentReplies[N]>;
  slots(): Promise<AgentSlots>;
}

/** Client certificate and key (mTLS, when the agent sets tls.clientCa) and a CA for the agent's certificate. */
export interface AgentTls {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
}

interface RawResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** One HTTPS exchange with the client certificate (Node's fetch cannot present one). */
function httpsRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  tls: AgentTls,
) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpsCall(
      url,
      {
        method,
        headers,
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        ...(tls.ca ? { ca: tls.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ok: status >= 200 && status < 300, status, text: async () => text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A TLS refusal that means the agent wants a client certificate this executor did not present. */
function certificateHint(message: string, tls: AgentTls | undefined): string {
  if (tls?.cert) return '';
  const advice = 'client certificate (mTLS, its tls.clientCa): pass --agent-cert and --agent-key';
  if (/certificate required/i.test(message)) return `; the agent requires a ${advice}`;
  return /other side closed|socket hang up|ECONNRESET|handshake failure/i.test(message)
    ? `; the agent may require a ${advice}`
    : '';
}

/** Answer validators, compiled once per route on first use. */
const answerValidators = new Map<AgentRouteName, ValidateFunction>();
let ajv: Ajv | undefined;

function answerProblems(name: AgentRouteName, answer: unknown): string | null {
  let validate = answerValidators.get(name);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: false, strict: false });
    validate = ajv.compile(AGENT_ROUTES[name].schema.response[200]);
    answerValidators.set(name, validate);
  }
  if (validate(answer)) return null;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

function queryString(query: Readonly<Record<string, string | undefined>> | undefined): string {
  if (query === undefined) return '';
  const pairs = Object.entries(query).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`;
}

export function httpAgentClient(baseUrl: string, token: string, tls?: AgentTls): AgentClient {
  const base = baseUrl.replace(/\/+$/, '');
  const request = async (method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<unknown> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let response: RawResponse;
    try {
      response =
        tls !== undefined && base.startsWith('https:')
          ? await httpsRequest(new URL(`${base}${path}`), method, headers, payload, tls)
          : await fetch(`${base}${path}`, { method, headers, body: payload });
    } catch (error) {
      const raw =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error && !(error instanceof TypeError)
            ? error.message
            : '';
      const cause = raw === '' ? '' : `: ${raw.replace(/\s*\n\s*/g, ' ').trim()}`;
      throw new AgentError(
        0,
        'UNREACHABLE',
        `agent ${base} is unreachable (${method} ${path}${cause})${certificateHint(cause, tls)}`,
        null,
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const envelope = (parsed as { error?: { code?: unknown; message?: unknown; changed?: unknown } } | null)?.error;
      const code = typeof envelope?.code === 'string' ? envelope.code : `HTTP_${response.status}`;
      const message = typeof envelope?.message === 'string' ? envelope.message : text.slice(0, 200);
      const changed = typeof envelope?.changed === 'boolean' ? envelope.changed : null;
      throw new AgentError(
        response.status,
        code,
        `agent ${method} ${path}: ${response.status} ${code}: ${message}`,
        changed,
      );
    }
    return parsed;
  };
  // The contract's types for callers (the overload); the answer is what the route's answer schema accepted.
  async function call<N extends AgentRouteName>(
    name: N,
    input?: AgentCallInput,
    idempotencyKey?: string,
  ): Promise<AgentReplies[N]>;
  async function call(name: AgentRouteName, input: AgentCallInput = {}, idempotencyKey?: string): Promise<unknown> {
    const route = AGENT_ROUTES[name];
    const path = `${agentPath(route.url, input.params)}${queryString(input.query)}`;
    const answer = await request(route.method, path, input.body, idempotencyKey);
    const problems = answerProblems(name, answer);
    if (problems === null) return answer;
    throw new AgentError(
      200,
      'CONTRACT_MISMATCH',
      `agent ${route.method} ${path} answered outside the agent API contract (${problems}): the agent and this executor are of different pgferry versions`,
      null,
    );
  }
  return {
    call,
    async slots() {
      const answer = await call('slots', {});
      return { currentLsn: answer.currentLsn, slots: answer.slots };
    },
  };
}

/** PostgreSQL LSN `X/Y` as a bigint, for comparisons. */
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  if (hi === undefined || lo === undefined) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
