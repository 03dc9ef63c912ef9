// dms.assessment: one DmsAssessmentRun per task, after the task is created and before it starts (a
// task's premigration assessment runs on the created, not yet running, task); the start waits for it,
// so a failed assessment keeps the task from ever starting. Only tasks on a replication instance:
// the rules refuse the key with DMS Serverless or the logical engine (no replication task to assess).

import { assessmentRequest } from '../emit/assessment-request.js';
import { isServerless } from '../knowledge/dms-compute.js';
import { nodeId } from '../model/node-ids.js';
import type { GraphBuilder } from './builder.js';
import { fact } from './facts.js';

export function addAssessments(b: GraphBuilder): void {
  const { plan } = b;
  const assessment = plan.dms.assessment;
  if (assessment === null || plan.engine !== 'dms' || isServerless(plan)) return;
  for (const task of plan.dms.tasks) {
    b.add({
      id: nodeId.dmsTaskAssess(task.id),
      kind: 'DmsAssessmentRun',
      phase: 'prepare',
      title: `Premigration assessment of DMS task ${task.id}`,
      requires: [fact.taskCreated(task.id)],
      provides: [fact.taskAssessed(task.id)],
      input: {
        artifact: null,
        region: plan.dms.region,
        task: task.id,
        request: assessmentRequest(plan, task, assessment),
      },
      origin: '/dms/assessment',
    });
    b.requireBefore(nodeId.dmsTaskStart(task.id), fact.taskAssessed(task.id));
  }
}
