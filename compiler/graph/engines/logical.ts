// The PostgreSQL logical replication engine (`engine: logical`): per task a publication on the source
// database, a subscription on the target database that creates its slot on the source and copies the
// tables (unless the task is `cdc`), a wait until every table is ready, and at cutover the subscription
// dropped (which drops the slot) and then the publication. It provides the same `replication.<task>.*`
// facts as DMS, so the source, target and cutover nodes are the same for both engines.

import type { NodeInput } from '../../../contracts/node-inputs.js';
import { isDowntimeDatabase, logicalIdentifier, logicalSlotName, targetDatabase, tasksOf } from '../../model/names.js';
import type { Task } from '../../model/plan.js';
import { hasFullLoad, isCdc } from '../../model/task-kind.js';
import { compensation, type GraphBuilder } from '../builder.js';
import { fact } from '../facts.js';
import type { ReplicationEngine } from './engine.js';

/** Names of what the engine creates for a task (the executor and the tests use them too). */
export const logicalNames = {
  publication: logicalIdentifier,
  subscription: logicalIdentifier,
  /** The plan's `slot_name` when given, else the subscription's name. */
  slot: logicalSlotName,
} as const;

export const logicalNodeId = {
  publication: (task: string) => `logical.${task}.publication`,
  publicationDrop: (task: string) => `logical.${task}.publication-drop`,
  subscription: (task: string) => `logical.${task}.subscription`,
  syncWait: (task: string) => `logical.${task}.sync-wait`,
  subscriptionDrop: (task: string) => `logical.${task}.subscription-drop`,
} as const;

function publicationDropInput(b: GraphBuilder, task: Task): NodeInput<'LogicalPublicationDrop'> {
  return { source: b.sourceConnection(task.database), task: task.id, publication: logicalNames.publication(task) };
}

function subscriptionDropInput(b: GraphBuilder, task: Task): NodeInput<'LogicalSubscriptionDrop'> {
  return {
    connection: b.targetConnection(targetDatabase(b.plan, task.database)),
    source: b.sourceConnection(task.database),
    task: task.id,
    subscription: logicalNames.subscription(task),
    slot: logicalNames.slot(task),
  };
}

function addTasks(b: GraphBuilder): void {
  const { plan } = b;
  for (const task of plan.dms.tasks) {
    const origin = `/dms/tasks/${b.taskIndex(task)}`;
    const db = targetDatabase(plan, task.database);
    const publication = logicalNames.publication(task);
    const subscription = logicalNames.subscription(task);
    b.add({
      id: logicalNodeId.publication(task.id),
      kind: 'LogicalPublicationCreate',
      phase: 'prepare',
      title: `Create publication ${publication} on ${task.database}`,
      requires: [fact.sourceConfigEffective, fact.walLevelLogical],
      provides: [fact.publicationCreated(task.id), fact.replicationReady(task.id)],
      input: {
        source: b.sourceConnection(task.database),
        task: task.id,
        publication,
        include: [...task.tables.include],
        exclude: [...task.tables.exclude],
        sourceVersionNum: plan.source.version.num,
      },
      origin: `${origin}/tables`,
      compensation: compensation(
        'LogicalPublicationDrop',
        `Drop publication ${publication}`,
        publicationDropInput(b, task),
      ),
    });
    b.add({
      id: logicalNodeId.subscription(task.id),
      kind: 'LogicalSubscriptionCreate',
      phase: 'load',
      title: `Subscribe ${db} to ${publication} (${task.migration_type})`,
      requires: [
        fact.publicationCreated(task.id),
        fact.targetPrepared(db),
        fact.walLevelLogical,
        ...(isDowntimeDatabase(plan, task.database) ? [fact.writesFenced(task.database)] : []),
      ],
      provides: [fact.replicationStarted(task.id)],
      input: {
        connection: b.targetConnection(db),
        publisher: b.sourceConnection(task.database),
        task: task.id,
        database: task.database,
        subscription,
        publication,
        slot: logicalNames.slot(task),
        copyData: hasFullLoad(task),
        migrationType: task.migration_type,
        schemaStrategy: plan.target.schema_objects.strategy,
      },
      origin,
      compensation: compensation(
        'LogicalSubscriptionDrop',
        `Drop subscription ${subscription} and its slot`,
        subscriptionDropInput(b, task),
      ),
    });
    if (hasFullLoad(task)) {
      b.add({
        id: logicalNodeId.syncWait(task.id),
        kind: 'LogicalSyncWait',
        phase: 'load',
        title: `Wait until every table of ${subscription} is copied`,
        requires: [fact.replicationStarted(task.id)],
        provides: [fact.replicationFullLoadComplete(task.id)],
        input: { connection: b.targetConnection(db), task: task.id, subscription },
        origin,
      });
    }
  }
}

/**
 * Cutover: drop each subscription of the database once the target is restored (after the marker for
 * CDC tasks), then its publication. Unlike DMS (`cleanup.stop_task`), a subscription is always dropped:
 * left running it would apply source changes over the writes the target takes from now on.
 */
function stop(b: GraphBuilder, sourceDb: string, restored: string, downtime: boolean): string[] {
  const open: string[] = [];
  for (const task of tasksOf(b.plan, sourceDb)) {
    const origin = `/dms/tasks/${b.taskIndex(task)}`;
    const subscription = logicalNames.subscription(task);
    const publication = logicalNames.publication(task);
    b.add({
      id: logicalNodeId.subscriptionDrop(task.id),
      kind: 'LogicalSubscriptionDrop',
      phase: 'cutover',
      title: `Drop subscription ${subscription} and its slot`,
      requires: [...(isCdc(task) && !downtime ? [fact.replicationDrained(task.id)] : []), restored],
      provides: [fact.replicationStopped(task.id)],
      input: subscriptionDropInput(b, task),
      origin,
      gate: downtime ? 'downtime' : 'cutover',
    });
    b.add({
      id: logicalNodeId.publicationDrop(task.id),
      kind: 'LogicalPublicationDrop',
      phase: 'cutover',
      title: `Drop publication ${publication}`,
      requires: [fact.replicationStopped(task.id)],
      provides: [fact.publicationDropped(task.id)],
      input: publicationDropInput(b, task),
      origin,
    });
    open.push(fact.replicationStopped(task.id), fact.publicationDropped(task.id));
  }
  return open;
}

export const logicalEngine: ReplicationEngine = {
  setup() {},
  tasks: addTasks,
  lagWait: (b, task) => ({
    engine: 'logical',
    task: task.id,
    slot: logicalNames.slot(task),
    maxLagSeconds: b.plan.cutover.max_lag_seconds,
  }),
  slot: logicalNames.slot,
  stop,
  cleanup() {},
};
