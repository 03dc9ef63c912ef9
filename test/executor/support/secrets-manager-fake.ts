// AWS Secrets Manager behind aws-sdk-client-mock: GetSecretValue over a fixed map of SecretStrings,
// with the service's error classes, and faults to inject (throttling, access denied, KMS).

import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

export function secretsManagerFake(secrets: Readonly<Record<string, string>>) {
  const mock = mockClient(SecretsManagerClient);
  const reads: string[] = [];
  const faults: Error[] = [];
  mock.on(GetSecretValueCommand).callsFake((input) => {
    const id = String(input.SecretId);
    reads.push(id);
    const fault = faults.shift();
    if (fault) throw fault;
    const value = secrets[id];
    if (value === undefined) {
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {
      ARN: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${id}-AbCdEf`,
      Name: id,
      SecretString: value,
    };
  });
  return {
    mock,
    reads,
    /** The next reads fail with these errors, in order. */
    failNext: (...errors: Error[]) => faults.push(...errors),
    restore: () => mock.restore(),
  };
}

/** An SDK-shaped service error (name is what the executor reads). */
export function serviceError(name: string, message = `${name} from the fake`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
