import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../compiler/front/load-plan.js';
import { basePlan, patchPlan, planWith } from '../../support/base-plan.js';

describe('test/support/base-plan.ts', () => {
  it('equals the resolved plans/orders.yaml', async () => {
    const result = await loadPlan('plans/orders.yaml', readFileSync('plans/orders.yaml', 'utf8'));
    expect(result.diagnostics).toEqual([]);
    expect(result.plan).toEqual(basePlan);
  });

  it('planWith replaces a secret reference whole, not key by key', () => {
    const plan = planWith({ source: { agent: { token: { secretsManager: 'pgferry/agent' } } } });
    expect(plan.source.agent.token).toEqual({ secretsManager: 'pgferry/agent' });
    expect(plan.source.agent.url).toBe(basePlan.source.agent.url);
  });

  it('patchPlan replaces an object whose mode changes, and merges one whose keys stay', () => {
    const secretsManager = planWith({
      dms: { credentials: { mode: 'secrets_manager', access_role_arn: 'arn:aws:iam::1:role/x' } },
    });
    expect(patchPlan(secretsManager, { dms: { credentials: { mode: 'ssm' } } }).dms.credentials).toEqual({
      mode: 'ssm',
    });
    const sameShape = planWith({ source: { existing_replication: { slots: 2 } } });
    expect(sameShape.source.existing_replication).toEqual({ slots: 2, wal_senders: 0 });
  });
});
