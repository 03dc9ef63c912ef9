// Plan changes after a run that DMS applies in place: a running task's table selection (stop →
// ModifyReplicationTask → resume-processing), an endpoint setting (the task using it is stopped and
// resumed around ModifyEndpoint), the instance class (ModifyReplicationInstance, applied immediately).
// A change DMS cannot make in place (the task's source endpoint) is refused, naming the fix.
// Over 400 lines on purpose: the cases run in order on one world (one cluster, one DMS fake), each
// starting from the state the previous one left, which separate files could not share.

import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  InvalidResourceStateFault,
  ModifyReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../contracts/canonical-json.js';
import { compileInProcess } from '../../executor/load.js';
import { nodeStates, PLAN_FILE, SECRETS, startWorld, type World } from './support/world.js';

const TASK = 'dms.task.orders-cdc.create';
const STATE_CHANGES = new Set([
  'StopReplicationTask',
  'StartReplicationTask',
  'ModifyReplicationTask',
  'ModifyEndpoint',
  'ModifyReplicationInstance',
  'TestConnection',
]);

/** Where the current step began in the fake's call log; edits to the plan file begin a step. */
function steps(world: () => World, plan: () => string) {
  let mark = 0;
  const begin = () => {
    mark = world().dms.calls.length;
  };
  return {
    mark: begin,
    stateChangesSinceMark: () =>
      world()
        .dms.calls.slice(mark)
        .filter((call) => STATE_CHANGES.has(call.command)),
    edit: async (from: string, to: string) => {
      const text = await readFile(plan(), 'utf8');
      expect(text).toContain(from);
      await writeFile(plan(), text.replace(from, to));
      begin();
    },
  };
}

/**
 * Writes a graph that another compile of the plan would give into a compiled directory, with its
 * MANIFEST.json entry (the executor refuses a graph.json its manifest does not hash).
 */
async function writeGraph(out: string, graph: unknown): Promise<void> {
  const text = JSON.stringify(graph);
  await writeFile(join(out, 'graph.json'), text);
  const manifest = JSON.parse(await readFile(join(out, 'MANIFEST.json'), 'utf8')) as { files: Record<string, string> };
  manifest.files['graph.json'] = sha256(text);
  await writeFile(join(out, 'MANIFEST.json'), JSON.stringify(manifest));
}

describe('plan changes DMS applies in place', () => {
  let world: World;
  let dir: string;
  let plan: string;
  let original: string;
  /** Index into world.dms.calls where the current step began. */
  const step = steps(
    () => world,
    () => plan,
  );
  const { edit, stateChangesSinceMark } = step;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-modify-'));
    plan = join(dir, 'cdc.yaml');
    await copyFile(PLAN_FILE, plan);
    original = await readFile(plan, 'utf8');
    world = await startWorld({ plan: { file: plan, name: 'shopx' } });
  });
  afterAll(async () => {
    await world?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the CDC plan until the task runs', async () => {
    const first = await world.run('apply');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    const applied = await world.run('apply');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('the fake, like DMS, refuses ModifyReplicationTask on a running task', async () => {
    const client = new DatabaseMigrationServiceClient({ region: 'eu-west-1' });
    const arn = world.dms.tasks.get('orders-cdc')!.arn;
    await expect(
      client.send(new ModifyReplicationTaskCommand({ ReplicationTaskArn: arn, TableMappings: '{"rules":[]}' })),
    ).rejects.toBeInstanceOf(InvalidResourceStateFault);
    world.dms.calls.pop();
  });

  it('a new table selection stops the task, modifies its table mappings and resumes it', async () => {
    await edit('include: ["public.%"]', 'include: ["public.orders", "public.customers"]');
    const dry = await world.run('apply', ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`modify    ${TASK}  changed since it ran, modified in place: TableMappings\n`);
    expect(stateChangesSinceMark()).toEqual([]);
    const result = await world.run('apply');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `plan changed in DMS resources that exist; modified in place: ${TASK} (TableMappings)`,
    );
    expect(result.stderr).toContain(`${TASK}: task orders-cdc: stopped → modified (TableMappings) → resumed`);
    expect(result.stdout).toContain(`✓ ${TASK}  modified in place: stopped → modified (TableMappings) → resumed\n`);
    const calls = stateChangesSinceMark();
    expect(calls.map((call) => call.command)).toEqual([
      'StopReplicationTask',
      'ModifyReplicationTask',
      'StartReplicationTask',
    ]);
    const mappings = JSON.parse(String(calls[1]!.input.TableMappings)) as { rules: Record<string, unknown>[] };
    expect(mappings.rules.map((rule) => rule['object-locator'])).toEqual([
      { 'schema-name': 'public', 'table-name': 'orders' },
      { 'schema-name': 'public', 'table-name': 'customers' },
    ]);
    expect(Object.keys(calls[1]!.input).sort()).toEqual(['ReplicationTaskArn', 'TableMappings']);
    expect(calls[2]!.input.StartReplicationTaskType).toBe('resume-processing');
    const task = world.dms.tasks.get('orders-cdc')!;
    expect(task.status).toBe('running');
    expect(task.request.TableMappings).toBe(calls[1]!.input.TableMappings);
    expect(task.startTypes).toEqual(['start-replication', 'resume-processing']);
    expect(world.dms.created.get('CreateReplicationTask')).toBe(1);

    const journal = await world.journal();
    const record = (journal.nodes as Record<string, Record<string, unknown>>)[TASK]!;
    expect(record.state).toBe('succeeded');
    expect(record.modify).toBeUndefined();
    const outputs = record.outputs as Record<string, unknown>;
    expect(outputs.modifiedFields).toBe('TableMappings');
    expect(outputs.modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(outputs.arn).toBe(task.arn);
  });

  it('a second apply changes nothing', async () => {
    step.mark();
    const again = await world.run('apply');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('modified in place');
    expect(stateChangesSinceMark()).toEqual([]);
  });

  it('an endpoint setting: the task using it is stopped, the endpoint modified and tested, the task resumed', async () => {
    await edit('        enabled: true\n', '        enabled: true\n        frequency_minutes: 2\n');
    const result = await world.run('apply');
    expect(result.code).toBe(0);
    const node = 'dms.endpoint.shopx-orders-src.create';
    expect(result.stdout).toContain(`modified in place: ${node} (PostgreSQLSettings)`);
    expect(result.stderr).toContain(
      `${node}: endpoint shopx-orders-src: stopped task orders-cdc → modified (PostgreSQLSettings) → connection tested → resumed task orders-cdc`,
    );
    const calls = stateChangesSinceMark();
    expect(calls.map((call) => call.command)).toEqual([
      'StopReplicationTask',
      'ModifyEndpoint',
      'TestConnection',
      'StartReplicationTask',
    ]);
    const settings = calls[1]!.input.PostgreSQLSettings as Record<string, unknown>;
    expect(calls[1]!.input.ExactSettings).toBe(true);
    expect(settings.HeartbeatFrequency).toBe(2);
    // The password is resolved as on create (DMS would otherwise store the placeholder).
    expect(settings.Password).toBe(SECRETS['/pgferry/shopx/source/dms_user']);
    expect(calls[3]!.input.StartReplicationTaskType).toBe('resume-processing');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('an endpoint change that breaks the connection leaves the task stopped until it is fixed', async () => {
    await edit('        frequency_minutes: 2\n', '        frequency_minutes: 3\n');
    world.dms.failingConnections.set('shopx-orders-src', 'password authentication failed for user "dms_user"');
    const failed = await world.run('apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('password authentication failed for user "dms_user" (fix the endpoint or network');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('stopped');

    world.dms.failingConnections.delete('shopx-orders-src');
    step.mark();
    const fixed = await world.run('apply');
    expect(fixed.code).toBe(0);
    expect(stateChangesSinceMark().map((call) => call.command)).toEqual([
      'ModifyEndpoint',
      'TestConnection',
      'StartReplicationTask',
    ]);
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('the instance class: ModifyReplicationInstance applied immediately, then available again', async () => {
    await edit('class: dms.r5.large', 'class: dms.r5.xlarge');
    const result = await world.run('apply');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'dms.instance.shopx-ri.create: replication instance shopx-ri: modified (ReplicationInstanceClass) → available',
    );
    const calls = stateChangesSinceMark();
    expect(calls.map((call) => call.command)).toEqual(['ModifyReplicationInstance']);
    expect(calls[0]!.input).toMatchObject({ ApplyImmediately: true, ReplicationInstanceClass: 'dms.r5.xlarge' });
    const instance = world.dms.instances.get('shopx-ri')!;
    expect(instance.status).toBe('available');
    expect(instance.request.ReplicationInstanceClass).toBe('dms.r5.xlarge');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('a run that fails between stopping and modifying the task resumes it on the next apply', async () => {
    await edit('include: ["public.orders", "public.customers"]', 'include: ["public.%"]');
    world.dms.failNext(
      'ModifyReplicationTask',
      new InvalidResourceStateFault({ message: 'Replication instance shopx-ri is busy', $metadata: {} }),
    );
    const failed = await world.run('apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${TASK}: Replication instance shopx-ri is busy`);
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('stopped');
    expect(nodeStates(await world.journal())[TASK]).toBe('failed');

    step.mark();
    const resumed = await world.run('apply');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`${TASK}: task orders-cdc: modified (TableMappings) → resumed`);
    const calls = stateChangesSinceMark();
    expect(calls.map((call) => call.command)).toEqual(['ModifyReplicationTask', 'StartReplicationTask']);
    expect(calls[1]!.input.StartReplicationTaskType).toBe('resume-processing');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('a task pointed at another source endpoint is refused: it must be re-created', async () => {
    const compiled = await compileInProcess(plan);
    const graph = {
      ...compiled.graph,
      nodes: compiled.graph.nodes.map((node) =>
        node.id === TASK
          ? {
              ...node,
              input: {
                ...node.input,
                request: {
                  ...(node.input.request as Record<string, unknown>),
                  SourceEndpointArn: '@ref(dms.endpoint.shopx-orders-tgt.create#arn)',
                },
              },
            }
          : node,
      ),
    };
    const out = join(dir, 'compiled');
    for (const [path, text] of compiled.artifacts) {
      await mkdir(dirname(join(out, path)), { recursive: true });
      await writeFile(join(out, path), text);
    }
    await writeGraph(out, graph);
    step.mark();
    const before = await readFile(world.journalFile, 'utf8');
    const dry = await world.run('apply', ['--dry-run', '--compiled', out]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`error     ${TASK}  changed since it ran: SourceEndpointArn changed`);
    const refused = await world.run('apply', ['--compiled', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `  ${TASK}: SourceEndpointArn changed, which DMS cannot modify in place: the replication task must be re-created`,
    );
    expect(refused.stderr).toContain('--allow-plan-change');
    expect(stateChangesSinceMark()).toEqual([]);
    expect(await readFile(world.journalFile, 'utf8')).toBe(before);
    expect(nodeStates(await world.journal())[TASK]).toBe('succeeded');
  });

  it('never sent ModifyReplicationTask to a task that was not stopped', () => {
    // The fake throws InvalidResourceStateFault for one; a refused call would have failed the node.
    // Replay the task's state changes: Stop makes it stopped, Start running; every Modify met a stopped task.
    const arn = world.dms.tasks.get('orders-cdc')!.arn;
    let running = false;
    let modifies = 0;
    for (const call of world.dms.calls) {
      if (call.input.ReplicationTaskArn !== arn) continue;
      if (call.command === 'StartReplicationTask') running = true;
      if (call.command === 'StopReplicationTask') running = false;
      if (call.command === 'ModifyReplicationTask') {
        expect(running).toBe(false);
        modifies += 1;
      }
    }
    expect(modifies).toBe(3);
    expect(original).toContain('public.%');
  });
});

describe('one apply that changes a task and both its endpoints', () => {
  const SOURCE = 'dms.endpoint.shopx-orders-src.create';
  const TARGET = 'dms.endpoint.shopx-orders-tgt.create';
  let world: World;
  let dir: string;
  let plan: string;
  const step = steps(
    () => world,
    () => plan,
  );
  const { edit, stateChangesSinceMark } = step;
  /** The plan compiled, with a target endpoint setting no plan field maps to alone (MaxFileSize). */
  const compiled = async (): Promise<string> => {
    const result = await compileInProcess(plan);
    const graph = {
      ...result.graph,
      nodes: result.graph.nodes.map((node) => {
        if (node.id !== TARGET) return node;
        const request = node.input.request as Record<string, unknown>;
        const settings = request.PostgreSQLSettings as Record<string, unknown>;
        return {
          ...node,
          input: { ...node.input, request: { ...request, PostgreSQLSettings: { ...settings, MaxFileSize: 65536 } } },
        };
      }),
    };
    const out = join(dir, 'compiled');
    for (const [path, text] of result.artifacts) {
      await mkdir(dirname(join(out, path)), { recursive: true });
      await writeFile(join(out, path), text);
    }
    await writeGraph(out, graph);
    return out;
  };
  /** The task fails as DMS reports it: status failed on the next describe. */
  const failTask = async (message: string) => {
    world.dms.failTask('orders-cdc', message);
    await new DatabaseMigrationServiceClient({ region: 'eu-west-1' }).send(new DescribeReplicationTasksCommand({}));
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('failed');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-modify-both-'));
    plan = join(dir, 'cdc.yaml');
    await copyFile(PLAN_FILE, plan);
    world = await startWorld({ plan: { file: plan, name: 'shopx' } });
    expect((await world.run('apply')).code).toBe(0);
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    expect((await world.run('apply')).code).toBe(0);
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });
  afterAll(async () => {
    await world?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops the task once, modifies both endpoints and the task, then resumes it once', async () => {
    await edit('include: ["public.%"]', 'include: ["public.orders"]');
    await edit('        enabled: true\n', '        enabled: true\n        frequency_minutes: 2\n');
    const result = await world.run('apply', ['--compiled', await compiled()]);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `modified in place: ${SOURCE} (PostgreSQLSettings), ${TARGET} (PostgreSQLSettings)`,
    );
    const commands = stateChangesSinceMark().map((call) => call.command);
    expect(commands.filter((command) => command === 'StopReplicationTask')).toHaveLength(1);
    expect(commands.filter((command) => command === 'StartReplicationTask')).toHaveLength(1);
    expect(commands[0]).toBe('StopReplicationTask');
    expect(commands.at(-1)).toBe('StartReplicationTask');
    expect(commands.slice(1, -1).sort()).toEqual([
      'ModifyEndpoint',
      'ModifyEndpoint',
      'ModifyReplicationTask',
      'TestConnection',
      'TestConnection',
    ]);
    const start = stateChangesSinceMark().at(-1)!;
    expect(start.input.StartReplicationTaskType).toBe('resume-processing');
    // The task is resumed by the last node to hold it: the task node, after both endpoints.
    expect(result.stderr).toContain(`${TASK}: task orders-cdc: modified (TableMappings) → resumed`);
    expect(result.stderr).toMatch(/endpoint shopx-orders-(src|tgt): stopped task orders-cdc → modified/);
    expect(result.stderr).toContain('task orders-cdc resumes after');
    const task = world.dms.tasks.get('orders-cdc')!;
    expect(task.status).toBe('running');
    expect(task.startTypes).toEqual(['start-replication', 'resume-processing']);
    expect(world.dms.endpoints.get('shopx-orders-tgt')?.request.PostgreSQLSettings).toMatchObject({
      MaxFileSize: 65536,
    });
  });

  it('a task that failed while the plan ran it is modified and restarted with resume-processing', async () => {
    await failTask('ERROR: could not receive data from WAL stream');
    await edit('include: ["public.orders"]', 'include: ["public.%"]');
    const result = await world.run('apply', ['--compiled', await compiled()]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${TASK}: task orders-cdc: task orders-cdc had failed (status failed (FATAL_ERROR): ERROR: could not receive data from WAL stream); restarting it after the change → modified (TableMappings) → resumed`,
    );
    const calls = stateChangesSinceMark();
    expect(calls.map((call) => call.command)).toEqual(['ModifyReplicationTask', 'StartReplicationTask']);
    expect(calls[1]!.input.StartReplicationTaskType).toBe('resume-processing');
    expect(world.dms.tasks.get('orders-cdc')?.status).toBe('running');
  });

  it('a failed task the plan has stopped is modified, left so, and the restart command printed', async () => {
    // The journal says the plan's stop node ran: this run has no business restarting the task.
    const journal = await world.journal();
    const nodes = journal.nodes as Record<string, Record<string, unknown>>;
    const graph = (await compileInProcess(plan)).graph;
    const stop = graph.nodes.find((node) => node.kind === 'DmsTaskStop' && node.input.task === 'orders-cdc')!;
    nodes[stop.id] = { ...nodes[stop.id], state: 'succeeded', outputs: { result: 'stopped' } };
    await writeFile(world.journalFile, JSON.stringify(journal));
    await failTask('ERROR: out of memory');
    await edit('include: ["public.%"]', 'include: ["public.orders"]');
    const result = await world.run('apply', ['--compiled', await compiled()]);
    expect(result.code).toBe(0);
    const arn = world.dms.tasks.get('orders-cdc')!.arn;
    const command = `aws dms start-replication-task --replication-task-arn ${arn} --start-replication-task-type resume-processing`;
    expect(result.stderr).toContain(
      `${TASK}: task orders-cdc is failed (status failed (FATAL_ERROR): ERROR: out of memory) and this plan's run did not start it: left as is; to restart it: ${command}`,
    );
    expect(result.stdout).toContain(command);
    expect(stateChangesSinceMark().map((call) => call.command)).toEqual(['ModifyReplicationTask']);
    expect(world.dms.tasks.get('orders-cdc')?.status).not.toBe('running');
  });
});
