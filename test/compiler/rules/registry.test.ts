import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { allCodes, lookupCode } from '../../../compiler/diagnostics/codes.js';
import { checkPlan, ruleCodes, rules, runRules } from '../../../compiler/rules/index.js';
import type { Rule } from '../../../compiler/rules/rule.js';
import { compareText } from '../../../contracts/compare.js';
import { basePlan, cdcPlan, planWith } from './builders.js';

describe('rule catalogue', () => {
  const codes = ruleCodes();

  test('every code is registered, once, with a name, title and explanation', () => {
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
    expect(new Set(codes.map((c) => c.name)).size).toBe(codes.length);
    for (const info of codes) {
      expect(lookupCode(info.code)).toBe(info);
      expect(lookupCode(info.name)).toBe(info);
      expect(allCodes()).toContain(info);
      expect(info.code).toMatch(/^PGF[35]\d{3}$/);
      expect(info.title.length).toBeGreaterThan(10);
      expect(info.title).not.toContain('\n');
      expect(info.explanation.length).toBeGreaterThan(80);
    }
  });

  test('catalog rules use PGF5xxx and plan rules PGF3xxx', () => {
    for (const rule of rules) {
      for (const info of rule.codes) expect(info.code.startsWith(rule.needsCatalog ? 'PGF5' : 'PGF3')).toBe(true);
    }
  });

  test('ruleCodes is sorted by code', () => {
    expect(codes.map((c) => c.code)).toEqual([...codes.map((c) => c.code)].sort());
  });

  test('the base plan and the CDC plan have no errors or warnings beyond the known one', () => {
    expect(checkPlan(basePlan)).toEqual([]);
    expect(checkPlan(cdcPlan).map((f) => f.code)).toEqual(['PGF3213']);
  });

  test('findings are sorted by pointer then code', () => {
    const plan = planWith({
      source: { host: 'localhost', settings: { wal_sender_timeout: 10 } },
      dms: { region: 'nowhere', replication_instance: { publicly_accessible: true } },
    });
    const findings = checkPlan(plan);
    const keys = findings.map((f) => `${f.pointer} ${f.code}`);
    expect(keys).toEqual([...keys].sort(compareText));
    expect(findings.length).toBeGreaterThanOrEqual(4);
    expect(checkPlan(plan)).toEqual(findings);
  });

  test('a rule reporting a code it does not declare is a bug, caught loudly', () => {
    const rogue: Rule = {
      codes: [codes[0]!],
      needsCatalog: false,
      check: ({ report }) => report({ code: 'PGF3999', pointer: '', message: 'x' }),
    };
    expect(() => runRules([rogue], basePlan)).toThrow(/PGF3999/);
  });
});

describe('waivers', () => {
  const publicPlan = (waivers: { code: string; reason: string }[]) =>
    planWith({ dms: { replication_instance: { publicly_accessible: true } }, waivers });

  test('a waived warning disappears', () => {
    expect(checkPlan(publicPlan([{ code: 'PGF3210', reason: 'source reachable only over the internet' }]))).toEqual([]);
  });

  test('an unused waiver is a warning', () => {
    const findings = checkPlan(planWith({ waivers: [{ code: 'PGF3210', reason: 'x' }] }));
    expect(findings.map((f) => `${f.code}@${f.pointer}`)).toEqual(['PGF3900@/waivers/0']);
  });

  test('errors and unknown codes cannot be waived', () => {
    const findings = checkPlan(
      planWith({
        source: { host: 'localhost' },
        waivers: [
          { code: 'PGF3701', reason: 'x' },
          { code: 'PGF9999', reason: 'x' },
        ],
      }),
    );
    expect(findings.map((f) => `${f.code}@${f.pointer}`)).toEqual([
      'PGF3701@/source/host',
      'PGF3901@/waivers/0/code',
      'PGF3901@/waivers/1/code',
    ]);
  });

  test('a waiver without a reason is rejected', () => {
    const findings = checkPlan(publicPlan([{ code: 'PGF3210', reason: ' ' }]));
    expect(findings.map((f) => f.code)).toEqual(['PGF3210', 'PGF3901']);
  });
});

test('every rule code is exercised by at least one rule test', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const sources = readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
  const untested = ruleCodes()
    .map((info) => info.code)
    .filter((code) => !sources.includes(`'${code}`));
  expect(untested).toEqual([]);
});
