// The state of a stand-in Amazon RDS for the target's parameter group (fk_strategy parameter_group):
// DB instances and Aurora clusters with the group they have attached, DB (cluster) parameter groups
// with their parameters, and how a change reaches the instances:
//   Modify…ParameterGroup / Reset…ParameterGroup, ApplyMethod immediate (dynamic parameters only):
//     every instance using the group: in-sync → applying → (next Describe) in-sync, and only then the
//     value reaches the database (`onApplied`, which tests use to set it on a real PostgreSQL);
//   ApplyMethod pending-reboot: pending-reboot until a reboot (which the stand-in never does); a dynamic
//     change applied meanwhile still reaches the database (applying, then pending-reboot again).
// Refusals as RDS answers them: default.* groups cannot be modified, immediate on a static parameter,
// unknown groups/instances/clusters (…NotFoundFault), and injected faults (Throttling, AccessDenied,
// InvalidDBParameterGroupStateFault). Time passes one step per Describe of the instance or cluster.

import { DmsFault } from './dms-state.js';

/** An error as RDS returns it: its code (the SDK's exception name) and message; shaped as DMS's. */
export class RdsFault extends DmsFault {}

export const rdsThrottled = () => new RdsFault('Throttling', 'Rate exceeded');
export const rdsAccessDenied = (action: string) =>
  new RdsFault(
    'AccessDenied',
    `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: rds:${action}`,
    403,
  );

type Json = Record<string, unknown>;

interface StateParameter {
  value?: string;
  source: 'engine-default' | 'system' | 'user';
  applyType: 'dynamic' | 'static';
}

export interface StateGroup {
  readonly name: string;
  readonly cluster: boolean;
  readonly parameters: Map<string, StateParameter>;
}

/** An instance (or a cluster member) and how far it got applying its group. */
interface Member {
  readonly id: string;
  /** A dynamic change on its way to the database. */
  applying: boolean;
  /** Describe calls that still show `applying`. */
  pendingSteps: number;
  /** A change (static, or sent with pending-reboot) waits for a reboot. */
  rebootPending: boolean;
}

/** ParameterApplyStatus as RDS reports it. */
export function memberStatus(member: Member): string {
  return member.applying ? 'applying' : member.rebootPending ? 'pending-reboot' : 'in-sync';
}

export interface StateHolder {
  readonly id: string;
  group: string;
  readonly members: Member[];
}

/** Parameters every group has: enough of them that DescribeDBParameters needs more than one page. */
function engineParameters(): Map<string, StateParameter> {
  const parameters = new Map<string, StateParameter>();
  for (let i = 0; i < 120; i += 1)
    parameters.set(`pgferry_filler_${String(i).padStart(3, '0')}`, { source: 'engine-default', applyType: 'dynamic' });
  parameters.set('session_replication_role', { source: 'engine-default', applyType: 'dynamic' });
  parameters.set('shared_preload_libraries', { value: 'pg_stat_statements', source: 'system', applyType: 'static' });
  return new Map([...parameters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const idle = (id: string): Member => ({ id, applying: false, pendingSteps: 0, rebootPending: false });

export class RdsState {
  readonly groups = new Map<string, StateGroup>();
  readonly instances = new Map<string, StateHolder>();
  readonly clusters = new Map<string, StateHolder>();
  readonly calls: { readonly command: string; readonly input: Json }[] = [];
  readonly faults = new Map<string, unknown[]>();
  /** Describe calls an instance shows `applying` after a change. */
  applySteps = 1;
  /** A group's change reached the database: its parameters the user set (name → value). */
  onApplied: ((group: string, values: ReadonlyMap<string, string>) => Promise<void>) | null = null;

  addGroup(name: string, cluster = false): StateGroup {
    const group = { name, cluster, parameters: engineParameters() };
    this.groups.set(name, group);
    return group;
  }

  addInstance(id: string, group: string): void {
    if (!this.groups.has(group)) this.addGroup(group);
    this.instances.set(id, { id, group, members: [idle(id)] });
  }

  addCluster(id: string, group: string, members: readonly string[]): void {
    if (!this.groups.has(group)) this.addGroup(group, true);
    this.clusters.set(id, { id, group, members: members.map(idle) });
  }

  failNext(command: string, error: unknown, times = 1): void {
    const list = this.faults.get(command) ?? [];
    for (let i = 0; i < times; i += 1) list.push(error);
    this.faults.set(command, list);
  }

  count(command: string): number {
    return this.calls.filter((call) => call.command === command).length;
  }

  /** The value a group sets for a parameter ('' when it leaves it to the engine). */
  valueOf(group: string, parameter: string): string {
    return this.groups.get(group)?.parameters.get(parameter)?.value ?? '';
  }

  handles(command: string): boolean {
    return Object.hasOwn(this.#commands, command);
  }

  async handle(command: string, input: Json): Promise<Json> {
    const run = this.#commands[command];
    if (!run) throw new RdsFault('InvalidAction', `the RDS stand-in does not answer ${command}`);
    this.calls.push({ command, input });
    const fault = this.faults.get(command)?.shift();
    if (fault) throw fault;
    return run(input);
  }

  #group(name: unknown, cluster: boolean): StateGroup {
    const group = this.groups.get(String(name));
    if (!group || group.cluster !== cluster)
      throw new RdsFault(
        cluster ? 'DBClusterParameterGroupNotFoundFault' : 'DBParameterGroupNotFoundFault',
        `${cluster ? 'DBClusterParameterGroup' : 'DBParameterGroup'} not found: ${String(name)}`,
        404,
      );
    return group;
  }

  /** One step of time for a holder, then its members' statuses; a finished apply reaches the database. */
  async #advance(holder: StateHolder): Promise<void> {
    for (const member of holder.members) {
      if (!member.applying) continue;
      if (member.pendingSteps > 0) {
        member.pendingSteps -= 1;
        continue;
      }
      member.applying = false;
      const group = this.groups.get(holder.group)!;
      const values = new Map<string, string>();
      for (const [name, parameter] of group.parameters)
        if (parameter.source === 'user' && parameter.value !== undefined) values.set(name, parameter.value);
      await this.onApplied?.(group.name, values);
    }
  }

  #page(parameters: Map<string, StateParameter>, input: Json): Json {
    const max = input.MaxRecords === undefined ? 100 : Number(input.MaxRecords);
    if (!Number.isInteger(max) || max < 20 || max > 100)
      throw new RdsFault('InvalidParameterValue', `MaxRecords must be between 20 and 100, was ${String(max)}`);
    const offset = input.Marker === undefined ? 0 : Number(/^p(\d+)$/.exec(String(input.Marker))?.[1] ?? Number.NaN);
    if (Number.isNaN(offset)) throw new RdsFault('InvalidParameterValue', `Invalid marker ${String(input.Marker)}`);
    const all = [...parameters].map(([name, parameter]) => ({
      ParameterName: name,
      ParameterValue: parameter.value,
      Source: parameter.source,
      ApplyType: parameter.applyType,
      DataType: 'string',
      IsModifiable: true,
      ApplyMethod: 'pending-reboot',
    }));
    const page = all.slice(offset, offset + max);
    return offset + max < all.length ? { Parameters: page, Marker: `p${offset + max}` } : { Parameters: page };
  }

  #change(input: Json, cluster: boolean, reset: boolean): Json {
    const name = String(cluster ? input.DBClusterParameterGroupName : input.DBParameterGroupName);
    const group = this.#group(name, cluster);
    if (name.startsWith('default.'))
      throw new RdsFault(
        'InvalidParameterValue',
        `The parameter group ${name} is a default group and cannot be modified`,
      );
    const changes = (input.Parameters as Json[] | undefined) ?? [];
    if (changes.length === 0 || changes.length > 20)
      throw new RdsFault('InvalidParameterValue', 'Parameters must hold 1 to 20 parameters');
    let immediate = false;
    let reboot = false;
    for (const change of changes) {
      const parameter = group.parameters.get(String(change.ParameterName));
      if (!parameter) throw new RdsFault('InvalidParameterValue', `Unknown parameter ${String(change.ParameterName)}`);
      if (change.ApplyMethod === 'immediate' && parameter.applyType === 'static')
        throw new RdsFault(
          'InvalidParameterCombination',
          `cannot use immediate apply method for static parameter ${String(change.ParameterName)}`,
        );
      if (change.ApplyMethod === 'immediate') immediate = true;
      else reboot = true;
    }
    for (const change of changes) {
      const parameter = group.parameters.get(String(change.ParameterName))!;
      if (reset) {
        parameter.value = undefined;
        parameter.source = 'engine-default';
      } else {
        parameter.value = String(change.ParameterValue);
        parameter.source = 'user';
      }
    }
    const holders = [...(cluster ? this.clusters : this.instances).values()].filter((item) => item.group === name);
    for (const holder of holders)
      for (const member of holder.members) {
        if (reboot) member.rebootPending = true;
        if (immediate) {
          member.applying = true;
          member.pendingSteps = this.applySteps;
        }
      }
    return cluster ? { DBClusterParameterGroupName: name } : { DBParameterGroupName: name };
  }

  readonly #commands: Record<string, (input: Json) => Json | Promise<Json>> = {
    DescribeDBInstances: async (input) => {
      const id = String(input.DBInstanceIdentifier);
      const holder = this.instances.get(id);
      if (!holder) throw new RdsFault('DBInstanceNotFoundFault', `DBInstance ${id} not found.`, 404);
      const view = {
        DBInstanceIdentifier: id,
        DBInstanceStatus: 'available',
        Engine: 'postgres',
        DBParameterGroups: [
          { DBParameterGroupName: holder.group, ParameterApplyStatus: memberStatus(holder.members[0]!) },
        ],
      };
      await this.#advance(holder);
      return { DBInstances: [view] };
    },
    DescribeDBClusters: async (input) => {
      const id = String(input.DBClusterIdentifier);
      const holder = this.clusters.get(id);
      if (!holder) throw new RdsFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
      const view = {
        DBClusterIdentifier: id,
        Status: 'available',
        Engine: 'aurora-postgresql',
        DBClusterParameterGroup: holder.group,
        DBClusterMembers: holder.members.map((member, i) => ({
          DBInstanceIdentifier: member.id,
          IsClusterWriter: i === 0,
          DBClusterParameterGroupStatus: memberStatus(member),
        })),
      };
      await this.#advance(holder);
      return { DBClusters: [view] };
    },
    DescribeDBParameters: (input) => this.#page(this.#group(input.DBParameterGroupName, false).parameters, input),
    DescribeDBClusterParameters: (input) =>
      this.#page(this.#group(input.DBClusterParameterGroupName, true).parameters, input),
    ModifyDBParameterGroup: (input) => this.#change(input, false, false),
    ModifyDBClusterParameterGroup: (input) => this.#change(input, true, false),
    ResetDBParameterGroup: (input) => this.#change(input, false, true),
    ResetDBClusterParameterGroup: (input) => this.#change(input, true, true),
  };
}
