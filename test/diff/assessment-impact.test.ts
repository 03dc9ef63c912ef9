import { describe, expect, test } from 'vitest';
import type { Assessment } from '../../compiler/model/plan.js';
import { assessmentImpact } from '../../diff/impact/assessment.js';
import { assessmentSettings, basePlan, planWith } from '../support/base-plan.js';

const settings: Assessment = assessmentSettings;
const assessed = (patch: Partial<Assessment> = {}) => planWith({ dms: { assessment: { ...settings, ...patch } } });
const lines = (before = basePlan, after = basePlan) =>
  assessmentImpact(before, after).map(
    (c) => `${c.severity} ${c.kind} ${c.subject}: ${c.message} | ${c.details.join('; ')}`,
  );

describe('assessment impact', () => {
  test('nothing when the settings stay', () => expect(lines(assessed(), assessed())).toEqual([]));
  test('a settings change is a new run per task, never a modification', () => {
    const [line] = lines(assessed(), assessed({ exclude: ['postgres-check-wallevel'] }));
    expect(line).toMatch(
      /^low dms-create dms\/tasks\/orders-full-load: task 'orders-full-load': new premigration assessment run pgferry-orders-full-load-[0-9a-f]{8} before it starts \(an assessment run cannot be modified/,
    );
    expect(line).toContain('dms.assessment.exclude.0: (unset) → postgres-check-wallevel');
  });
  test('turning it off', () => expect(lines(assessed(), basePlan)[0]).toContain('no longer gate the tasks'));
});
