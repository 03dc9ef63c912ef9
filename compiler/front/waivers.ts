// Waivers: a plan may accept named warnings (`waivers: [{code, reason}]`). A waived warning is dropped;
// waiving an error is itself an error (errors must be fixed), and a waiver that matched nothing is a
// warning, so stale waivers cannot silently hide a future problem.

import { lookupCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Plan } from '../model/plan.js';
import { schemaCodes } from './codes.js';
import type { Locate } from './locate.js';

export function applyWaivers(
  plan: Plan,
  diagnostics: readonly Diagnostic[],
  file: string,
  locate: Locate,
): Diagnostic[] {
  const waived = new Map<string, number>();
  plan.waivers.forEach((waiver, index) => {
    if (!waived.has(waiver.code)) waived.set(waiver.code, index);
  });
  const used = new Set<string>();
  const kept = diagnostics.filter((d) => {
    if (d.severity !== 'warning' || !waived.has(d.code)) return true;
    used.add(d.code);
    return false;
  });
  const problems: Diagnostic[] = [];
  plan.waivers.forEach((waiver, index) => {
    const known = lookupCode(waiver.code);
    const pointer = `/waivers/${index}/code`;
    const base = { file, pointer, span: locate(pointer), notes: [] };
    if (known?.severity === 'error') {
      const code = schemaCodes.waivedError;
      problems.push({
        ...base,
        code: code.code,
        name: code.name,
        severity: code.severity,
        message: `${waiver.code} (${known.name}) is an error and cannot be waived`,
        hint: 'fix the plan instead, then remove this waiver',
      });
    } else if (!used.has(waiver.code)) {
      const code = schemaCodes.unusedWaiver;
      problems.push({
        ...base,
        code: code.code,
        name: code.name,
        severity: code.severity,
        message: `the waiver for ${waiver.code} matches no warning`,
        hint: known ? 'remove the waiver' : `${waiver.code} is not a pgferry code; see \`pgferry rules\``,
      });
    }
  });
  return [...kept, ...problems];
}
