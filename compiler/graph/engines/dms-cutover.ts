// What both DMS forms (tasks on a replication instance, DMS Serverless replications) do alike at the
// end: stop each CDC database's replications at cutover and drop their slots, then, behind the cleanup
// gate, delete the endpoints once nothing uses them and the imported CA certificate.

import { refPlaceholder } from '../../../contracts/secret-ref.js';
import { targetCertificateId } from '../../emit/dms-requests.js';
import { sourceEndpointId, targetEndpointId, tasksOf } from '../../model/names.js';
import { nodeId } from '../../model/node-ids.js';
import type { Plan, Task } from '../../model/plan.js';
import { isCdc } from '../../model/task-kind.js';
import type { GraphBuilder, NodeSpec } from '../builder.js';
import { fact } from '../facts.js';

/** The PEM file apply imports as the target's CA certificate, when the plan verifies the target with one. */
export function importedCertificate(plan: Plan): string | null {
  const certificate = plan.target.ca_certificate;
  if (certificate === null || !('pem' in certificate) || !plan.target.ssl_mode.startsWith('verify-')) return null;
  return certificate.pem;
}

/** The stop node of one task: its id, kind, title and input (the rest is the same for both forms). */
export type StopNode =
  | Pick<NodeSpec<'DmsTaskStop'>, 'id' | 'kind' | 'title' | 'input'>
  | Pick<NodeSpec<'DmsReplicationStop'>, 'id' | 'kind' | 'title' | 'input'>;

/**
 * Cutover of a CDC database: stop its replications (cleanup.stop_task), then drop their slots
 * (cleanup.drop_slot). `slot` is the slot a task reads (a name or the @ref its start node records).
 */
export function stopReplications(
  b: GraphBuilder,
  sourceDb: string,
  restored: string,
  downtime: boolean,
  slot: (task: Task) => string,
  stopNode: (task: Task) => StopNode,
): string[] {
  const { plan, agent } = b;
  const cleanup = plan.cutover.cleanup;
  const openRequires: string[] = [];
  // Full-load tasks stop by themselves once the load is in.
  if (downtime || !cleanup.stop_task) return openRequires;
  const tasks = tasksOf(plan, sourceDb).filter(isCdc);
  for (const task of tasks) {
    const origin = `/dms/tasks/${b.taskIndex(task)}`;
    b.add({
      ...stopNode(task),
      phase: 'cutover',
      requires: [fact.replicationDrained(task.id), restored],
      provides: [fact.replicationStopped(task.id)],
      origin: '/cutover/cleanup/stop_task',
    } as NodeSpec<'DmsTaskStop'>);
    openRequires.push(fact.replicationStopped(task.id));
    if (!cleanup.drop_slot) continue;
    b.add({
      id: nodeId.sourceSlotDrop(task.id),
      kind: 'SourceSlotDrop',
      phase: 'cutover',
      title: `Drop the replication slot of ${task.id}`,
      requires: [fact.replicationStopped(task.id)],
      provides: [fact.slotDropped(task.id)],
      input: { agent, database: sourceDb, slot: slot(task), task: task.id },
      origin: task.slot_name !== null ? `${origin}/slot_name` : '/cutover/cleanup/drop_slot',
      gate: 'cutover',
      finally: true,
    });
    openRequires.push(fact.slotDropped(task.id));
  }
  return openRequires;
}

/** What a task's deletion waits for: stopped at cutover (CDC, when the plan stops it) or its full load done. */
export function replicationFinished(plan: Plan, task: Task): string[] {
  return isCdc(task)
    ? plan.cutover.cleanup.stop_task
      ? [fact.replicationStopped(task.id)]
      : []
    : [fact.replicationFullLoadComplete(task.id)];
}

/**
 * Deletes the endpoints once the tasks (or replication configs) using them are gone (`deleted` of a
 * task), then the imported CA certificate; returns the endpoints' deleted facts.
 */
export function addEndpointCleanup(b: GraphBuilder, deleted: (task: Task) => string): string[] {
  const { plan } = b;
  const region = plan.dms.region;
  const endpointDeleted: string[] = [];
  for (const sourceDb of plan.source.databases) {
    const tasksDeleted = tasksOf(plan, sourceDb).map(deleted);
    for (const id of [sourceEndpointId(plan, sourceDb), targetEndpointId(plan, sourceDb)]) {
      b.add({
        id: nodeId.dmsEndpointDelete(id),
        kind: 'DmsEndpointDelete',
        phase: 'cleanup',
        title: `Delete DMS endpoint ${id}`,
        requires: [fact.endpointCreated(id), ...tasksDeleted],
        provides: [fact.endpointDeleted(id)],
        input: {
          artifact: null,
          region,
          request: { EndpointArn: refPlaceholder(nodeId.dmsEndpointCreate(id), 'arn') },
          endpoint: id,
        },
        origin: '/cutover/cleanup/dms_resources',
        gate: 'cleanup',
      });
      endpointDeleted.push(fact.endpointDeleted(id));
    }
  }
  if (importedCertificate(plan) !== null) {
    const id = targetCertificateId(plan);
    // DMS refuses to delete a certificate an endpoint still names.
    const targets = plan.source.databases.map((db) => fact.endpointDeleted(targetEndpointId(plan, db)));
    b.add({
      id: nodeId.dmsCertificateDelete(id),
      kind: 'DmsCertificateDelete',
      phase: 'cleanup',
      title: `Delete the target's CA certificate ${id} from DMS`,
      requires: [fact.certificateImported(id), ...targets],
      provides: [fact.certificateDeleted(id)],
      input: {
        artifact: null,
        region,
        request: { CertificateArn: refPlaceholder(nodeId.dmsCertificateImport(id), 'arn') },
        certificate: id,
      },
      origin: '/cutover/cleanup/dms_resources',
      gate: 'cleanup',
    });
  }
  return endpointDeleted;
}
