// Secrets at the moment of use: `ssm:/path` (SSM Parameter Store, decrypted), `secretsManager:name-or-arn`
// (optionally `#field`) and `env:NAME`. Each reference is read once per run, every value is registered
// with the redactor before anyone sees it, and errors name the reference, never a value.

import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Sleeper } from '../contracts/retry.js';
import type { SecretRef } from '../contracts/secret-ref.js';
import {
  fetchSecretString,
  parseSecretsManagerId,
  pickSecretValue,
  regionOfArn,
  type SecretsManagerClients,
  secretsManagerClients,
} from '../secrets/secrets-manager.js';
import { readSsmParameter } from '../secrets/ssm.js';
import type { Redactor } from './redact.js';

export class SecretResolver {
  // Promises, not values: nodes running in parallel that need the same secret share one read.
  readonly #cache = new Map<string, Promise<string>>();
  readonly #secretStrings = new Map<string, Promise<string>>();
  readonly #versions = new Map<string, number>();

  constructor(
    private readonly ssm: SSMClient,
    private readonly redactor: Redactor,
    private readonly sleep: Sleeper,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly secretsManager: SecretsManagerClients = secretsManagerClients({}),
  ) {}

  get(ref: SecretRef): Promise<string> {
    const key = JSON.stringify(ref);
    let pending = this.#cache.get(key);
    if (!pending) {
      pending = this.#fetch(ref).then((value) => {
        this.redactor.add(value);
        return value;
      });
      // A failed read is not remembered: a resumed step may find the secret fixed.
      pending.catch(() => this.#cache.delete(key));
      this.#cache.set(key, pending);
    }
    return pending;
  }

  /** The SSM parameter version last read (a version number is not a secret). */
  versionOf(parameter: string): number | null {
    return this.#versions.get(parameter) ?? null;
  }

  #fetch(ref: SecretRef): Promise<string> {
    if ('env' in ref) return this.#fromEnv(ref.env);
    if ('secretsManager' in ref) return this.#fromSecretsManager(ref.secretsManager);
    return this.#fromSsm(ref.ssm);
  }

  async #fromEnv(name: string): Promise<string> {
    const value = this.env[name];
    if (value === undefined || value === '') throw new Error(`secret env:${name} is not set`);
    return value;
  }

  async #fromSecretsManager(reference: string): Promise<string> {
    const id = parseSecretsManagerId(reference);
    let raw = this.#secretStrings.get(id.secretId);
    if (!raw) {
      const client = this.secretsManager(regionOfArn(id.secretId));
      raw = fetchSecretString(client, id.secretId, this.sleep);
      raw.catch(() => this.#secretStrings.delete(id.secretId));
      this.#secretStrings.set(id.secretId, raw);
    }
    return pickSecretValue(await raw, id);
  }

  async #fromSsm(parameter: string): Promise<string> {
    const { value, version } = await readSsmParameter(this.ssm, parameter, this.sleep);
    if (version !== null) this.#versions.set(parameter, version);
    return value;
  }
}
