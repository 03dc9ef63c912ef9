// Waivers: reviewed, in-plan acceptance of warnings (style.md §3.3). Only warnings and infos can be
// waived; a waiver for an error, for an unknown code, or that matched nothing is itself reported.

import { defineCode, lookupCode } from '../diagnostics/codes.js';
import type { Plan } from '../model/plan.js';
import type { Finding } from './rule.js';

export const WAIVER_UNUSED = defineCode({
  code: 'PGF3900',
  name: 'waiver-unused',
  severity: 'warning',
  title: 'A waiver matches no finding',
  explanation:
    'The waived code was not reported for this plan, so the waiver is stale: the problem was fixed or the code is ' +
    'misspelt. Remove the waiver so that it does not hide a future finding.',
});

export const WAIVER_INVALID = defineCode({
  code: 'PGF3901',
  name: 'waiver-invalid',
  severity: 'error',
  title: 'A waiver names an unknown code or an error',
  explanation:
    'Only warnings and infos can be waived; errors describe plans that cannot work and must be fixed. A waiver ' +
    'must also name a registered code (see `pgferry rules`) and give a reason.',
});

function effectiveSeverity(finding: Finding): string {
  return finding.severity ?? lookupCode(finding.code)?.severity ?? 'error';
}

/** The findings with waived warnings removed, plus findings about the waivers themselves. */
export function applyWaivers(plan: Plan, findings: readonly Finding[]): Finding[] {
  const usable = new Map<string, number>();
  const extra: Finding[] = [];
  plan.waivers.forEach((waiver, index) => {
    const pointer = `/waivers/${index}`;
    const info = lookupCode(waiver.code);
    if (!info || info.code !== waiver.code.toUpperCase()) {
      extra.push({
        code: WAIVER_INVALID.code,
        pointer: `${pointer}/code`,
        message: `waiver names "${waiver.code}", which is not a known code`,
      });
    } else if (info.severity === 'error') {
      extra.push({
        code: WAIVER_INVALID.code,
        pointer: `${pointer}/code`,
        message: `waiver for ${info.code} (${info.name}) is not allowed: errors cannot be waived`,
      });
    } else if (waiver.reason.trim() === '') {
      extra.push({
        code: WAIVER_INVALID.code,
        pointer: `${pointer}/reason`,
        message: `waiver for ${info.code} gives no reason`,
      });
    } else usable.set(info.code, index);
  });
  const used = new Set<string>();
  const kept = findings.filter((finding) => {
    if (usable.has(finding.code) && effectiveSeverity(finding) !== 'error') {
      used.add(finding.code);
      return false;
    }
    return true;
  });
  for (const [code, index] of usable) {
    if (!used.has(code)) {
      extra.push({
        code: WAIVER_UNUSED.code,
        pointer: `/waivers/${index}`,
        message: `waiver for ${code} matches no finding`,
      });
    }
  }
  return [...kept, ...extra];
}
