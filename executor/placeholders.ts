// Run-time values in node inputs: `@ref(<node>#<output>)` for outputs of earlier nodes and
// `@secret(ssm:/path)` for secrets. Placeholders may stand alone or sit inside a longer string.

import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseSecretRef, type SecretRef } from '../contracts/secret-ref.js';
import type { Redactor } from './redact.js';
import { type Sleeper, withRetry } from './retry.js';
import type { NodeOutputs } from './types.js';

const EMBEDDED = /@(ref|secret)\(([^()]+)\)/g;

export class SecretResolver {
  readonly #cache = new Map<string, string>();
  readonly #versions = new Map<string, number>();

  constructor(
    private readonly ssm: SSMClient,
    private readonly redactor: Redactor,
    private readonly sleep: Sleeper,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  async get(ref: SecretRef): Promise<string> {
    const key = JSON.stringify(ref);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const value = await this.#fetch(ref);
    this.redactor.add(value);
    this.#cache.set(key, value);
    return value;
  }

  /** The SSM parameter version last read (a version number is not a secret). */
  versionOf(parameter: string): number | null {
    return this.#versions.get(parameter) ?? null;
  }

  async #fetch(ref: SecretRef): Promise<string> {
    if ('env' in ref) {
      const value = this.env[ref.env];
      if (value === undefined || value === '') throw new Error(`secret env:${ref.env} is not set`);
      return value;
    }
    if ('secretsManager' in ref) {
      throw new Error(`secret secretsManager:${ref.secretsManager}: the executor reads SSM parameters only`);
    }
    try {
      const answer = await withRetry(
        () => this.ssm.send(new GetParameterCommand({ Name: ref.ssm, WithDecryption: true })),
        { sleep: this.sleep },
      );
      const value = answer.Parameter?.Value;
      if (value === undefined) throw new Error('no value');
      if (answer.Parameter?.Version !== undefined) this.#versions.set(ref.ssm, answer.Parameter.Version);
      return value;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      // Never echo the SDK message verbatim: it is ours to word, and it must not carry a value.
      throw new Error(`secret ssm:${ref.ssm} could not be read (${name})`);
    }
  }
}

export type OutputLookup = (nodeId: string) => NodeOutputs | undefined;

function lookupRef(body: string, outputs: OutputLookup): string | number | boolean {
  const hash = body.indexOf('#');
  if (hash < 0) throw new Error(`placeholder @ref(${body}) needs the form @ref(<node>#<output>)`);
  const nodeId = body.slice(0, hash);
  const name = body.slice(hash + 1);
  const found = outputs(nodeId);
  const value = found?.[name];
  if (value === undefined || value === null) {
    throw new Error(`placeholder @ref(${body}): node ${nodeId} has no output '${name}' yet`);
  }
  return value;
}

async function resolveString(text: string, outputs: OutputLookup, secrets: SecretResolver): Promise<unknown> {
  const whole = /^@(ref|secret)\(([^()]+)\)$/.exec(text);
  if (whole) return resolveOne(whole[1]!, whole[2]!, outputs, secrets);
  if (!text.includes('@ref(') && !text.includes('@secret(')) return text;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(EMBEDDED)) {
    out += text.slice(last, match.index) + String(await resolveOne(match[1]!, match[2]!, outputs, secrets));
    last = match.index + match[0].length;
  }
  return out + text.slice(last);
}

async function resolveOne(kind: string, body: string, outputs: OutputLookup, secrets: SecretResolver) {
  if (kind === 'ref') return lookupRef(body, outputs);
  const ref = parseSecretRef(body);
  if (!ref) throw new Error(`placeholder @secret(${body}): unknown secret reference`);
  return secrets.get(ref);
}

/** A deep copy of `value` with every placeholder replaced. */
export async function resolvePlaceholders<T>(value: T, outputs: OutputLookup, secrets: SecretResolver): Promise<T> {
  if (typeof value === 'string') return (await resolveString(value, outputs, secrets)) as T;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await resolvePlaceholders(item, outputs, secrets));
    return out as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = await resolvePlaceholders(child, outputs, secrets);
    return out as T;
  }
  return value;
}
