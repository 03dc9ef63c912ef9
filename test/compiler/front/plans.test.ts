// Every example plan in plans/ must compile with no errors; the warnings each one is meant to show
// are listed, so a new warning on an example is a deliberate change.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../../compiler/diagnostics/render.js';
import { compilePlan } from '../../../compiler/index.js';

const plans = readdirSync('plans')
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('example plans', () => {
  it('there are at least the three documented examples', () => {
    expect(plans).toEqual(expect.arrayContaining(['orders.yaml', 'patroni.yaml', 'shop-cdc.yaml']));
  });

  it.each(plans)('plans/%s compiles without errors', async (name) => {
    const result = await compilePlan(`plans/${name}`);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors, renderText(result.diagnostics)).toEqual([]);
    expect(result.graph).not.toBeNull();
    expect(result.artifacts.map((a) => a.path)).toEqual(
      expect.arrayContaining(['MANIFEST.json', 'graph.json', 'graph.mmd', 'plan.resolved.json']),
    );
  });
});

describe('the local rehearsal plan (test/fixtures/front/rehearsal-local.yaml)', () => {
  it('compiles: a loopback source is fine for a logical-replication rehearsal', async () => {
    const result = await compilePlan('test/fixtures/front/rehearsal-local.yaml');
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    expect(result.plan?.engine).toBe('logical');
    expect(errors, renderText(result.diagnostics)).toEqual([]);
  });
});

describe('the same plan for DMS with a loopback source (test/fixtures/front/loopback-source.yaml)', () => {
  it('is schema-valid and fails only the loopback-source rule', async () => {
    const result = await compilePlan('test/fixtures/front/loopback-source.yaml');
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    expect(result.plan?.engine).toBe('dms');
    expect([...new Set(errors)], renderText(result.diagnostics)).toEqual(['PGF3701']);
  });
});
