// The terminal rendering: impact summary first, then the unified diff of each changed artifact.
// Colour only when asked (a TTY without NO_COLOR); the bytes are otherwise stable for golden tests.

import { NO_CONSEQUENCE, type Severity } from '../impact/consequence.js';
import type { PlanDiff } from '../plan-diff.js';

const SEVERITY_COLOR: Record<Severity, string> = { high: '\x1b[31;1m', medium: '\x1b[33m', low: '\x1b[36m' };
const RESET = '\x1b[0m';

function colourPatchLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return `\x1b[1m${line}${RESET}`;
  if (line.startsWith('+')) return `\x1b[32m${line}${RESET}`;
  if (line.startsWith('-')) return `\x1b[31m${line}${RESET}`;
  if (line.startsWith('@@')) return `\x1b[36m${line}${RESET}`;
  return line;
}

export function renderText(diff: PlanDiff, options: { color?: boolean } = {}): string {
  if (!diff.changed) return '';
  const color = options.color === true;
  const out: string[] = [`pgferry diff ${diff.old.displayName} → ${diff.new.displayName}`, ''];
  out.push(`Impact (${diff.impact.length}):`);
  if (diff.impact.length === 0) out.push(`  ${NO_CONSEQUENCE}`);
  for (const c of diff.impact) {
    const tag = `[${c.severity}]`.padEnd(8);
    out.push(`  ${color ? `${SEVERITY_COLOR[c.severity]}${tag}${RESET}` : tag} ${c.message}`);
    for (const detail of c.details) out.push(`           ${detail}`);
  }
  out.push('', `Artifacts (${diff.artifacts.length} changed):`);
  for (const a of diff.artifacts) out.push(`  ${a.status.padEnd(8)} ${a.path} (+${a.additions} −${a.deletions})`);
  for (const a of diff.artifacts) {
    out.push('');
    const patch = a.patch.replace(/\n$/, '');
    // One string per patch: spreading its lines into push() overflows the stack past ~100k lines.
    out.push(color ? patch.split('\n').map(colourPatchLine).join('\n') : patch);
  }
  return `${out.join('\n')}\n`;
}
