import { describe, test } from 'vitest';
import type { Assessment } from '../../../compiler/model/plan.js';
import { assessmentRule } from '../../../compiler/rules/assessment.js';
import { assessmentSettings } from '../../support/base-plan.js';
import { basePlan, expectRow, planWith, type Row } from './builders.js';

const settings: Assessment = assessmentSettings;
const assessed = (patch: Partial<Assessment>, rest: Parameters<typeof planWith>[0] = {}) =>
  planWith({ ...rest, dms: { ...(rest.dms ?? {}), assessment: { ...settings, ...patch } } });

describe('assessment settings', () => {
  const rows: Row[] = [
    { name: 'no assessment passes', plan: basePlan, want: [] },
    { name: 'an assessment on a replication instance passes', plan: assessed({}), want: [] },
    {
      name: 'include and exclude together',
      plan: assessed({ include: ['postgres-check-wallevel'], exclude: ['postgres-check-replication-slots-count'] }),
      want: ['PGF3240@/dms/assessment/exclude'],
      words: ['not both'],
    },
    {
      name: 'a KMS key that is not a key ARN',
      plan: assessed({ kms_key_arn: 'my-key' }),
      want: ['PGF3240@/dms/assessment/kms_key_arn'],
      words: ['not a KMS key ARN'],
    },
    {
      name: 'a KMS key ARN passes',
      plan: assessed({ kms_key_arn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
      want: [],
    },
    {
      name: 'engine logical has no task to assess',
      plan: assessed({}, { engine: 'logical' }),
      want: ['PGF3240@/dms/assessment'],
      words: ['engine logical'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(assessmentRule, row));
});
