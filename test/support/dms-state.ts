// The state of a stand-in AWS DMS, shared by the two ways tests reach it: test/support/dms-fake.ts (the
// real SDK client behind aws-sdk-client-mock, for unit tests) and test/support/dms-http.ts (a local HTTP
// endpoint the real SDK client reaches through --dms-endpoint, for end-to-end runs). One command table,
// one set of resources, one set of transitions:
//   instance  creating → available; modifying → available; deleting → gone
//   endpoint  active; deleting → gone;  TestConnection: testing → successful | failed
//   task      creating → ready → (start) starting → running → full load 50% → 100% →
//             stopped (FULL_LOAD_ONLY_FINISHED) for full-load tasks, still running for CDC tasks;
//             stopping → stopped; deleting → gone; failed (injected, or what the source side reports)
//             ModifyReplicationTask (only when not running/starting/stopping): modifying → back to
//             ready (never started) or stopped
//   endpoint  ModifyEndpoint: refused while a task using it runs (the executor stops tasks first)
// How time passes is the caller's choice: `clock: 'describe'` takes one step per Describe call of the
// resource (deterministic, no wall clock: the unit-test fake); `clock: { stepMs }` takes a step when the
// resource has been in its state for stepMs (the HTTP stand-in, which also ticks on its own).
// Errors are `DmsFault`s named as the service names them (ResourceNotFoundFault, ResourceAlreadyExistsFault,
// InvalidResourceStateFault, AccessDeniedFault, ThrottlingException, InvalidParameterValueException);
// each front end turns them into what its client sees. Describe* pages with MaxRecords and Marker.
// Longer than ~400 lines on purpose: the instance, endpoint and task transitions interlock (an endpoint
// cannot be modified while a task using it runs, a task's slot follows its state), so they stay in one
// table; Serverless replications, assessments and CloudWatch already live in their own modules.

import { createHash } from 'node:crypto';
import { CloudWatchMetrics } from './cloudwatch-state.js';
import { AssessmentRuns } from './dms-assessments.js';
import { ServerlessReplications } from './dms-serverless-state.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** An error as the service returns it: its code (the SDK's exception name) and message. */
export class DmsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const notFound = (message: string) => new DmsFault('ResourceNotFoundFault', message);
export const alreadyExists = (message: string) => new DmsFault('ResourceAlreadyExistsFault', message);
export const invalidState = (message: string) => new DmsFault('InvalidResourceStateFault', message);
export const accessDenied = (message = 'User is not authorized to perform this action') =>
  new DmsFault('AccessDeniedFault', message);
export const throttled = () => new DmsFault('ThrottlingException', 'Rate exceeded');

type Json = Record<string, unknown>;

export interface StateInstance {
  arn: string;
  id: string;
  status: 'creating' | 'available' | 'deleting' | 'modifying' | 'failed';
  changedAt: number;
  request: Json;
}

export interface StateEndpoint {
  arn: string;
  id: string;
  status: 'active' | 'deleting';
  type: string;
  changedAt: number;
  request: Json;
}

export interface StateTask {
  arn: string;
  id: string;
  status: string;
  migrationType: string;
  changedAt: number;
  createdAt: Date;
  stopReason?: string;
  startDate?: Date;
  /** When the task last became running (ms, the state's clock). */
  runningSince?: number;
  progress: number;
  failure?: string;
  failNext?: string;
  /** Where a modification settles: ready (never started) or stopped. */
  afterModify?: string;
  request: Json;
  startTypes: string[];
  /** The logical slot DMS made (or was told to use) on the source, once it has one. */
  slotName?: string;
}

export type StateCall = { readonly command: string; readonly input: Json };

export type Clock = 'describe' | { readonly stepMs: number; readonly now?: () => number };

interface Filter {
  Name?: string;
  Values?: string[];
}

function filterValues(filters: unknown, name: string): string[] | undefined {
  return (filters as Filter[] | undefined)?.find((filter) => filter.Name === name)?.Values;
}

const TRANSITIONAL_TASK = ['creating', 'starting', 'running', 'modifying', 'stopping', 'deleting'];

export class DmsState {
  readonly instances = new Map<string, StateInstance>();
  readonly endpoints = new Map<string, StateEndpoint>();
  readonly tasks = new Map<string, StateTask>();
  /** Imported certificates by identifier: ARN and PEM. */
  readonly certificates = new Map<string, { arn: string; id: string; pem: string }>();
  readonly connections = new Map<string, { status: string; message?: string; changedAt: number }>();
  readonly tags = new Map<string, { Key?: string; Value?: string }[]>();
  readonly calls: StateCall[] = [];
  /** Errors to throw on the next calls of a command, in order. */
  readonly faults = new Map<string, unknown[]>();
  /** Endpoint identifiers whose connection test fails. */
  readonly failingConnections = new Map<string, string>();
  /** Per task, table names for DescribeTableStatistics. */
  tables: readonly string[] = ['public.customers', 'public.orders'];
  /** Task id → a state DMS keeps it in once there (a start that never gets past starting, a stop that hangs). */
  readonly stuckTasks = new Map<string, string>();
  /** Full-load percent a running task gains per step (tests slow a load down to watch a wait on it). */
  fullLoadStep = 50;
  /**
   * Instances whose deletion DMS accepts and then does not carry out: the next step shows them in the
   * given status instead of gone.
   */
  readonly abandonedDeletes = new Map<string, string>();
  /** Items per Describe* page when the request names no MaxRecords (DMS's default is 100). */
  pageSize = 100;
  /** Successful creations per command: what "creates nothing twice" is measured by. */
  readonly created = new Map<string, number>();
  /**
   * Called (and awaited) when a CDC task is first started, before the start returns: the unit-test fake
   * uses it to create a real slot synchronously; a rejection fails the StartReplicationTask call. The
   * HTTP stand-in leaves it unset and creates the slot later, as DMS does.
   */
  onCdcStart: ((task: { id: string; slotName: string }) => Promise<void>) | null = null;
  /** DMS's CloudWatch metrics (AWS/DMS): published while a task runs CDC on the wall clock (tick). */
  readonly cloudwatch = new CloudWatchMetrics(() => this.now());
  /** DMS Serverless: replication configs and their replications (test/support/dms-serverless-state.ts). */
  readonly serverless: ServerlessReplications = new ServerlessReplications(this, {
    arn: (kind) => this.#arn(kind),
    due: (changedAt) => this.#due(changedAt),
    page: (items, input, range) => this.#page(items, input, range),
    created: (command) => this.#created(command),
  });
  #seq = 0;
  readonly #clock: Clock;
  readonly #failOnCreate = new Map<string, string>();

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? 'describe';
  }

  now(): number {
    return this.#clock === 'describe' ? 0 : (this.#clock.now ?? Date.now)();
  }

  /** Throw `error` on the next `times` calls of `command` (e.g. 'CreateReplicationTask'). */
  failNext(command: string, error: unknown, times = 1): void {
    const list = this.faults.get(command) ?? [];
    for (let i = 0; i < times; i += 1) list.push(error);
    this.faults.set(command, list);
  }

  /**
   * The task fails (status failed, LastFailureMessage) on its next step while it runs; for a task not
   * created yet, on the first step after it starts running.
   */
  failTask(id: string, message: string): void {
    const task = this.tasks.get(id);
    if (task) task.failNext = message;
    else this.#failOnCreate.set(id, message);
  }

  count(command: string): number {
    return this.calls.filter((call) => call.command === command).length;
  }

  /** The slot name a unit-test fake uses for a task: long, lower-case, opaque. */
  static slotNameFor(id: string): string {
    return `${id.replace(/[^a-z0-9]/g, '')}_00000001_dmsfake_6v54_32ut`.slice(0, 63);
  }

  /**
   * A slot name shaped like the ones DMS generates (the UG's sample:
   * abc1d2efghijk_34567890_z0yx98w7_6v54_32ut_1srq_1a2b34c5d67ef): opaque, 61 characters, no prefix a
   * tool could recognise. Deterministic per task and start, so runs are reproducible.
   */
  static generatedSlotName(task: { arn: string; startTypes: readonly string[] }): string {
    const h = createHash('sha256').update(`${task.arn}#${task.startTypes.length}`).digest('hex');
    const digits = String(Number.parseInt(h.slice(13, 21), 16))
      .padStart(8, '0')
      .slice(-8);
    return [h.slice(0, 13), digits, h.slice(21, 29), h.slice(29, 33), h.slice(33, 37), h.slice(37, 41), h.slice(41, 54)]
      .join('_')
      .replace(/^[0-9]/, 'a');
  }

  /** The database a task reads: its source endpoint's DatabaseName. */
  sourceDatabaseOf(task: StateTask): string | undefined {
    const endpoint = [...this.endpoints.values()].find((item) => item.arn === task.request.SourceEndpointArn);
    const settings = endpoint?.request.PostgreSQLSettings as Json | undefined;
    return (settings?.DatabaseName ?? endpoint?.request.DatabaseName) as string | undefined;
  }

  /** The SlotName the task's source endpoint names (DMS then uses that slot instead of making one). */
  namedSlotOf(task: StateTask): string | undefined {
    const endpoint = [...this.endpoints.values()].find((item) => item.arn === task.request.SourceEndpointArn);
    return (endpoint?.request.PostgreSQLSettings as Json | undefined)?.SlotName as string | undefined;
  }

  #created(command: string): void {
    this.created.set(command, (this.created.get(command) ?? 0) + 1);
  }

  #arn(kind: string): string {
    this.#seq += 1;
    return `arn:aws:dms:${REGION}:${ACCOUNT}:${kind}:FAKE${String(this.#seq).padStart(6, '0')}`;
  }

  #record(command: string, input: Json): void {
    this.calls.push({ command, input });
    const fault = this.faults.get(command)?.shift();
    if (fault) throw fault;
  }

  /** Whether a resource that last changed at `changedAt` takes its next step now. */
  #due(changedAt: number): boolean {
    return this.#clock === 'describe' || this.now() - changedAt >= this.#clock.stepMs;
  }

  /** Everything that replicates and may make a slot: tasks on instances and Serverless replications. */
  replicators(): StateTask[] {
    return [...this.tasks.values(), ...this.serverless.replications.values()];
  }

  /** Time passing without anyone asking (the HTTP stand-in's own timer): every due step is taken. */
  tick(): void {
    if (this.#clock === 'describe') return;
    this.serverless.tick();
    for (const item of [...this.instances.values()]) if (this.#due(item.changedAt)) this.#advanceInstance(item);
    for (const item of [...this.endpoints.values()])
      if (item.status === 'deleting' && this.#due(item.changedAt)) this.endpoints.delete(item.id);
    for (const item of [...this.tasks.values()])
      if (TRANSITIONAL_TASK.includes(item.status) && this.#due(item.changedAt)) this.#advanceTask(item);
    for (const [key, connection] of this.connections)
      if (connection.status === 'testing' && this.#due(connection.changedAt)) this.#settleConnection(key, connection);
    for (const task of this.tasks.values()) {
      // DMS publishes CDC latency once it captures changes, i.e. once the task's slot is there.
      if (task.status !== 'running' || task.migrationType === 'full-load' || task.slotName === undefined) continue;
      const instance = [...this.instances.values()].find((item) => item.arn === task.request.ReplicationInstanceArn);
      if (instance)
        this.cloudwatch.publishFor(instance.id, task.arn.slice(task.arn.lastIndexOf(':') + 1), new Date(this.now()));
    }
    for (const replication of this.serverless.replications.values())
      if (replication.status === 'running' && replication.migrationType !== 'full-load' && replication.slotName)
        this.cloudwatch.publishForReplication(replication.arn, new Date(this.now()));
  }

  /** Describe* paging: MaxRecords (20–100, default `pageSize`) items per page, Marker to continue. */
  #page<T>(
    items: readonly T[],
    input: Json,
    range: readonly [number, number] = [20, 100],
  ): { page: T[]; marker?: string } {
    const max = input.MaxRecords === undefined ? this.pageSize : Number(input.MaxRecords);
    if (input.MaxRecords !== undefined && (!Number.isInteger(max) || max < range[0] || max > range[1])) {
      throw new DmsFault(
        'InvalidParameterValueException',
        `MaxRecords must be between ${range[0]} and ${range[1]}, was ${String(input.MaxRecords)}`,
      );
    }
    let offset = 0;
    if (input.Marker !== undefined) {
      const decoded = /^page-(\d+)$/.exec(String(input.Marker));
      if (!decoded) throw new DmsFault('InvalidParameterValueException', `Invalid marker ${String(input.Marker)}`);
      offset = Number(decoded[1]);
    }
    const page = items.slice(offset, offset + max);
    const next = offset + max < items.length ? `page-${offset + max}` : undefined;
    return next === undefined ? { page } : { page, marker: next };
  }

  readonly #commands: Record<string, (input: Json) => Json | Promise<Json>> = {
    ImportCertificate: (input) => {
      const id = String(input.CertificateIdentifier);
      if (this.certificates.has(id)) throw alreadyExists(`Certificate ${id} already exists`);
      if (!String(input.CertificatePem ?? '').includes('-----BEGIN CERTIFICATE-----'))
        throw new DmsFault('InvalidCertificateFault', 'The certificate is not a valid PEM certificate');
      const certificate = { arn: this.#arn('cert'), id, pem: String(input.CertificatePem) };
      this.certificates.set(id, certificate);
      this.#created('ImportCertificate');
      this.tags.set(certificate.arn, (input.Tags as never) ?? []);
      return { Certificate: { CertificateArn: certificate.arn, CertificateIdentifier: id } };
    },
    DescribeCertificates: (input) => {
      const ids = filterValues(input.Filters, 'certificate-id');
      const found = [...this.certificates.values()].filter((item) => !ids || ids.includes(item.id));
      if (found.length === 0) throw notFound('No certificates found matching provided filters');
      const { page, marker } = this.#page(found, input, [10, 1000]);
      return {
        Certificates: page.map((item) => ({ CertificateArn: item.arn, CertificateIdentifier: item.id })),
        Marker: marker,
      };
    },
    DeleteCertificate: (input) => {
      const certificate = [...this.certificates.values()].find((item) => item.arn === input.CertificateArn);
      if (!certificate) throw notFound(`Certificate ${input.CertificateArn} not found`);
      const users = [...this.endpoints.values()].filter((item) => item.request.CertificateArn === certificate.arn);
      if (users.length > 0) throw invalidState(`Certificate ${certificate.id} is used by endpoint ${users[0]!.id}`);
      this.certificates.delete(certificate.id);
      return { Certificate: { CertificateArn: certificate.arn, CertificateIdentifier: certificate.id } };
    },
    CreateReplicationInstance: (input) => {
      const id = String(input.ReplicationInstanceIdentifier).toLowerCase();
      if (this.instances.has(id)) throw alreadyExists(`Replication instance ${id} already exists`);
      const instance: StateInstance = {
        arn: this.#arn('rep'),
        id,
        status: 'creating',
        changedAt: this.now(),
        request: { ...input },
      };
      this.instances.set(id, instance);
      this.#created('CreateReplicationInstance');
      this.tags.set(instance.arn, (input.Tags as never) ?? []);
      return { ReplicationInstance: this.#instanceView(instance) };
    },
    DescribeReplicationInstances: (input) => {
      const ids = filterValues(input.Filters, 'replication-instance-id');
      const found = [...this.instances.values()].filter((item) => !ids || ids.includes(item.id));
      for (const item of found) if (this.#due(item.changedAt)) this.#advanceInstance(item);
      const visible = found.filter((item) => this.instances.has(item.id));
      if (visible.length === 0) throw notFound('No replication instances found matching provided filters');
      const { page, marker } = this.#page(visible, input);
      return { ReplicationInstances: page.map((item) => this.#instanceView(item)), Marker: marker };
    },
    DeleteReplicationInstance: (input) => {
      const instance = [...this.instances.values()].find((item) => item.arn === input.ReplicationInstanceArn);
      if (!instance) throw notFound(`Replication instance ${input.ReplicationInstanceArn} not found`);
      const users = [...this.tasks.values()].filter((task) => task.request.ReplicationInstanceArn === instance.arn);
      if (users.length > 0) throw invalidState(`Replication instance ${instance.id} has replication tasks`);
      this.#set(instance, 'deleting');
      return { ReplicationInstance: this.#instanceView(instance) };
    },
    CreateEndpoint: (input) => {
      const id = String(input.EndpointIdentifier).toLowerCase();
      if (this.endpoints.has(id)) throw alreadyExists(`Endpoint ${id} already exists`);
      const endpoint: StateEndpoint = {
        arn: this.#arn('endpoint'),
        id,
        status: 'active',
        type: String(input.EndpointType).toLowerCase(),
        changedAt: this.now(),
        request: { ...input },
      };
      this.endpoints.set(id, endpoint);
      this.#created('CreateEndpoint');
      this.tags.set(endpoint.arn, (input.Tags as never) ?? []);
      return { Endpoint: this.#endpointView(endpoint) };
    },
    DescribeEndpoints: (input) => {
      const ids = filterValues(input.Filters, 'endpoint-id');
      const found = [...this.endpoints.values()].filter((item) => !ids || ids.includes(item.id));
      for (const item of found)
        if (item.status === 'deleting' && this.#due(item.changedAt)) this.endpoints.delete(item.id);
      const visible = found.filter((item) => this.endpoints.has(item.id));
      if (visible.length === 0) throw notFound('No Endpoints found matching provided filters');
      const { page, marker } = this.#page(visible, input);
      return { Endpoints: page.map((item) => this.#endpointView(item)), Marker: marker };
    },
    DeleteEndpoint: (input) => {
      const endpoint = [...this.endpoints.values()].find((item) => item.arn === input.EndpointArn);
      if (!endpoint) throw notFound(`Endpoint ${input.EndpointArn} not found`);
      const users = this.replicators().filter(
        (task) => task.request.SourceEndpointArn === endpoint.arn || task.request.TargetEndpointArn === endpoint.arn,
      );
      if (users.length > 0)
        throw invalidState(
          `Endpoint ${endpoint.id} is used by ${this.tasks.has(users[0]!.id) ? 'replication tasks' : `replication config ${users[0]!.id}`}`,
        );
      this.#set(endpoint, 'deleting');
      return { Endpoint: this.#endpointView(endpoint) };
    },
    TestConnection: (input) => {
      const key = `${input.ReplicationInstanceArn}|${input.EndpointArn}`;
      const instance = [...this.instances.values()].find((item) => item.arn === input.ReplicationInstanceArn);
      if (!instance) throw notFound('Replication instance not found');
      if (instance.status !== 'available') throw invalidState(`Replication instance ${instance.id} is not available`);
      if (![...this.endpoints.values()].some((item) => item.arn === input.EndpointArn))
        throw notFound(`Endpoint ${input.EndpointArn} not found`);
      if (this.connections.get(key)?.status === 'testing') throw invalidState('A connection test is already running');
      this.connections.set(key, { status: 'testing', changedAt: this.now() });
      return {
        Connection: {
          Status: 'testing',
          EndpointArn: input.EndpointArn,
          ReplicationInstanceArn: input.ReplicationInstanceArn,
        },
      };
    },
    DescribeConnections: (input) => {
      const endpointArn = filterValues(input.Filters, 'endpoint-arn')?.[0];
      const instanceArn = filterValues(input.Filters, 'replication-instance-arn')?.[0];
      const key = `${instanceArn}|${endpointArn}`;
      const connection = this.connections.get(key);
      if (!connection) throw notFound('No connections found matching provided filters');
      if (connection.status === 'testing' && this.#due(connection.changedAt)) this.#settleConnection(key, connection);
      const endpoint = [...this.endpoints.values()].find((item) => item.arn === endpointArn);
      const { page, marker } = this.#page(
        [
          {
            EndpointArn: endpointArn,
            EndpointIdentifier: endpoint?.id,
            ReplicationInstanceArn: instanceArn,
            ReplicationInstanceIdentifier: [...this.instances.values()].find((item) => item.arn === instanceArn)?.id,
            Status: connection.status,
            LastFailureMessage: connection.message,
          },
        ],
        input,
      );
      return { Connections: page, Marker: marker };
    },
    CreateReplicationTask: (input) => {
      const id = String(input.ReplicationTaskIdentifier).toLowerCase();
      if (this.tasks.has(id)) throw alreadyExists(`Replication task ${id} already exists`);
      for (const key of ['SourceEndpointArn', 'TargetEndpointArn'] as const) {
        if (![...this.endpoints.values()].some((item) => item.arn === input[key]))
          throw notFound(`${key} ${String(input[key])} not found`);
      }
      if (![...this.instances.values()].some((item) => item.arn === input.ReplicationInstanceArn))
        throw notFound(`Replication instance ${String(input.ReplicationInstanceArn)} not found`);
      if (typeof input.TableMappings !== 'string') throw invalidState('TableMappings must be a JSON string');
      const task: StateTask = {
        arn: this.#arn('task'),
        id,
        status: 'creating',
        migrationType: String(input.MigrationType),
        changedAt: this.now(),
        createdAt: new Date(Date.UTC(2026, 0, 1)),
        progress: 0,
        request: { ...input },
        startTypes: [],
        failNext: this.#failOnCreate.get(id),
      };
      this.#failOnCreate.delete(id);
      this.tasks.set(id, task);
      this.#created('CreateReplicationTask');
      this.tags.set(task.arn, (input.Tags as never) ?? []);
      return { ReplicationTask: this.#taskView(task) };
    },
    DescribeReplicationTasks: (input) => {
      const ids = filterValues(input.Filters, 'replication-task-id');
      const arns = filterValues(input.Filters, 'replication-task-arn');
      const endpointArns = filterValues(input.Filters, 'endpoint-arn');
      const instanceArns = filterValues(input.Filters, 'replication-instance-arn');
      const found = [...this.tasks.values()].filter(
        (item) =>
          (!ids || ids.includes(item.id)) &&
          (!arns || arns.includes(item.arn)) &&
          (!instanceArns || instanceArns.includes(String(item.request.ReplicationInstanceArn))) &&
          (!endpointArns ||
            endpointArns.includes(String(item.request.SourceEndpointArn)) ||
            endpointArns.includes(String(item.request.TargetEndpointArn))),
      );
      for (const item of found) if (this.#due(item.changedAt)) this.#advanceTask(item);
      const visible = found.filter((item) => this.tasks.has(item.id));
      if (visible.length === 0) throw notFound('No Tasks found matching provided filters');
      const { page, marker } = this.#page(visible, input);
      return { ReplicationTasks: page.map((item) => this.#taskView(item)), Marker: marker };
    },
    StartReplicationTask: async (input) => {
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      const type = String(input.StartReplicationTaskType);
      const neverStarted = task.startDate === undefined;
      if (['running', 'starting', 'creating', 'modifying', 'stopping', 'deleting'].includes(task.status)) {
        throw invalidState(`Replication task ${task.id} is in state ${task.status}`);
      }
      if (type === 'start-replication' && !neverStarted) {
        throw invalidState(
          'Start type start-replication is only valid for the first run of a task; use resume-processing or reload-target',
        );
      }
      if (type === 'resume-processing' && neverStarted) {
        throw invalidState('Task has never been started; use start-replication');
      }
      if (type === 'start-replication' && task.migrationType !== 'full-load' && this.onCdcStart) {
        const slotName = DmsState.slotNameFor(task.id);
        await this.onCdcStart({ id: task.id, slotName });
        task.slotName = slotName;
      }
      task.startTypes.push(type);
      this.#set(task, 'starting');
      task.startDate = task.startDate ?? new Date(Date.UTC(2026, 0, 1));
      task.stopReason = undefined;
      task.failure = undefined;
      return { ReplicationTask: this.#taskView(task) };
    },
    StopReplicationTask: (input) => {
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (task.status !== 'running' && task.status !== 'starting') {
        throw invalidState(`Replication task ${task.id} is not running (${task.status})`);
      }
      this.#set(task, 'stopping');
      return { ReplicationTask: this.#taskView(task) };
    },
    DeleteReplicationTask: (input) => {
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (task.status === 'running' || task.status === 'starting' || task.status === 'stopping') {
        throw invalidState(`Replication task ${task.id} is ${task.status}; stop it first`);
      }
      this.#set(task, 'deleting');
      return { ReplicationTask: this.#taskView(task) };
    },
    ModifyReplicationTask: (input) => {
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (!['ready', 'stopped', 'failed'].includes(task.status)) {
        throw invalidState(`Replication task ${task.id} is ${task.status}; it must be stopped to be modified`);
      }
      const { ReplicationTaskArn: _arn, ...change } = input;
      for (const [key, value] of Object.entries(change)) if (value !== undefined) task.request[key] = value;
      if (input.MigrationType !== undefined) task.migrationType = String(input.MigrationType);
      task.afterModify = task.startDate === undefined ? 'ready' : 'stopped';
      this.#set(task, 'modifying');
      return { ReplicationTask: this.#taskView(task) };
    },
    ModifyEndpoint: (input) => {
      const endpoint = [...this.endpoints.values()].find((item) => item.arn === input.EndpointArn);
      if (!endpoint) throw notFound(`Endpoint ${input.EndpointArn} not found`);
      const busy = this.replicators().filter(
        (task) =>
          (task.request.SourceEndpointArn === endpoint.arn || task.request.TargetEndpointArn === endpoint.arn) &&
          !['ready', 'created', 'stopped', 'failed', 'creating', 'modifying', 'deleting'].includes(task.status),
      );
      if (busy.length > 0) throw invalidState(`Endpoint ${endpoint.id} is used by running task ${busy[0]!.id}`);
      const { EndpointArn: _arn, ExactSettings: exact, ...change } = input;
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined) continue;
        const before = endpoint.request[key];
        endpoint.request[key] =
          key.endsWith('Settings') && !exact && typeof before === 'object' && before !== null
            ? { ...(before as object), ...(value as object) }
            : value;
      }
      return { Endpoint: this.#endpointView(endpoint) };
    },
    ModifyReplicationInstance: (input) => {
      const instance = [...this.instances.values()].find((item) => item.arn === input.ReplicationInstanceArn);
      if (!instance) throw notFound(`Replication instance ${input.ReplicationInstanceArn} not found`);
      if (instance.status !== 'available')
        throw invalidState(`Replication instance ${instance.id} is ${instance.status}`);
      const {
        ReplicationInstanceArn: _arn,
        ApplyImmediately: _now,
        AllowMajorVersionUpgrade: _major,
        ...change
      } = input;
      for (const [key, value] of Object.entries(change)) if (value !== undefined) instance.request[key] = value;
      this.#set(instance, 'modifying');
      return { ReplicationInstance: this.#instanceView(instance) };
    },
    AddTagsToResource: (input) => {
      const tags = this.tags.get(String(input.ResourceArn));
      if (!tags) throw notFound(`Resource ${input.ResourceArn} not found`);
      const merged = new Map(tags.map((tag) => [tag.Key, tag]));
      for (const tag of (input.Tags as typeof tags | undefined) ?? []) merged.set(tag.Key, tag);
      this.tags.set(String(input.ResourceArn), [...merged.values()]);
      return {};
    },
    DescribeTableStatistics: (input) => {
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      const loaded = task.progress >= 100;
      const all = this.tables.map((name, index) => {
        const [schema, table] = name.split('.');
        return {
          SchemaName: schema,
          TableName: table,
          TableState: loaded ? 'Table completed' : task.progress > 0 ? 'Before load' : 'Table does not exist',
          FullLoadRows: loaded ? 1000 * (index + 1) : 0,
          Inserts: 0,
          Updates: 0,
          Deletes: 0,
          ValidationState: 'Not enabled',
        };
      });
      const { page, marker } = this.#page(all, input, [10, 500]);
      return { ReplicationTaskArn: task.arn, TableStatistics: page, Marker: marker };
    },
    ListTagsForResource: (input) => {
      const tags = this.tags.get(String(input.ResourceArn));
      if (!tags) throw notFound(`Resource ${input.ResourceArn} not found`);
      return { TagList: tags };
    },
  };

  /** Premigration assessment runs of the tasks (test/support/dms-assessments.ts). */
  readonly assessments = new AssessmentRuns({
    taskStatusByArn: (arn) => [...this.tasks.values()].find((task) => task.arn === arn)?.status,
    fault: (code, message) => new DmsFault(code, message),
  });

  /** Whether the stand-in answers `command`. */
  handles(command: string): boolean {
    return (
      Object.hasOwn(this.#commands, command) ||
      Object.hasOwn(this.serverless.commands, command) ||
      Object.hasOwn(this.assessments.commands, command)
    );
  }

  /** Runs one API call: records it, throws an injected fault if one is queued, else answers. */
  async handle(command: string, input: Json): Promise<Json> {
    const run = Object.hasOwn(this.#commands, command)
      ? this.#commands[command]
      : Object.hasOwn(this.serverless.commands, command)
        ? this.serverless.commands[command]
        : this.assessments.commands[command];
    if (!run) throw new DmsFault('UnknownOperationException', `the DMS stand-in does not answer ${command}`);
    this.#record(command, input);
    return run(input);
  }

  #set(resource: { status: string; changedAt: number }, status: string): void {
    resource.status = status;
    resource.changedAt = this.now();
  }

  #taskByArn(arn: string): StateTask {
    const task = [...this.tasks.values()].find((item) => item.arn === arn);
    if (!task) throw notFound(`Replication task ${arn} not found`);
    return task;
  }

  #settleConnection(key: string, connection: { status: string; message?: string; changedAt: number }): void {
    const endpointArn = key.slice(key.indexOf('|') + 1);
    const endpoint = [...this.endpoints.values()].find((item) => item.arn === endpointArn);
    const failure = endpoint ? this.failingConnections.get(endpoint.id) : undefined;
    connection.status = failure ? 'failed' : 'successful';
    connection.changedAt = this.now();
    if (failure) connection.message = failure;
  }

  #advanceInstance(instance: StateInstance): void {
    if (instance.status === 'creating' || instance.status === 'modifying') this.#set(instance, 'available');
    else if (instance.status === 'deleting') {
      const back = this.abandonedDeletes.get(instance.id);
      if (back === undefined) this.instances.delete(instance.id);
      else this.#set(instance, back);
    }
  }

  /** A running task fails now, as when the source side reports an error. */
  fail(task: StateTask, message: string): void {
    this.#set(task, 'failed');
    task.failure = message;
    task.stopReason = 'FATAL_ERROR';
    task.failNext = undefined;
    task.runningSince = undefined;
  }

  #advanceTask(task: StateTask): void {
    if (this.stuckTasks.get(task.id) === task.status) return;
    switch (task.status) {
      case 'creating':
        this.#set(task, 'ready');
        break;
      case 'starting':
        this.#set(task, 'running');
        task.runningSince = this.now();
        break;
      case 'running':
        if (task.failNext !== undefined) {
          this.fail(task, task.failNext);
          break;
        }
        if (task.progress < 100) {
          task.progress = Math.min(100, task.progress + this.fullLoadStep);
          task.changedAt = this.now();
        } else if (task.migrationType === 'full-load') {
          this.#set(task, 'stopped');
          task.stopReason = 'FULL_LOAD_ONLY_FINISHED';
          task.runningSince = undefined;
        }
        break;
      case 'modifying':
        this.#set(task, task.afterModify ?? 'ready');
        task.afterModify = undefined;
        break;
      case 'stopping':
        this.#set(task, 'stopped');
        task.stopReason = 'STOPPED_AFTER_CACHED_EVENTS';
        task.runningSince = undefined;
        break;
      case 'deleting':
        this.tasks.delete(task.id);
        break;
    }
  }

  #instanceView(instance: StateInstance) {
    return {
      ReplicationInstanceArn: instance.arn,
      ReplicationInstanceIdentifier: instance.id,
      ReplicationInstanceStatus: instance.status,
      ReplicationInstanceClass: instance.request.ReplicationInstanceClass as string | undefined,
      AllocatedStorage: instance.request.AllocatedStorage as number | undefined,
      EngineVersion: instance.request.EngineVersion as string | undefined,
      MultiAZ: instance.request.MultiAZ as boolean | undefined,
      PubliclyAccessible: (instance.request.PubliclyAccessible as boolean | undefined) ?? false,
      ReplicationInstancePrivateIpAddresses: ['10.0.1.17'],
    };
  }

  #endpointView(endpoint: StateEndpoint) {
    // DMS never returns the password.
    const settings = endpoint.request.PostgreSQLSettings as Json | undefined;
    const { Password: _password, ...visible } = settings ?? {};
    return {
      EndpointArn: endpoint.arn,
      EndpointIdentifier: endpoint.id,
      EndpointType: endpoint.type === 'source' ? ('SOURCE' as const) : ('TARGET' as const),
      EngineName: endpoint.request.EngineName as string | undefined,
      Status: endpoint.status,
      DatabaseName: (settings?.DatabaseName ?? endpoint.request.DatabaseName) as string | undefined,
      SslMode: endpoint.request.SslMode as never,
      CertificateArn: endpoint.request.CertificateArn as string | undefined,
      ...(settings ? { PostgreSQLSettings: visible } : {}),
    };
  }

  #taskView(task: StateTask) {
    return {
      ReplicationTaskArn: task.arn,
      ReplicationTaskIdentifier: task.id,
      Status: task.status,
      MigrationType: task.migrationType as never,
      StopReason: task.stopReason,
      LastFailureMessage: task.failure,
      ReplicationTaskCreationDate: task.createdAt,
      ReplicationTaskStartDate: task.startDate,
      ReplicationInstanceArn: task.request.ReplicationInstanceArn as string,
      SourceEndpointArn: task.request.SourceEndpointArn as string,
      TargetEndpointArn: task.request.TargetEndpointArn as string,
      TableMappings: task.request.TableMappings as string | undefined,
      ReplicationTaskSettings: task.request.ReplicationTaskSettings as string | undefined,
      ReplicationTaskStats:
        task.startDate === undefined
          ? undefined
          : {
              FullLoadProgressPercent: task.progress,
              ElapsedTimeMillis: 60_000 * Math.max(1, task.progress / 10),
              TablesLoaded: task.progress >= 100 ? this.tables.length : 0,
              TablesLoading: task.progress > 0 && task.progress < 100 ? this.tables.length : 0,
              TablesQueued: task.progress === 0 ? this.tables.length : 0,
              TablesErrored: 0,
            },
    };
  }
}
