// An HTTP-level stand-in for AWS DMS (and the SSM GetParameter the executor reads secrets with), for
// end-to-end tests: the real SDK clients reach it through the executor's --dms-endpoint/--ssm-endpoint
// options, over the service's own protocol (awsJson1_1: POST /, X-Amz-Target
// AmazonDMSv20160101.<Operation> or AmazonSSM.<Operation>, SigV4-signed, epoch-second timestamps).
//
// - Strict: every request is checked against the API model the SDK ships (test/support/aws-model.ts:
//   unknown members, missing required members, wrong types are refused with a ValidationException and
//   kept in `rejected`), and so is every answer before it is sent (a stand-in bug is a 500, not a quiet
//   pass). An unsigned request is refused as AWS refuses it.
// - Stateful: test/support/dms-state.ts (the same state the aws-sdk-client-mock fake uses) with time
//   passing on the wall clock: a resource takes its next step after `stepMs` in its state, whether or
//   not anyone describes it; ARNs as DMS forms them; Describe* paging with MaxRecords and Marker.
// - Real errors: ResourceNotFoundFault, ResourceAlreadyExistsFault, InvalidResourceStateFault,
//   AccessDeniedFault, ThrottlingException (the SDK retries it, as it would against AWS), with the
//   service's wire shape ({"__type", "message"}, X-Amzn-ErrorType). Inject with `state.failNext(op,
//   fault, times)`, and a failed task with `state.failTask(id, message)`.
// - DMS Serverless too (test/support/dms-serverless-state.ts): replication configs and replications with
//   their provisioning states; a CDC replication makes its slot on the source like a task.
// - DMS on a real source (test/support/dms-source.ts): a CDC task makes its own logical slot
//   asynchronously shortly after it starts running, with a generated name, advances it while it runs,
//   fails if it disappears, and never drops anything.
// - CloudWatch's GetMetricData and ListMetrics (awsJson1_0, X-Amz-Target GraniteServiceVersion20100801.*,
//   for --cloudwatch-endpoint) over the state's AWS/DMS metrics (test/support/cloudwatch-state.ts): DMS
//   publishes CDCLatencySource/Target once a minute while a task or Serverless replication runs CDC; inject CloudWatch's errors with
//   `state.cloudwatch.failNext`, or stop the datapoints with `state.cloudwatch.latency = null`.
// Nothing here reaches AWS: the endpoint is 127.0.0.1 on a free port, the credentials are made up.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import * as dmsSdk from '@aws-sdk/client-database-migration-service';
import * as ssmSdk from '@aws-sdk/client-ssm';
import { checkAgainstModel } from './aws-model.js';
import { DmsSourceSide, type SourceCluster } from './dms-source.js';
import { DmsFault, DmsState } from './dms-state.js';

export interface DmsStandInOptions {
  /** The source cluster DMS reads (slots are made and consumed there); none: no source side. */
  readonly source?: SourceCluster;
  /** Time a resource spends in each transitional state (default 40 ms). */
  readonly stepMs?: number;
  /** How long after a CDC task runs DMS makes its slot (default 150 ms). */
  readonly slotDelayMs?: number;
  /** SSM parameters GetParameter answers. */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface DmsStandIn {
  /** The endpoint URL for --dms-endpoint, --ssm-endpoint and --cloudwatch-endpoint. */
  readonly url: string;
  readonly state: DmsState;
  readonly sourceSide: DmsSourceSide | null;
  /** Environment the SDK needs to sign requests (made-up credentials, no instance metadata lookups). */
  readonly env: Readonly<Record<string, string>>;
  /** Requests refused as malformed by the model check, with why. */
  readonly rejected: { readonly operation: string; readonly problems: readonly string[] }[];
  /** SSM parameter names read. */
  readonly reads: string[];
  /** Waits until the source side has made a slot for every running CDC task (tests use it to sync). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const models = {
  AmazonDMSv20160101: dmsSdk as unknown as Record<string, unknown>,
  AmazonSSM: ssmSdk as unknown as Record<string, unknown>,
  GraniteServiceVersion20100801: cloudwatchSdk as unknown as Record<string, unknown>,
} as const;

const signingNames = {
  AmazonDMSv20160101: 'dms',
  AmazonSSM: 'ssm',
  GraniteServiceVersion20100801: 'monitoring',
} as const;

/** Epoch seconds for Dates, recursively (the awsJson wire format); undefined members dropped. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toWire(item);
    return out;
  }
  return value;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, payload: unknown, errorType?: string, json = '1.1'): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': `application/x-amz-json-${json}`,
    'x-amzn-requestid': `standin-${Date.now().toString(36)}`,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendFault(response: ServerResponse, code: string, message: string, status = 400): void {
  send(response, status, { __type: code, message }, code);
}

export async function startDmsStandIn(options: DmsStandInOptions = {}): Promise<DmsStandIn> {
  const state = new DmsState({ clock: { stepMs: options.stepMs ?? 40 } });
  const sourceSide = options.source
    ? new DmsSourceSide(state, options.source, { slotDelayMs: options.slotDelayMs ?? 150 })
    : null;
  const rejected: { operation: string; problems: string[] }[] = [];
  const reads: string[] = [];
  const parameters = options.parameters ?? {};

  const ssm = (operation: string, input: Record<string, unknown>): Record<string, unknown> => {
    if (operation !== 'GetParameter')
      throw new DmsFault('UnknownOperationException', `the SSM stand-in does not answer ${operation}`);
    const name = String(input.Name);
    reads.push(name);
    const value = parameters[name];
    if (value === undefined) throw new DmsFault('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } };
  };

  const cloudwatch = (operation: string, input: Record<string, unknown>): Record<string, unknown> => {
    if (operation === 'GetMetricData') return state.cloudwatch.getMetricData(input);
    if (operation === 'ListMetrics') return state.cloudwatch.listMetrics(input);
    throw new DmsFault('UnknownOperationException', `the CloudWatch stand-in does not answer ${operation}`);
  };

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const [service, operation = ''] = target.split('.') as [keyof typeof models, string];
    const text = await body(request);
    if (request.method !== 'POST' || request.url !== '/' || !(service in models)) {
      sendFault(response, 'UnknownOperationException', `no such operation: ${request.method} ${request.url} ${target}`);
      return;
    }
    const auth = String(request.headers.authorization ?? '');
    if (!auth.startsWith('AWS4-HMAC-SHA256 Credential=') || !auth.includes(`/${signingNames[service]}/aws4_request`)) {
      sendFault(response, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      return;
    }
    const schema = models[service][`${operation}$`];
    if (!Array.isArray(schema) || schema[0] !== 9) {
      sendFault(response, 'UnknownOperationException', `${service} has no operation ${operation}`);
      return;
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>;
    } catch {
      sendFault(response, 'SerializationException', 'the request body is not JSON');
      return;
    }
    const problems = checkAgainstModel(input, schema, '$', { wire: true });
    if (problems.length > 0) {
      rejected.push({ operation, problems });
      sendFault(response, 'ValidationException', `${operation}: ${problems.join('; ')}`);
      return;
    }
    try {
      const output =
        service === 'AmazonSSM'
          ? ssm(operation, input)
          : service === 'GraniteServiceVersion20100801'
            ? toWire(cloudwatch(operation, input))
            : toWire(await state.handle(operation, input));
      const outputProblems = checkAgainstModel(output, schema[5], '$', { wire: true });
      if (outputProblems.length > 0) {
        sendFault(response, 'InternalFailure', `stand-in answer off the model: ${outputProblems.join('; ')}`, 500);
        return;
      }
      send(response, 200, output);
    } catch (error) {
      if (error instanceof DmsFault) sendFault(response, error.code, error.message, error.status);
      else if (error instanceof Error && error.name !== 'Error') {
        // An SDK-shaped error a test queued (e.g. throttling() from dms-fake.ts).
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 400;
        sendFault(response, error.name, error.message, status);
      } else sendFault(response, 'InternalFailure', String(error), 500);
    }
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => sendFault(response, 'InternalFailure', String(error), 500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  // DMS works on its own: the clock ticks and the source side acts without anyone asking.
  let ticking: Promise<void> = Promise.resolve();
  let closed = false;
  const timer = setInterval(() => {
    ticking = ticking
      .then(async () => {
        if (closed) return;
        state.tick();
        await sourceSide?.tick();
      })
      .catch(() => undefined);
  }, 20);

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    sourceSide,
    env: {
      AWS_ACCESS_KEY_ID: 'AKIASTANDIN000000000',
      AWS_SECRET_ACCESS_KEY: 'standin-secret-not-a-real-key',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    rejected,
    reads,
    async settle() {
      for (let i = 0; i < 500; i += 1) {
        const waiting = state
          .replicators()
          .some(
            (task) => task.migrationType !== 'full-load' && task.status === 'running' && task.slotName === undefined,
          );
        if (!waiting) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the DMS stand-in made no slot for a running CDC task within 10 s');
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await ticking;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
