// The executor's side of the source-host agent's HTTP API (/v1, bearer token, JSON, one error
// envelope). Mutating calls carry an Idempotency-Key so a retried request gets the first answer.

import { request as httpsCall } from 'node:https';
import type { Sleeper } from '../contracts/retry.js';

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

export interface AgentSlot {
  readonly slotName: string;
  readonly plugin: string | null;
  readonly database: string | null;
  readonly active: boolean;
  readonly restartLsn: string | null;
  readonly confirmedFlushLsn: string | null;
  readonly retainedWalBytes: number | null;
  readonly confirmedLagBytes: number | null;
}

export interface AgentSlots {
  readonly currentLsn: string | null;
  readonly slots: readonly AgentSlot[];
}

export interface AgentClient {
  request<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T>;
  slots(): Promise<AgentSlots>;
}

type Json = Record<string, unknown>;

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

export function httpAgentClient(baseUrl: string, token: string, tls?: AgentTls): AgentClient {
  const base = baseUrl.replace(/\/+$/, '');
  const request = async <T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> => {
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
    return parsed as T;
  };
  return {
    request,
    async slots() {
      const answer = await request<Json>('GET', '/v1/slots');
      const slots = Array.isArray(answer.slots) ? (answer.slots as Json[]) : [];
      return {
        currentLsn: typeof answer.currentLsn === 'string' ? answer.currentLsn : null,
        slots: slots.map((slot) => ({
          slotName: String(slot.slotName ?? slot.name ?? ''),
          plugin: typeof slot.plugin === 'string' ? slot.plugin : null,
          database: typeof slot.database === 'string' ? slot.database : null,
          active: slot.active === true,
          restartLsn: typeof slot.restartLsn === 'string' ? slot.restartLsn : null,
          confirmedFlushLsn: typeof slot.confirmedFlushLsn === 'string' ? slot.confirmedFlushLsn : null,
          retainedWalBytes: typeof slot.retainedWalBytes === 'number' ? slot.retainedWalBytes : null,
          confirmedLagBytes: typeof slot.confirmedLagBytes === 'number' ? slot.confirmedLagBytes : null,
        })),
      };
    },
  };
}

/** Waits for an async agent operation (202 + operationId) to finish. */
export async function waitForOperation(
  agent: AgentClient,
  operationId: string,
  sleep: Sleeper,
  pollMs: number,
  maxPolls: number,
): Promise<Json> {
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const op = await agent.request<Json>('GET', `/v1/operations/${encodeURIComponent(operationId)}`);
    const state = String(op.status ?? op.state ?? op.result ?? '');
    if (state === 'succeeded' || state === 'applied' || state === 'noop') return op;
    if (state.startsWith('failed') || state === 'needs_attention') {
      throw new Error(`agent operation ${operationId} ended ${state}: ${String(op.message ?? op.error ?? '')}`);
    }
    await sleep(pollMs);
  }
  throw new Error(`agent operation ${operationId} did not finish after ${maxPolls} polls`);
}

/** PostgreSQL LSN `X/Y` as a bigint, for comparisons. */
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  if (hi === undefined || lo === undefined) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
