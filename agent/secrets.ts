// Resolves secrets named in the agent config (file, env, SSM) or in a bundle (SecretRef). Values never
// leave this module except to the caller that needs them; they are never logged.

import { readFile } from 'node:fs/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
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
  let client = ssmClient;
  // The SDK is loaded only when an SSM reference is used: it is most of the agent's idle memory.
  const sdk = () => import('@aws-sdk/client-ssm');
  const ssm = async () => {
    client ??= new (await sdk()).SSMClient({
      ...(aws.region ? { region: aws.region } : {}),
      ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    });
    return client;
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
          const { GetParameterCommand } = await sdk();
          const out = await (await ssm()).send(new GetParameterCommand({ Name: source.ssm, WithDecryption: true }));
          const value = out.Parameter?.Value;
          if (!value) throw new Error(`SSM parameter ${source.ssm} has no value`);
          return value;
        }
        // A bundle's role password may live in Secrets Manager (the format RDS and DMS use); the agent reads
        // it the way the executor does, with the same `name#field` rule and messages that never echo a value.
        const sm = await import('../executor/secrets-manager.js');
        const { realSleep } = await import('../executor/retry.js');
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
