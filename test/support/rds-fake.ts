// A stateful fake of Amazon RDS behind aws-sdk-client-mock (the real RDSClient and command classes over
// test/support/rds-state.ts). Every input the executor sends, and every answer the state gives, is checked
// against the API model the SDK ships (test/support/aws-model.ts), as the DMS HTTP stand-in does: a member
// RDS does not know fails the call. Faults have the SDK's own classes where it models them
// (DBParameterGroupNotFoundFault, InvalidDBParameterGroupStateFault, …), else RDSServiceException named as
// RDS names them (Throttling, AccessDenied, InvalidParameterValue).

import * as rdsSdk from '@aws-sdk/client-rds';
import { RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { checkAgainstModel } from './aws-model.js';
import { RdsFault, RdsState } from './rds-state.js';

const classes = rdsSdk as unknown as Record<string, unknown>;
const meta = (status: number) => ({
  httpStatusCode: status,
  requestId: 'fake-request',
  attempts: 1,
  totalRetryDelay: 0,
});

function sdkError(fault: RdsFault): Error {
  const Modelled = classes[fault.code];
  if (typeof Modelled === 'function' && fault.code.endsWith('Fault')) {
    const Class = Modelled as new (options: object) => Error;
    return new Class({ message: fault.message, $metadata: meta(fault.status) });
  }
  return new RDSServiceException({
    name: fault.code,
    $fault: 'client',
    $metadata: meta(fault.status),
    message: fault.message,
  });
}

/** A model violation: the request (or the stand-in's answer) is off the API model. */
export class ModelViolation extends Error {}

export class RdsFake extends RdsState {
  readonly mock = mockClient(RDSClient);
  /** Requests refused because they were off the model, with the problems found. */
  readonly rejected: { readonly command: string; readonly problems: readonly string[] }[] = [];

  constructor() {
    super();
    for (const name of Object.keys(classes)) {
      if (!name.endsWith('Command')) continue;
      const command = name.slice(0, -'Command'.length);
      if (!this.handles(command)) continue;
      const operation = classes[`${command}$`] as unknown[];
      this.mock.on(classes[name] as never).callsFake(async (input: Record<string, unknown>) => {
        const problems = checkAgainstModel(input, operation);
        if (problems.length > 0) {
          this.rejected.push({ command, problems });
          throw new ModelViolation(`${command}: ${problems.join('; ')}`);
        }
        let output: Record<string, unknown>;
        try {
          output = await this.handle(command, { ...input });
        } catch (error) {
          throw error instanceof RdsFault ? sdkError(error) : error;
        }
        const outputProblems = checkAgainstModel(output, operation[5]);
        if (outputProblems.length > 0) throw new ModelViolation(`${command} answer: ${outputProblems.join('; ')}`);
        return output;
      });
    }
  }

  restore(): void {
    this.mock.restore();
  }
}
