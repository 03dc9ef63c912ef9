// A pull-request comment: the impact as a list with severity markers, one collapsible block per
// artifact, and the execution graph with the change drawn on it.

import type { Severity } from '../impact/consequence.js';
import type { PlanDiff } from '../plan-diff.js';
import { diffMermaid } from './mermaid.js';

const MARKER: Record<Severity, string> = { high: '🔴 **high**', medium: '🟠 **medium**', low: '🔵 **low**' };

/** A fence longer than any backtick run in the content, so patches never end the block early. */
function fence(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** Inline code that survives backticks in the text (CommonMark: a longer run, padded by spaces). */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = longest > 0 ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderMarkdown(diff: PlanDiff): string {
  if (!diff.changed) return '';
  const out: string[] = [
    `### pgferry diff: ${code(diff.old.displayName)} → ${code(diff.new.displayName)}`,
    '',
    `#### Impact (${diff.impact.length})`,
    '',
  ];
  for (const c of diff.impact) {
    out.push(`- ${MARKER[c.severity]}: ${c.message}`);
    for (const detail of c.details) out.push(`  - ${code(detail)}`);
  }
  out.push('', `#### Artifacts (${diff.artifacts.length} changed)`, '');
  for (const a of diff.artifacts) {
    const body = a.patch.replace(/\n$/, '');
    const ticks = fence(body);
    out.push(
      `<details><summary><code>${escapeHtml(a.path)}</code>: ${a.status} (+${a.additions} −${a.deletions})</summary>`,
      '',
      `${ticks}diff`,
      body,
      ticks,
      '',
      '</details>',
      '',
    );
  }
  out.push(
    '#### Execution graph',
    '',
    'Added nodes are green (+), removed red and dashed (−), changed yellow (~).',
    '',
    '```mermaid',
    diffMermaid(diff.old.graph, diff.new.graph, diff.graph).replace(/\n$/, ''),
    '```',
  );
  return `${out.join('\n')}\n`;
}
