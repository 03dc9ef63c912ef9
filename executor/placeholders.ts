// Run-time values in node inputs: `@ref(<node>#<output>)` for outputs of earlier nodes and
// `@secret(ssm:/path)` (or `secretsManager:…`, `env:…`) for secrets, read by SecretResolver (secrets.ts).
// Placeholders may stand alone or sit inside a longer string.

import { parseSecretRef } from '../contracts/secret-ref.js';
import type { SecretResolver } from './secrets.js';
import type { NodeOutputs } from './types.js';

const EMBEDDED = /@(ref|secret)\(([^()]+)\)/g;

export type OutputLookup = (nodeId: string) => NodeOutputs | undefined;

/** A `@ref` to an output that was never recorded (the node that makes it has not run). */
export class MissingOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingOutputError';
  }
}

function lookupRef(body: string, outputs: OutputLookup): string | number | boolean {
  const hash = body.indexOf('#');
  if (hash < 0) throw new Error(`placeholder @ref(${body}) needs the form @ref(<node>#<output>)`);
  const nodeId = body.slice(0, hash);
  const name = body.slice(hash + 1);
  const found = outputs(nodeId);
  const value = found?.[name];
  if (value === undefined || value === null) {
    throw new MissingOutputError(`placeholder @ref(${body}): node ${nodeId} has no output '${name}' yet`);
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
