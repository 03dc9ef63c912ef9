// AWS Secrets Manager references: `name-or-arn`, optionally `name#field` to pick one key of a JSON
// secret. Without a field, a JSON secret with a string `password` key (the format RDS, DMS and the
// console's "credentials for a database" write) yields that key, anything else the whole string.
// Messages name the secret and the field, never a value: the SDK's own message is not echoed.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Sleeper, withRetry } from '../contracts/retry.js';
import type { SecretsManagerId } from '../contracts/secret-ref.js';

// The reference's syntax is a contract (the compiler checks it, the executor and the agent read it).
export { parseSecretsManagerId, type SecretsManagerId } from '../contracts/secret-ref.js';

/** Hands out a client for a region (an ARN's own, else null for the run's default). */
export type SecretsManagerClients = (region: string | null) => SecretsManagerClient;

export interface SecretsManagerClientOptions {
  readonly region?: string;
  readonly endpoint?: string;
  /** Injected (tests): used for every region. */
  readonly client?: SecretsManagerClient;
}

export function regionOfArn(secretId: string): string | null {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1] ?? null;
}

/**
 * One client per region, created on first use. A secret ARN names its region, which may differ from
 * the plan's; an explicit endpoint (LocalStack, a VPC endpoint) serves every secret.
 */
export function secretsManagerClients(options: SecretsManagerClientOptions): SecretsManagerClients {
  const injected = options.client;
  if (injected) return () => injected;
  const clients = new Map<string, SecretsManagerClient>();
  return (arnRegion) => {
    const region = (options.endpoint ? null : arnRegion) ?? options.region ?? '';
    let client = clients.get(region);
    if (!client) {
      client = new SecretsManagerClient({
        ...(region ? { region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      });
      clients.set(region, client);
    }
    return client;
  };
}

const EXPLAINED: Readonly<Record<string, string>> = {
  ResourceNotFoundException: 'was not found: check the name or ARN and the region',
  AccessDeniedException: 'is not readable: the credentials need secretsmanager:GetSecretValue on it',
  DecryptionFailure: "could not be decrypted: the credentials need kms:Decrypt on the secret's KMS key",
  InvalidRequestException: 'was refused: it may be scheduled for deletion',
  InvalidParameterException: 'was refused: the name or ARN is malformed',
};

async function regionOf(client: SecretsManagerClient): Promise<string | null> {
  try {
    return await client.config.region();
  } catch {
    return null;
  }
}

/** The raw SecretString of a secret, with throttling retried. */
export async function fetchSecretString(
  client: SecretsManagerClient,
  secretId: string,
  sleep: Sleeper,
): Promise<string> {
  let answer: { SecretString?: string | undefined; SecretBinary?: Uint8Array | undefined };
  try {
    answer = await withRetry(() => client.send(new GetSecretValueCommand({ SecretId: secretId })), { sleep });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const why = EXPLAINED[name] ?? 'could not be read';
    const region = name === 'ResourceNotFoundException' ? await regionOf(client) : null;
    throw new Error(`secret secretsManager:${secretId} ${why}${region ? ` (region ${region})` : ''} (${name})`);
  }
  if (answer.SecretString === undefined) {
    const what = answer.SecretBinary === undefined ? 'has no value' : 'is binary; only SecretString is supported';
    throw new Error(`secret secretsManager:${secretId} ${what}`);
  }
  return answer.SecretString;
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.trimStart().startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The value a reference means within a secret's SecretString (see the top of this file). */
export function pickSecretValue(secretString: string, id: SecretsManagerId): string {
  const object = parseObject(secretString);
  if (id.field === null) {
    const password = object?.password;
    return typeof password === 'string' ? password : secretString;
  }
  const where = `secret secretsManager:${id.secretId}#${id.field}`;
  if (object === null) throw new Error(`${where}: the secret is not a JSON object, so it has no field '${id.field}'`);
  const value = object[id.field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const keys = Object.keys(object).sort().join(', ') || 'none';
  throw new Error(`${where}: the secret has no string field '${id.field}' (fields: ${keys})`);
}
