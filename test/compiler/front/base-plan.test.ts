import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../compiler/front/load-plan.js';
import { basePlan } from '../../support/base-plan.js';

describe('test/support/base-plan.ts', () => {
  it('equals the resolved plans/orders.yaml', async () => {
    const result = await loadPlan('plans/orders.yaml', readFileSync('plans/orders.yaml', 'utf8'));
    expect(result.diagnostics).toEqual([]);
    expect(result.plan).toEqual(basePlan);
  });
});
