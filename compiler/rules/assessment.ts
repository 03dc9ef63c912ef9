// dms.assessment against what StartReplicationTaskAssessmentRun accepts and what pgferry can assess: DMS
// refuses IncludeOnly together with Exclude, a KMS key that is not a KMS key ARN, and pgferry assesses
// replication tasks only (not DMS Serverless replications, not the logical engine, which has no task).

import { defineCode } from '../diagnostics/codes.js';
import { isServerless } from '../knowledge/dms-compute.js';
import type { Rule } from './rule.js';

export const ASSESSMENT_SETTINGS = defineCode({
  code: 'PGF3240',
  name: 'assessment-settings',
  severity: 'error',
  title: 'The premigration assessment settings cannot run',
  explanation:
    'dms.assessment runs AWS DMS premigration assessments (StartReplicationTaskAssessmentRun) on every task ' +
    'before it starts; a failed assessment stops the task from starting. DMS accepts either a list of assessments ' +
    'to include or a list to exclude, not both; ResultKmsKeyArn must be a KMS key ARN (arn:aws:kms:region:account:key/…). ' +
    'pgferry assesses replication tasks on a replication instance: with dms.serverless or engine logical there is no ' +
    'replication task to assess.',
});

const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)\/.+$/;

export const assessmentRule: Rule = {
  codes: [ASSESSMENT_SETTINGS],
  needsCatalog: false,
  check({ plan, report }) {
    const assessment = plan.dms.assessment;
    if (assessment === null) return;
    if (plan.engine !== 'dms') {
      report({
        code: ASSESSMENT_SETTINGS.code,
        pointer: '/dms/assessment',
        message: 'engine logical has no DMS replication task for a premigration assessment to run on',
        hint: 'remove dms.assessment, or use engine dms',
      });
    } else if (isServerless(plan)) {
      report({
        code: ASSESSMENT_SETTINGS.code,
        pointer: '/dms/assessment',
        message: 'pgferry runs premigration assessments on replication tasks, and dms.serverless has none',
        hint: 'remove dms.assessment, or run the tasks on a replication_instance',
      });
    }
    if (assessment.include.length > 0 && assessment.exclude.length > 0) {
      report({
        code: ASSESSMENT_SETTINGS.code,
        pointer: '/dms/assessment/exclude',
        message: 'DMS takes either the assessments to include or those to exclude, not both',
        hint: 'keep include (only those run) or exclude (all but those run)',
      });
    }
    if (assessment.kms_key_arn !== null && !KMS_ARN.test(assessment.kms_key_arn)) {
      report({
        code: ASSESSMENT_SETTINGS.code,
        pointer: '/dms/assessment/kms_key_arn',
        message: `"${assessment.kms_key_arn}" is not a KMS key ARN`,
        hint: 'arn:aws:kms:<region>:<account>:key/<key id>',
      });
    }
  },
};
