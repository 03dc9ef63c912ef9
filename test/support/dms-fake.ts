// A stateful fake of AWS DMS behind aws-sdk-client-mock, for unit tests: the real SDK client and command
// classes over the shared stand-in state (test/support/dms-state.ts: resources, transitions, paging),
// with time passing one step per Describe call (no wall clock). Errors have the SDK's own classes and
// shapes: ResourceAlreadyExistsFault, ResourceNotFoundFault, InvalidResourceStateFault, AccessDeniedFault,
// and a ThrottlingException as the service sends it.
// A CDC task's slot: `onCdcStart` is awaited inside StartReplicationTask (tests create a real slot
// there), which is simpler than DMS. For DMS as it really behaves on the source (the slot made
// asynchronously, with a generated name, advanced while the task runs), use the HTTP stand-in
// (test/support/dms-http.ts).

import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import * as dmsSdk from '@aws-sdk/client-database-migration-service';
import {
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
} from '@aws-sdk/client-database-migration-service';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DmsFault, DmsState, type StateTask } from './dms-state.js';

const meta = (status: number) => ({
  httpStatusCode: status,
  requestId: 'fake-request',
  attempts: 1,
  totalRetryDelay: 0,
});

export function throttling(): Error {
  return new DatabaseMigrationServiceServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: meta(400),
    message: 'Rate exceeded',
  });
}

/** A stand-in fault as the SDK would raise it: its modelled exception class when it has one. */
function sdkError(fault: DmsFault): Error {
  const classes = dmsSdk as unknown as Record<string, unknown>;
  const Modelled = classes[fault.code];
  if (typeof Modelled === 'function' && fault.code.endsWith('Fault')) {
    const Class = Modelled as new (options: object) => Error;
    return new Class({ message: fault.message, $metadata: meta(fault.status) });
  }
  return new DatabaseMigrationServiceServiceException({
    name: fault.code,
    $fault: 'client',
    $metadata: meta(fault.status),
    message: fault.message,
  });
}

/** The commands the stand-in answers, by their SDK class. */
function commandClasses(state: DmsState): [string, unknown][] {
  const classes = dmsSdk as unknown as Record<string, unknown>;
  return Object.keys(classes)
    .filter((name) => name.endsWith('Command') && state.handles(name.slice(0, -'Command'.length)))
    .map((name) => [name.slice(0, -'Command'.length), classes[name]]);
}

export type FakeTask = StateTask;

export class DmsFake extends DmsState {
  readonly mock = mockClient(DatabaseMigrationServiceClient);
  /** CloudWatch too, so no test reaches AWS: no datapoints unless a test puts some (cloudwatch.put). */
  readonly cloudwatchMock = mockClient(CloudWatchClient);

  constructor() {
    super({ clock: 'describe' });
    this.cloudwatch.latency = null;
    const cloudwatchCall = (call: () => unknown) => {
      try {
        return call();
      } catch (error) {
        if (!(error instanceof DmsFault)) throw error;
        throw new CloudWatchServiceException({
          name: error.code,
          $fault: 'client',
          $metadata: meta(error.status),
          message: error.message,
        });
      }
    };
    this.cloudwatchMock
      .on(GetMetricDataCommand)
      .callsFake(async (input: Record<string, unknown>) =>
        cloudwatchCall(() => this.cloudwatch.getMetricData({ ...input })),
      );
    this.cloudwatchMock
      .on(ListMetricsCommand)
      .callsFake(async (input: Record<string, unknown>) =>
        cloudwatchCall(() => this.cloudwatch.listMetrics({ ...input })),
      );
    for (const [command, Class] of commandClasses(this)) {
      this.mock.on(Class as never).callsFake(async (input: Record<string, unknown>) => {
        try {
          return await this.handle(command, { ...input });
        } catch (error) {
          throw error instanceof DmsFault ? sdkError(error) : error;
        }
      });
    }
  }

  restore(): void {
    this.mock.restore();
    this.cloudwatchMock.restore();
  }
}

/** SSM Parameter Store behind aws-sdk-client-mock: GetParameter over a fixed map. */
export function ssmFake(parameters: Readonly<Record<string, string>>) {
  const mock = mockClient(SSMClient);
  const reads: string[] = [];
  mock.on(GetParameterCommand).callsFake((input) => {
    const name = String(input.Name);
    reads.push(name);
    const value = parameters[name];
    if (value === undefined) {
      throw new ParameterNotFound({ message: `Parameter ${name} not found.`, $metadata: meta(400) });
    }
    return { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } };
  });
  return { mock, reads, restore: () => mock.restore() };
}
