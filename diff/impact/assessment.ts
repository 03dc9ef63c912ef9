// dms.assessment in the impact summary. An assessment run is never modified: DMS has no
// Modify…AssessmentRun, only Start, Cancel and Delete. Changed settings name a new run (the name
// carries their hash), which apply starts before each task that has not started yet.

import { assessmentRunName } from '../../compiler/emit/assessment-request.js';
import type { Plan } from '../../compiler/model/plan.js';
import { type Consequence, sameJson } from './consequence.js';
import { leafChanges } from './leaves.js';

export function assessmentImpact(before: Plan, after: Plan): Consequence[] {
  const was = before.dms.assessment;
  const now = after.dms.assessment;
  if (sameJson(was, now)) return [];
  const details = leafChanges(was ?? {}, now ?? {}, 'dms.assessment');
  if (now === null) {
    return [
      {
        severity: 'low',
        kind: 'dms-delete',
        subject: 'dms/assessment',
        message: 'premigration assessments no longer gate the tasks (runs already made stay in DMS and S3)',
        details,
      },
    ];
  }
  return after.dms.tasks.map((task) => ({
    severity: 'low' as const,
    kind: 'dms-create' as const,
    subject: `dms/tasks/${task.id}`,
    message: `task '${task.id}': new premigration assessment run ${assessmentRunName(task, now)} before it starts (an assessment run cannot be modified; a task already started is not assessed again)`,
    details,
  }));
}
