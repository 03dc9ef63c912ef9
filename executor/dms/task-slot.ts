// Which logical slot a DMS CDC task reads, known for certain rather than guessed.
//
// DMS makes the slot of a full-load-and-cdc (or cdc) task itself, asynchronously after the start call
// returns, with a generated opaque name; `SlotName` on the source endpoint cannot help (it is per
// endpoint, so shared by every task on the database, and DMS only honours it with a CdcStartPosition on
// cdc-only tasks). So the executor:
//   1. starts the CDC tasks of one source database one at a time (`oneStartPerDatabase`), never two
//      at once in this run;
//   2. lists the database's slots before StartReplicationTask (`slotsBefore`);
//   3. waits (speaking, with the plan's slot timeout) for exactly one new logical slot on that
//      database, excluding the slots attributed to other tasks in the journal and the slots the plan
//      names; the task failing or stopping meanwhile ends the wait with DMS's message;
//   4. records it (the start node's `slotName` and `slotAttribution` outputs) and claims it with the
//      agent as the plan's (POST /v1/slots/{name}/claim), so the guarded drop at cutover, abort or
//      cleanup needs no force while a slot nobody attributed is still refused.
// On a re-run that finds the task already running (the previous run was killed after the start), the
// list from before the start is gone: the slot is attributed only if exactly one unattributed logical
// slot is on the database; otherwise the node fails naming the candidates.
// A DMS Serverless replication makes its slot the same way and is attributed the same way (its state
// read with DescribeReplications).
// Limits: a slot another tool makes on the same database during the wait is indistinguishable from
// DMS's and makes the attribution fail (two new slots) rather than guess; an explicit `slot` (plans
// with slot_name, cdc-only) is taken as named.

import type { ExecutionGraph } from '../../contracts/graph.js';
import type { AgentSlot } from '../agent-client.js';
import { NodeFailure, type RunContext } from '../types.js';
import { speakingWait, waitClock } from '../waits.js';
import type { DmsOps } from './ops.js';

/** Per graph (one per session) and source database: the tail of the queue of task starts. */
const queues = new WeakMap<ExecutionGraph, Map<string, Promise<unknown>>>();

/** Runs `start` after every earlier CDC start on `database` in this run has attributed its slot. */
export async function oneStartPerDatabase<T>(graph: ExecutionGraph, database: string, start: () => Promise<T>) {
  const byDatabase = queues.get(graph) ?? new Map<string, Promise<unknown>>();
  queues.set(graph, byDatabase);
  const previous = byDatabase.get(database) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(start);
  byDatabase.set(database, mine);
  return mine;
}

const logicalOn = (slots: readonly AgentSlot[], database: string) =>
  slots.filter((slot) => slot.plugin !== null && slot.database === database);

export async function slotsBefore(ctx: RunContext, database: string): Promise<Set<string>> {
  const agent = await ctx.agent();
  return new Set(logicalOn((await agent.slots()).slots, database).map((slot) => slot.slotName));
}

/** Slot names that belong to something else in this plan: named by nodes, or recorded for other tasks. */
function takenElsewhere(ctx: RunContext, task: string): Set<string> {
  const taken = new Set<string>();
  for (const node of ctx.graph.nodes) {
    if (typeof node.input.slot === 'string' && !node.input.slot.startsWith('@ref(')) taken.add(node.input.slot);
    if ((node.kind !== 'DmsTaskStart' && node.kind !== 'DmsReplicationStart') || node.input.task === task) continue;
    const recorded = ctx.outputsOf(node.id)?.slotName;
    if (typeof recorded === 'string' && recorded !== '') taken.add(recorded);
  }
  return taken;
}

/** What the slot wait reads of the task (or DMS Serverless replication) that makes the slot. */
export interface ReplicatorState {
  readonly Status?: string | undefined;
  readonly LastFailureMessage?: string | undefined;
}

export interface Attribution {
  readonly slotName: string;
  /** How it was known: `appeared-after-start` or `only-candidate` (a re-run after an interruption). */
  readonly method: 'appeared-after-start' | 'only-candidate';
}

/**
 * Waits for the task's slot on `database` and claims it with the agent. `before` is the list taken
 * just before this run started the task; null when the task was found running already.
 */
export async function attributeSlot(
  ctx: RunContext,
  dms: DmsOps,
  task: string,
  database: string,
  before: ReadonlySet<string> | null,
  state: (task: string) => Promise<ReplicatorState | null> = (id) => dms.task(id),
): Promise<Attribution> {
  const agent = await ctx.agent();
  const taken = takenElsewhere(ctx, task);
  const candidatesOf = (slots: readonly AgentSlot[]) =>
    logicalOn(slots, database)
      .map((slot) => slot.slotName)
      .filter((name) => !taken.has(name) && !before?.has(name))
      .sort();
  const observed = await speakingWait(waitClock(ctx), {
    kind: 'slot',
    what: `the logical slot of task ${task} on database ${database}`,
    read: async () => {
      const [current, slots] = await Promise.all([state(task), agent.slots()]);
      return {
        status: current?.Status ?? 'not found',
        failure: current?.LastFailureMessage,
        candidates: candidatesOf(slots.slots),
      };
    },
    done: (seen) => seen.candidates.length === 1,
    failed: (seen) =>
      seen.candidates.length > 1
        ? `cannot tell which slot is the task's: ${seen.candidates.join(', ')} are all new on ${database} and attributed to no other task (was another tool making slots there? drop the one that is not DMS's, then run the command again)`
        : ['failed', 'stopped', 'not found'].includes(seen.status)
          ? `the task is ${seen.status}${seen.failure ? `: ${seen.failure}` : ''} and made no slot`
          : null,
    show: (seen) =>
      `task ${seen.status}, ${seen.candidates.length === 0 ? `no new logical slot on ${database} yet` : `new slots ${seen.candidates.join(', ')}`}`,
    check: `is the task running (pgferry status), can the DMS user create slots on ${database} (superuser or REPLICATION), and is max_replication_slots free?`,
  });
  const slotName = observed.candidates[0]!;
  try {
    await agent.call('slotClaim', {
      params: { name: slotName },
      body: { database, owner: `plan ${ctx.deployment.plan} task ${task}` },
    });
  } catch (error) {
    throw new NodeFailure(
      `slot ${slotName} of task ${task}: the agent did not record it as the plan's (${(error as Error).message}); run the command again`,
    );
  }
  return { slotName, method: before === null ? 'only-candidate' : 'appeared-after-start' };
}
