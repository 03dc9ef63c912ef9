// Resolves secrets named in the agent config (file, env, SSM, Secrets Manager) or in a bundle (SecretRef).
// Values never leave this module except to the caller that needs them; they are never logged.
// The readers are the executor's own (secrets/): the same `name#field` rule, retries and messages.

import { readFile } from 'node:fs/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { realSleep } from '../contracts/retry.js';
import type { SecretRef } from '../contracts/secret-ref.js';
import type { SecretSource } from './config/types.js';
import { AgentError } from './errors.js';

export interface SecretResolver {
  resolve(source: SecretSource | SecretRef, what: string): Promise<string>;
}

export function createSecretResolver(
  aws: { readonly region?: string; readonly endpoint?: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
  ssmClient?: SSMClient,
  secretsManagerClient?: SecretsManagerClient,
): SecretResolver {
  // The SDK clients are loaded only when a reference names SSM or Secrets Manager (dynamic imports):
  // they would be most of the agent's idle memory.
  let ssm: Promise<SSMClient> | undefined;
  const ssmClientOnce = () => {
    ssm ??= ssmClient
      ? Promise.resolve(ssmClient)
      : import('@aws-sdk/client-ssm').then(
          ({ SSMClient }) =>
            new SSMClient({
              ...(aws.region ? { region: aws.region } : {}),
              ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
            }),
        );
    return ssm;
  };
  return {
    async resolve(source, what) {
      try {
        if ('file' in source) return (await readFile(source.file, 'utf8')).trim();
        if ('env' in source) {
          const value = env[source.env];
          if (value === undefined || value === '') throw new Error(`environment variable ${source.env} is not set`);
          return value;
        }
        if ('ssm' in source) {
          const { readSsmParameter } = await import('../secrets/ssm.js');
          return (await readSsmParameter(await ssmClientOnce(), source.ssm, realSleep)).value;
        }
        // A bundle's role password may live in Secrets Manager (the format RDS and DMS use).
        const sm = await import('../secrets/secrets-manager.js');
        const id = sm.parseSecretsManagerId(source.secretsManager);
        const client = sm.secretsManagerClients({
          ...aws,
          ...(secretsManagerClient ? { client: secretsManagerClient } : {}),
        })(sm.regionOfArn(id.secretId));
        return sm.pickSecretValue(await sm.fetchSecretString(client, id.secretId, realSleep), id);
      } catch (error) {
        throw new AgentError(
          'SECRET_UNAVAILABLE',
          `cannot resolve the secret for ${what}: ${(error as Error).message}`,
        );
      }
    },
  };
}
