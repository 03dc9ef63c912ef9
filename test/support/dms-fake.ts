// A stateful fake of AWS DMS behind aws-sdk-client-mock: the real SDK client and command classes, with
// resources that move through DMS's states one step per Describe call (no wall clock):
//   instance  creating → available; deleting → gone
//   endpoint  active; deleting → gone;  TestConnection: testing → successful | failed
//   task      creating → ready → (start) starting → running → full load 50% → 100% →
//             stopped (FULL_LOAD_ONLY_FINISHED) for full-load tasks, still running for CDC tasks;
//             stopping → stopped; deleting → gone; failed (injected)
//             ModifyReplicationTask (only when not running/starting/stopping): modifying → back to
//             ready (never started) or stopped
//   instance  ModifyReplicationInstance: modifying → available
//   endpoint  ModifyEndpoint: refused while a task using it runs (the executor stops tasks first)
// Errors have the SDK's own classes and shapes: ResourceAlreadyExistsFault, ResourceNotFoundFault,
// InvalidResourceStateFault, and a ThrottlingException as the service sends it.
// Every Describe* answer is paged as DMS pages it: at most MaxRecords items (default 100, or
// `pageSize` when a test sets it), with a Marker for the rest.

import {
  AddTagsToResourceCommand,
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
  DeleteEndpointCommand,
  DeleteReplicationInstanceCommand,
  DeleteReplicationTaskCommand,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  DescribeTableStatisticsCommand,
  type Filter,
  InvalidResourceStateFault,
  ListTagsForResourceCommand,
  ModifyEndpointCommand,
  ModifyReplicationInstanceCommand,
  ModifyReplicationTaskCommand,
  type ReplicationTask,
  ResourceAlreadyExistsFault,
  ResourceNotFoundFault,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
  type Tag,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
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

const notFound = (message: string) => new ResourceNotFoundFault({ message, $metadata: meta(400) });
const alreadyExists = (message: string) =>
  new ResourceAlreadyExistsFault({ message, $metadata: meta(400), resourceArn: undefined });
const invalidState = (message: string) => new InvalidResourceStateFault({ message, $metadata: meta(400) });

interface FakeInstance {
  arn: string;
  id: string;
  status: 'creating' | 'available' | 'deleting' | 'modifying' | 'failed';
  steps: number;
  request: Record<string, unknown>;
}

interface FakeEndpoint {
  arn: string;
  id: string;
  status: 'active' | 'deleting';
  type: string;
  request: Record<string, unknown>;
}

interface FakeTask {
  arn: string;
  id: string;
  status: string;
  migrationType: string;
  stopReason?: string;
  startDate?: Date;
  progress: number;
  failure?: string;
  failNext?: string;
  /** Where a modification settles: ready (never started) or stopped. */
  afterModify?: string;
  request: Record<string, unknown>;
  startTypes: string[];
}

type Call = { readonly command: string; readonly input: Record<string, unknown> };

function filterValues(filters: Filter[] | undefined, name: string): string[] | undefined {
  return filters?.find((filter) => filter.Name === name)?.Values;
}

export class DmsFake {
  readonly mock = mockClient(DatabaseMigrationServiceClient);
  readonly instances = new Map<string, FakeInstance>();
  readonly endpoints = new Map<string, FakeEndpoint>();
  readonly tasks = new Map<string, FakeTask>();
  readonly connections = new Map<string, { status: string; message?: string }>();
  readonly tags = new Map<string, Tag[]>();
  readonly calls: Call[] = [];
  /** Errors to throw on the next calls of a command, in order. */
  readonly faults = new Map<string, Error[]>();
  /** Endpoint identifiers whose connection test fails. */
  readonly failingConnections = new Map<string, string>();
  /** Per task, table names for DescribeTableStatistics. */
  tables: readonly string[] = ['public.customers', 'public.orders'];
  /**
   * Instances whose deletion DMS accepts and then does not carry out: the next Describe shows them in
   * the given status instead of gone.
   */
  readonly abandonedDeletes = new Map<string, string>();
  /** Items per Describe* page when the request names no MaxRecords (DMS's default is 100). */
  pageSize = 100;
  /** Successful creations per command: what "creates nothing twice" is measured by. */
  readonly created = new Map<string, number>();
  /**
   * Called when a CDC task starts, as DMS would create its logical slot on the source. Tests use it
   * to create a real slot; a rejection fails the StartReplicationTask call.
   */
  onCdcStart: ((task: { id: string; slotName: string }) => Promise<void>) | null = null;
  #seq = 0;
  readonly #failOnCreate = new Map<string, string>();

  constructor() {
    this.#wire();
  }

  restore(): void {
    this.mock.restore();
  }

  /** Throw `error` on the next `times` calls of `command` (e.g. 'CreateReplicationTask'). */
  failNext(command: string, error: Error, times = 1): void {
    const list = this.faults.get(command) ?? [];
    for (let i = 0; i < times; i += 1) list.push(error);
    this.faults.set(command, list);
  }

  /**
   * The task fails (status failed, LastFailureMessage) on its next Describe while it runs; for a task
   * not created yet, on the first Describe after it starts running.
   */
  failTask(id: string, message: string): void {
    const task = this.tasks.get(id);
    if (task) task.failNext = message;
    else this.#failOnCreate.set(id, message);
  }

  count(command: string): number {
    return this.calls.filter((call) => call.command === command).length;
  }

  #created(command: string): void {
    this.created.set(command, (this.created.get(command) ?? 0) + 1);
  }

  /** The slot name DMS would generate for a task: long, lower-case, opaque. */
  static slotNameFor(id: string): string {
    return `${id.replace(/[^a-z0-9]/g, '')}_00000001_dmsfake_6v54_32ut`.slice(0, 63);
  }

  #arn(kind: string): string {
    this.#seq += 1;
    return `arn:aws:dms:${REGION}:${ACCOUNT}:${kind}:FAKE${String(this.#seq).padStart(6, '0')}`;
  }

  #record(command: string, input: object): void {
    this.calls.push({ command, input: input as Record<string, unknown> });
    const fault = this.faults.get(command)?.shift();
    if (fault) throw fault;
  }

  /** One page of `items` as DMS answers it: `key` holds the page, `Marker` says where the next starts. */
  #page<T>(key: string, items: readonly T[], input: { Marker?: string; MaxRecords?: number }): Record<string, unknown> {
    const start = input.Marker === undefined ? 0 : Number(/^page-(\d+)$/.exec(input.Marker)?.[1] ?? Number.NaN);
    if (!Number.isInteger(start)) throw invalidState(`Invalid Marker ${input.Marker}`);
    const size = input.MaxRecords ?? this.pageSize;
    const end = start + size;
    return { [key]: items.slice(start, end), ...(end < items.length ? { Marker: `page-${end}` } : {}) };
  }

  #wire(): void {
    const m = this.mock;
    m.on(CreateReplicationInstanceCommand).callsFake((input) => {
      this.#record('CreateReplicationInstance', input);
      const id = String(input.ReplicationInstanceIdentifier).toLowerCase();
      if (this.instances.has(id)) throw alreadyExists(`Replication instance ${id} already exists`);
      const instance: FakeInstance = { arn: this.#arn('rep'), id, status: 'creating', steps: 0, request: { ...input } };
      this.instances.set(id, instance);
      this.#created('CreateReplicationInstance');
      this.tags.set(instance.arn, input.Tags ?? []);
      return { ReplicationInstance: this.#instanceView(instance) };
    });
    m.on(DescribeReplicationInstancesCommand).callsFake((input) => {
      this.#record('DescribeReplicationInstances', input);
      const ids = filterValues(input.Filters, 'replication-instance-id');
      const found = [...this.instances.values()].filter((item) => !ids || ids.includes(item.id));
      for (const item of found) this.#advanceInstance(item);
      const visible = found.filter((item) => this.instances.has(item.id));
      if (visible.length === 0) throw notFound('No replication instances found matching provided filters');
      return this.#page(
        'ReplicationInstances',
        visible.map((item) => this.#instanceView(item)),
        input,
      );
    });
    m.on(DeleteReplicationInstanceCommand).callsFake((input) => {
      this.#record('DeleteReplicationInstance', input);
      const instance = [...this.instances.values()].find((item) => item.arn === input.ReplicationInstanceArn);
      if (!instance) throw notFound(`Replication instance ${input.ReplicationInstanceArn} not found`);
      const users = [...this.tasks.values()].filter((task) => task.request.ReplicationInstanceArn === instance.arn);
      if (users.length > 0) throw invalidState(`Replication instance ${instance.id} has replication tasks`);
      instance.status = 'deleting';
      return { ReplicationInstance: this.#instanceView(instance) };
    });

    m.on(CreateEndpointCommand).callsFake((input) => {
      this.#record('CreateEndpoint', input);
      const id = String(input.EndpointIdentifier).toLowerCase();
      if (this.endpoints.has(id)) throw alreadyExists(`Endpoint ${id} already exists`);
      const endpoint: FakeEndpoint = {
        arn: this.#arn('endpoint'),
        id,
        status: 'active',
        type: String(input.EndpointType),
        request: { ...input },
      };
      this.endpoints.set(id, endpoint);
      this.#created('CreateEndpoint');
      this.tags.set(endpoint.arn, input.Tags ?? []);
      return { Endpoint: this.#endpointView(endpoint) };
    });
    m.on(DescribeEndpointsCommand).callsFake((input) => {
      this.#record('DescribeEndpoints', input);
      const ids = filterValues(input.Filters, 'endpoint-id');
      const found = [...this.endpoints.values()].filter((item) => !ids || ids.includes(item.id));
      for (const item of found) if (item.status === 'deleting') this.endpoints.delete(item.id);
      const visible = found.filter((item) => this.endpoints.has(item.id));
      if (visible.length === 0) throw notFound('No Endpoints found matching provided filters');
      return this.#page(
        'Endpoints',
        visible.map((item) => this.#endpointView(item)),
        input,
      );
    });
    m.on(DeleteEndpointCommand).callsFake((input) => {
      this.#record('DeleteEndpoint', input);
      const endpoint = [...this.endpoints.values()].find((item) => item.arn === input.EndpointArn);
      if (!endpoint) throw notFound(`Endpoint ${input.EndpointArn} not found`);
      const users = [...this.tasks.values()].filter(
        (task) => task.request.SourceEndpointArn === endpoint.arn || task.request.TargetEndpointArn === endpoint.arn,
      );
      if (users.length > 0) throw invalidState(`Endpoint ${endpoint.id} is used by replication tasks`);
      endpoint.status = 'deleting';
      return { Endpoint: this.#endpointView(endpoint) };
    });

    m.on(TestConnectionCommand).callsFake((input) => {
      this.#record('TestConnection', input);
      const key = `${input.ReplicationInstanceArn}|${input.EndpointArn}`;
      const instance = [...this.instances.values()].find((item) => item.arn === input.ReplicationInstanceArn);
      if (!instance) throw notFound('Replication instance not found');
      if (instance.status !== 'available') throw invalidState(`Replication instance ${instance.id} is not available`);
      if (this.connections.get(key)?.status === 'testing') throw invalidState('A connection test is already running');
      this.connections.set(key, { status: 'testing' });
      return {
        Connection: {
          Status: 'testing',
          EndpointArn: input.EndpointArn,
          ReplicationInstanceArn: input.ReplicationInstanceArn,
        },
      };
    });
    m.on(DescribeConnectionsCommand).callsFake((input) => {
      this.#record('DescribeConnections', input);
      const endpointArn = filterValues(input.Filters, 'endpoint-arn')?.[0];
      const instanceArn = filterValues(input.Filters, 'replication-instance-arn')?.[0];
      const key = `${instanceArn}|${endpointArn}`;
      const connection = this.connections.get(key);
      if (!connection) throw notFound('No connections found matching provided filters');
      if (connection.status === 'testing') {
        const endpoint = [...this.endpoints.values()].find((item) => item.arn === endpointArn);
        const failure = endpoint ? this.failingConnections.get(endpoint.id) : undefined;
        connection.status = failure ? 'failed' : 'successful';
        if (failure) connection.message = failure;
      }
      const view = {
        EndpointArn: endpointArn,
        ReplicationInstanceArn: instanceArn,
        Status: connection.status,
        LastFailureMessage: connection.message,
      };
      return this.#page('Connections', [view], input);
    });

    m.on(CreateReplicationTaskCommand).callsFake((input) => {
      this.#record('CreateReplicationTask', input);
      const id = String(input.ReplicationTaskIdentifier).toLowerCase();
      if (this.tasks.has(id)) throw alreadyExists(`Replication task ${id} already exists`);
      for (const key of ['SourceEndpointArn', 'TargetEndpointArn'] as const) {
        if (![...this.endpoints.values()].some((item) => item.arn === input[key]))
          throw notFound(`${key} ${input[key]} not found`);
      }
      if (typeof input.TableMappings !== 'string') throw invalidState('TableMappings must be a JSON string');
      const task: FakeTask = {
        arn: this.#arn('task'),
        id,
        status: 'creating',
        migrationType: String(input.MigrationType),
        progress: 0,
        request: { ...input },
        startTypes: [],
        failNext: this.#failOnCreate.get(id),
      };
      this.#failOnCreate.delete(id);
      this.tasks.set(id, task);
      this.#created('CreateReplicationTask');
      this.tags.set(task.arn, input.Tags ?? []);
      return { ReplicationTask: this.#taskView(task) };
    });
    m.on(DescribeReplicationTasksCommand).callsFake((input) => {
      this.#record('DescribeReplicationTasks', input);
      const ids = filterValues(input.Filters, 'replication-task-id');
      const arns = filterValues(input.Filters, 'replication-task-arn');
      const endpointArns = filterValues(input.Filters, 'endpoint-arn');
      const found = [...this.tasks.values()].filter(
        (item) =>
          (!ids || ids.includes(item.id)) &&
          (!arns || arns.includes(item.arn)) &&
          (!endpointArns ||
            endpointArns.includes(String(item.request.SourceEndpointArn)) ||
            endpointArns.includes(String(item.request.TargetEndpointArn))),
      );
      for (const item of found) this.#advanceTask(item);
      const visible = found.filter((item) => this.tasks.has(item.id));
      if (visible.length === 0) throw notFound('No Tasks found matching provided filters');
      return this.#page(
        'ReplicationTasks',
        visible.map((item) => this.#taskView(item)),
        input,
      );
    });
    m.on(StartReplicationTaskCommand).callsFake(async (input) => {
      this.#record('StartReplicationTask', input);
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      const type = String(input.StartReplicationTaskType);
      const neverStarted = task.startDate === undefined;
      if (['running', 'starting', 'creating', 'modifying'].includes(task.status)) {
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
        await this.onCdcStart({ id: task.id, slotName: DmsFake.slotNameFor(task.id) });
      }
      task.startTypes.push(type);
      task.status = 'starting';
      task.startDate = task.startDate ?? new Date(Date.UTC(2026, 0, 1));
      task.stopReason = undefined;
      task.failure = undefined;
      return { ReplicationTask: this.#taskView(task) };
    });
    m.on(StopReplicationTaskCommand).callsFake((input) => {
      this.#record('StopReplicationTask', input);
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (task.status !== 'running' && task.status !== 'starting') {
        throw invalidState(`Replication task ${task.id} is not running (${task.status})`);
      }
      task.status = 'stopping';
      return { ReplicationTask: this.#taskView(task) };
    });
    m.on(DeleteReplicationTaskCommand).callsFake((input) => {
      this.#record('DeleteReplicationTask', input);
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (task.status === 'running' || task.status === 'starting' || task.status === 'stopping') {
        throw invalidState(`Replication task ${task.id} is ${task.status}; stop it first`);
      }
      task.status = 'deleting';
      return { ReplicationTask: this.#taskView(task) };
    });
    m.on(ModifyReplicationTaskCommand).callsFake((input) => {
      this.#record('ModifyReplicationTask', input);
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      if (!['ready', 'stopped', 'failed'].includes(task.status)) {
        throw invalidState(`Replication task ${task.id} is ${task.status}; it must be stopped to be modified`);
      }
      const { ReplicationTaskArn: _arn, ...change } = input;
      for (const [key, value] of Object.entries(change)) if (value !== undefined) task.request[key] = value;
      if (input.MigrationType !== undefined) task.migrationType = String(input.MigrationType);
      task.afterModify = task.startDate === undefined ? 'ready' : 'stopped';
      task.status = 'modifying';
      return { ReplicationTask: this.#taskView(task) };
    });
    m.on(ModifyEndpointCommand).callsFake((input) => {
      this.#record('ModifyEndpoint', input);
      const endpoint = [...this.endpoints.values()].find((item) => item.arn === input.EndpointArn);
      if (!endpoint) throw notFound(`Endpoint ${input.EndpointArn} not found`);
      const busy = [...this.tasks.values()].filter(
        (task) =>
          (task.request.SourceEndpointArn === endpoint.arn || task.request.TargetEndpointArn === endpoint.arn) &&
          ['running', 'starting', 'stopping'].includes(task.status),
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
    });
    m.on(ModifyReplicationInstanceCommand).callsFake((input) => {
      this.#record('ModifyReplicationInstance', input);
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
      instance.status = 'modifying';
      return { ReplicationInstance: this.#instanceView(instance) };
    });
    m.on(AddTagsToResourceCommand).callsFake((input) => {
      this.#record('AddTagsToResource', input);
      const tags = this.tags.get(String(input.ResourceArn));
      if (!tags) throw notFound(`Resource ${input.ResourceArn} not found`);
      const merged = new Map(tags.map((tag) => [tag.Key, tag]));
      for (const tag of input.Tags ?? []) merged.set(tag.Key, tag);
      this.tags.set(String(input.ResourceArn), [...merged.values()]);
      return {};
    });
    m.on(DescribeTableStatisticsCommand).callsFake((input) => {
      this.#record('DescribeTableStatistics', input);
      const task = this.#taskByArn(String(input.ReplicationTaskArn));
      return {
        ReplicationTaskArn: task.arn,
        ...this.#page('TableStatistics', this.#tableStatistics(task), input),
      };
    });
    m.on(ListTagsForResourceCommand).callsFake((input) => {
      this.#record('ListTagsForResource', input);
      const tags = this.tags.get(String(input.ResourceArn));
      if (!tags) throw notFound(`Resource ${input.ResourceArn} not found`);
      return { TagList: tags };
    });
  }

  #tableStatistics(task: FakeTask) {
    const loaded = task.progress >= 100;
    return this.tables.map((name, index) => {
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
  }

  #taskByArn(arn: string): FakeTask {
    const task = [...this.tasks.values()].find((item) => item.arn === arn);
    if (!task) throw notFound(`Replication task ${arn} not found`);
    return task;
  }

  #advanceInstance(instance: FakeInstance): void {
    if (instance.status === 'creating' || instance.status === 'modifying') instance.status = 'available';
    else if (instance.status === 'deleting') {
      const back = this.abandonedDeletes.get(instance.id);
      if (back === undefined) this.instances.delete(instance.id);
      else instance.status = back as FakeInstance['status'];
    }
  }

  #advanceTask(task: FakeTask): void {
    switch (task.status) {
      case 'creating':
        task.status = 'ready';
        break;
      case 'starting':
        task.status = 'running';
        break;
      case 'running':
        if (task.failNext !== undefined) {
          task.status = 'failed';
          task.failure = task.failNext;
          task.stopReason = 'FATAL_ERROR';
          task.failNext = undefined;
          break;
        }
        if (task.progress < 100) task.progress = Math.min(100, task.progress + 50);
        else if (task.migrationType === 'full-load') {
          task.status = 'stopped';
          task.stopReason = 'FULL_LOAD_ONLY_FINISHED';
        }
        break;
      case 'modifying':
        task.status = task.afterModify ?? 'ready';
        task.afterModify = undefined;
        break;
      case 'stopping':
        task.status = 'stopped';
        task.stopReason = 'STOPPED_AFTER_CACHED_EVENTS';
        break;
      case 'deleting':
        this.tasks.delete(task.id);
        break;
    }
  }

  #instanceView(instance: FakeInstance) {
    return {
      ReplicationInstanceArn: instance.arn,
      ReplicationInstanceIdentifier: instance.id,
      ReplicationInstanceStatus: instance.status,
      ReplicationInstanceClass: instance.request.ReplicationInstanceClass as string | undefined,
      ReplicationInstancePrivateIpAddresses: ['10.0.1.17'],
    };
  }

  #endpointView(endpoint: FakeEndpoint) {
    // DMS never returns the password.
    return {
      EndpointArn: endpoint.arn,
      EndpointIdentifier: endpoint.id,
      EndpointType: endpoint.type === 'source' ? ('SOURCE' as const) : ('TARGET' as const),
      EngineName: endpoint.request.EngineName as string | undefined,
      Status: endpoint.status,
    };
  }

  #taskView(task: FakeTask): ReplicationTask {
    return {
      ReplicationTaskArn: task.arn,
      ReplicationTaskIdentifier: task.id,
      Status: task.status,
      MigrationType: task.migrationType as ReplicationTask['MigrationType'],
      StopReason: task.stopReason,
      LastFailureMessage: task.failure,
      ReplicationTaskStartDate: task.startDate,
      ReplicationInstanceArn: task.request.ReplicationInstanceArn as string,
      SourceEndpointArn: task.request.SourceEndpointArn as string,
      TargetEndpointArn: task.request.TargetEndpointArn as string,
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
