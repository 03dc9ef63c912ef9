// DMS Serverless in the stand-in state (test/support/dms-state.ts owns the clock, ARNs, paging, tags
// and endpoints): replication configs (CreateReplicationConfig, DescribeReplicationConfigs,
// ModifyReplicationConfig, DeleteReplicationConfig) and their replications (StartReplication,
// StopReplication, DescribeReplications), with the states the AWS DMS User Guide describes
// (CHAP_Serverless.Components):
//   created → (start) initializing → testing_connection → fetching_metadata → calculating_capacity →
//   provisioning_capacity → replication_starting → running (ProvisionData provisioned) → full load
//   50% → 100% → stopped (FULL_LOAD_ONLY_FINISHED) for full-load replications, still running for CDC;
//   stopping → stopped (deprovisioned); deleting → gone; failed (a connection test that fails, injected
//   with `failReplication`, or what the source side reports).
// Rules DMS enforces: start-replication only for the first start, resume-processing/reload-target only
// after one; modify only in created, stopped or failed (InvalidResourceStateFault otherwise); delete only
// when not running. A replication is a StateTask, so the source side makes its slot like a task's.

import { alreadyExists, DmsState, invalidState, notFound, type StateTask } from './dms-state.js';

type Json = Record<string, unknown>;

/** What the state lends the Serverless part (its private helpers). */
export interface ServerlessHelpers {
  arn(kind: string): string;
  due(changedAt: number): boolean;
  page<T>(items: readonly T[], input: Json, range?: readonly [number, number]): { page: T[]; marker?: string };
  created(command: string): void;
}

/** The start sequence DMS Serverless walks through before it replicates. */
export const STARTING_STATES = [
  'initializing',
  'testing_connection',
  'fetching_metadata',
  'calculating_capacity',
  'provisioning_capacity',
  'replication_starting',
] as const;

const BUSY = [...STARTING_STATES, 'running', 'stopping', 'deleting'];
const MODIFIABLE = ['created', 'stopped', 'failed'];

function filterValues(filters: unknown, name: string): string[] | undefined {
  return (filters as { Name?: string; Values?: string[] }[] | undefined)?.find((filter) => filter.Name === name)
    ?.Values;
}

export class ServerlessReplications {
  /** Replication configs by identifier; each is its replication too (status, stats, slot). */
  readonly replications = new Map<string, StateTask>();
  readonly #failOnStart = new Map<string, string>();

  constructor(
    private readonly state: DmsState,
    private readonly helpers: ServerlessHelpers,
  ) {}

  /** The replication fails (FailureMessages) on its next step while it runs or starts. */
  failReplication(id: string, message: string): void {
    const replication = this.replications.get(id);
    if (replication) replication.failNext = message;
    else this.#failOnStart.set(id, message);
  }

  tick(): void {
    for (const item of [...this.replications.values()])
      if ([...BUSY].includes(item.status) && this.helpers.due(item.changedAt)) this.#advance(item);
  }

  readonly commands: Record<string, (input: Json) => Json | Promise<Json>> = {
    CreateReplicationConfig: (input) => {
      const id = String(input.ReplicationConfigIdentifier).toLowerCase();
      if (this.replications.has(id)) throw alreadyExists(`Replication config ${id} already exists`);
      for (const key of ['SourceEndpointArn', 'TargetEndpointArn'] as const)
        if (![...this.state.endpoints.values()].some((item) => item.arn === input[key]))
          throw notFound(`${key} ${String(input[key])} not found`);
      const compute = input.ComputeConfig as Json | undefined;
      if (compute?.MaxCapacityUnits === undefined)
        throw invalidState('ComputeConfig.MaxCapacityUnits is required for a serverless replication');
      const replication: StateTask = {
        arn: this.helpers.arn('replication-config'),
        id,
        status: 'created',
        migrationType: String(input.ReplicationType),
        changedAt: this.state.now(),
        createdAt: new Date(Date.UTC(2026, 0, 1)),
        progress: 0,
        request: { ...input },
        startTypes: [],
        failNext: this.#failOnStart.get(id),
      };
      this.#failOnStart.delete(id);
      this.replications.set(id, replication);
      this.helpers.created('CreateReplicationConfig');
      this.state.tags.set(replication.arn, (input.Tags as never) ?? []);
      return { ReplicationConfig: this.#configView(replication) };
    },
    DescribeReplicationConfigs: (input) => {
      const found = this.#matching(input);
      if (found.length === 0) throw notFound('No replication configs found matching provided filters');
      const { page, marker } = this.helpers.page(found, input);
      return { ReplicationConfigs: page.map((item) => this.#configView(item)), Marker: marker };
    },
    ModifyReplicationConfig: (input) => {
      const replication = this.#byArn(String(input.ReplicationConfigArn));
      if (!MODIFIABLE.includes(replication.status))
        throw invalidState(
          `Replication config ${replication.id} is ${replication.status}; it can be modified only when created, stopped or failed`,
        );
      const { ReplicationConfigArn: _arn, ...change } = input;
      for (const [key, value] of Object.entries(change)) if (value !== undefined) replication.request[key] = value;
      if (input.ReplicationType !== undefined) replication.migrationType = String(input.ReplicationType);
      return { ReplicationConfig: this.#configView(replication) };
    },
    DeleteReplicationConfig: (input) => {
      const replication = this.#byArn(String(input.ReplicationConfigArn));
      if (!MODIFIABLE.includes(replication.status))
        throw invalidState(`Replication config ${replication.id} is ${replication.status}; stop it first`);
      this.#set(replication, 'deleting');
      return { ReplicationConfig: this.#configView(replication) };
    },
    DescribeReplications: (input) => {
      const found = this.#matching(input);
      for (const item of found) if (this.helpers.due(item.changedAt)) this.#advance(item);
      const visible = found.filter((item) => this.replications.has(item.id));
      if (visible.length === 0) throw notFound('No replications found matching provided filters');
      const { page, marker } = this.helpers.page(visible, input);
      return { Replications: page.map((item) => this.#replicationView(item)), Marker: marker };
    },
    StartReplication: async (input) => {
      const replication = this.#byArn(String(input.ReplicationConfigArn));
      const type = String(input.StartReplicationType);
      const neverStarted = replication.startDate === undefined;
      if (!MODIFIABLE.includes(replication.status))
        throw invalidState(`Replication ${replication.id} is in state ${replication.status}`);
      if (type === 'start-replication' && !neverStarted)
        throw invalidState(
          'start-replication is only valid for the first run of a replication; use resume-processing or reload-target',
        );
      if (type !== 'start-replication' && neverStarted)
        throw invalidState('The replication has never been started; use start-replication');
      if (type === 'start-replication' && replication.migrationType !== 'full-load' && this.state.onCdcStart) {
        const slotName = DmsState.slotNameFor(replication.id);
        await this.state.onCdcStart({ id: replication.id, slotName });
        replication.slotName = slotName;
      }
      replication.startTypes.push(type);
      if (type === 'reload-target') replication.progress = 0;
      this.#set(replication, STARTING_STATES[0]);
      replication.startDate = replication.startDate ?? new Date(Date.UTC(2026, 0, 1));
      replication.stopReason = undefined;
      replication.failure = undefined;
      return { Replication: this.#replicationView(replication) };
    },
    StopReplication: (input) => {
      const replication = this.#byArn(String(input.ReplicationConfigArn));
      if (replication.status !== 'running' && !(STARTING_STATES as readonly string[]).includes(replication.status))
        throw invalidState(`Replication ${replication.id} is not running (${replication.status})`);
      this.#set(replication, 'stopping');
      return { Replication: this.#replicationView(replication) };
    },
  };

  #matching(input: Json): StateTask[] {
    const ids = filterValues(input.Filters, 'replication-config-id');
    const arns = filterValues(input.Filters, 'replication-config-arn');
    return [...this.replications.values()].filter(
      (item) => (!ids || ids.includes(item.id)) && (!arns || arns.includes(item.arn)),
    );
  }

  #byArn(arn: string): StateTask {
    const replication = [...this.replications.values()].find((item) => item.arn === arn);
    if (!replication) throw notFound(`Replication config ${arn} not found`);
    return replication;
  }

  #set(replication: StateTask, status: string): void {
    replication.status = status;
    replication.changedAt = this.state.now();
  }

  /** The endpoint of the replication whose connection test fails, if one does. */
  #failingConnection(replication: StateTask): string | undefined {
    for (const key of ['SourceEndpointArn', 'TargetEndpointArn']) {
      const endpoint = [...this.state.endpoints.values()].find((item) => item.arn === replication.request[key]);
      if (endpoint && this.state.failingConnections.has(endpoint.id)) return endpoint.id;
    }
    return undefined;
  }

  #advance(replication: StateTask): void {
    if (this.state.stuckTasks.get(replication.id) === replication.status) return;
    const starting = (STARTING_STATES as readonly string[]).indexOf(replication.status);
    if (starting >= 0) {
      const failing = replication.status === 'testing_connection' ? this.#failingConnection(replication) : undefined;
      if (failing !== undefined) {
        this.state.fail(replication, `Test connection failed for endpoint ${failing}.`);
        return;
      }
      const next = STARTING_STATES[starting + 1] ?? 'running';
      this.#set(replication, next);
      if (next === 'running') replication.runningSince = this.state.now();
      return;
    }
    switch (replication.status) {
      case 'running':
        if (replication.failNext !== undefined) {
          this.state.fail(replication, replication.failNext);
          break;
        }
        if (replication.progress < 100) {
          replication.progress = Math.min(100, replication.progress + this.state.fullLoadStep);
          replication.changedAt = this.state.now();
        } else if (replication.migrationType === 'full-load') {
          this.#set(replication, 'stopped');
          replication.stopReason = 'FULL_LOAD_ONLY_FINISHED';
          replication.runningSince = undefined;
        }
        break;
      case 'stopping':
        this.#set(replication, 'stopped');
        replication.stopReason = 'NORMAL';
        replication.runningSince = undefined;
        break;
      case 'deleting':
        this.replications.delete(replication.id);
        break;
    }
  }

  #provisionState(replication: StateTask): string {
    if (replication.status === 'running') return 'provisioned';
    const starting = (STARTING_STATES as readonly string[]).indexOf(replication.status);
    if (starting >= STARTING_STATES.indexOf('provisioning_capacity')) return 'provisioning';
    if (replication.status === 'stopping') return 'deprovisioning';
    return replication.startDate === undefined || starting >= 0 ? '' : 'deprovisioned';
  }

  #configView(replication: StateTask) {
    const request = replication.request;
    return {
      ReplicationConfigArn: replication.arn,
      ReplicationConfigIdentifier: replication.id,
      ReplicationType: replication.migrationType as never,
      SourceEndpointArn: request.SourceEndpointArn as string,
      TargetEndpointArn: request.TargetEndpointArn as string,
      ComputeConfig: request.ComputeConfig as never,
      TableMappings: request.TableMappings as string | undefined,
      ReplicationSettings: request.ReplicationSettings as string | undefined,
      ReplicationConfigCreateTime: replication.createdAt,
    };
  }

  #replicationView(replication: StateTask) {
    const provision = this.#provisionState(replication);
    const compute = replication.request.ComputeConfig as Json | undefined;
    return {
      ReplicationConfigArn: replication.arn,
      ReplicationConfigIdentifier: replication.id,
      ReplicationType: replication.migrationType as never,
      SourceEndpointArn: replication.request.SourceEndpointArn as string,
      TargetEndpointArn: replication.request.TargetEndpointArn as string,
      Status: replication.status,
      StopReason: replication.stopReason,
      FailureMessages: replication.failure === undefined ? undefined : [replication.failure],
      StartReplicationType: replication.startTypes.at(-1),
      ProvisionData:
        provision === ''
          ? undefined
          : {
              ProvisionState: provision,
              ProvisionedCapacityUnits: provision === 'provisioned' ? Number(compute?.MinCapacityUnits ?? 1) : 0,
            },
      ReplicationStats:
        replication.startDate === undefined
          ? undefined
          : {
              FullLoadProgressPercent: replication.progress,
              ElapsedTimeMillis: 60_000 * Math.max(1, replication.progress / 10),
              TablesLoaded: replication.progress >= 100 ? this.state.tables.length : 0,
              TablesLoading: replication.progress > 0 && replication.progress < 100 ? this.state.tables.length : 0,
              TablesQueued: replication.progress === 0 ? this.state.tables.length : 0,
              TablesErrored: 0,
              StartDate: replication.startDate,
            },
    };
  }
}
