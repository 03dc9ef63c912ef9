// SSM Parameter Store references (`ssm:/path`): one decrypted GetParameter with throttling retried.
// Shared by the executor and the agent (the agent imports this module only when its config names an
// SSM reference, so the SDK stays out of its memory otherwise). Messages name the parameter and the
// SDK error's name, never a value and never the SDK's own message.

import { GetParameterCommand, type GetParameterCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import { type Sleeper, withRetry } from '../contracts/retry.js';

export interface SsmParameter {
  readonly value: string;
  /** The parameter version read (not a secret); null when SSM did not say. */
  readonly version: number | null;
}

export async function readSsmParameter(client: SSMClient, name: string, sleep: Sleeper): Promise<SsmParameter> {
  let answer: GetParameterCommandOutput;
  try {
    answer = await withRetry(() => client.send(new GetParameterCommand({ Name: name, WithDecryption: true })), {
      sleep,
    });
  } catch (error) {
    const errorName = error instanceof Error ? error.name : 'Error';
    throw new Error(`secret ssm:${name} could not be read (${errorName})`);
  }
  const value = answer.Parameter?.Value;
  if (value === undefined || value === '') throw new Error(`secret ssm:${name} has no value`);
  return { value, version: answer.Parameter?.Version ?? null };
}
