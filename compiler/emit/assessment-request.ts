// The StartReplicationTaskAssessmentRun request of a task (plan key dms.assessment), typed by the SDK's
// own input. The run's name carries a hash of its settings: the same settings name the same run, which
// a resumed apply adopts instead of starting a second; changed settings (say, an assessment excluded
// after it failed) name a new run.

import type { StartReplicationTaskAssessmentRunCommandInput } from '@aws-sdk/client-database-migration-service';
import { hashJson } from '../../contracts/canonical-json.js';
import { refPlaceholder } from '../../contracts/secret-ref.js';
import { nodeId } from '../model/node-ids.js';
import type { Assessment, Plan, Task } from '../model/plan.js';
import { tags } from './dms-requests.js';

export function assessmentRunName(task: Task, assessment: Assessment): string {
  const settings = hashJson(assessment).slice('sha256:'.length, 'sha256:'.length + 8);
  return `pgferry-${task.id}-${settings}`.slice(0, 255);
}

export function assessmentRequest(
  plan: Plan,
  task: Task,
  assessment: Assessment,
): StartReplicationTaskAssessmentRunCommandInput {
  return {
    ReplicationTaskArn: refPlaceholder(nodeId.dmsTaskCreate(task.id), 'arn'),
    ServiceAccessRoleArn: assessment.role_arn,
    ResultLocationBucket: assessment.bucket,
    ...(assessment.folder !== null ? { ResultLocationFolder: assessment.folder } : {}),
    ...(assessment.kms_key_arn !== null
      ? { ResultEncryptionMode: 'sse-kms', ResultKmsKeyArn: assessment.kms_key_arn }
      : { ResultEncryptionMode: 'sse-s3' }),
    AssessmentRunName: assessmentRunName(task, assessment),
    ...(assessment.include.length > 0 ? { IncludeOnly: [...assessment.include] } : {}),
    ...(assessment.exclude.length > 0 ? { Exclude: [...assessment.exclude] } : {}),
    Tags: tags(plan),
  };
}
