// A pull-request comment: the impact as a list with severity markers, one collapsible block per
// artifact, and the execution graph with the change drawn on it.

import type { ArtifactChange } from '../artifact-diff.js';
import { NO_CONSEQUENCE, type Severity } from '../impact/consequence.js';
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

/**
 * GitHub refuses comments over 65,536 characters; patches are left out (largest last in review order)
 * once the comment would pass this budget, and listed instead.
 */
export const DEFAULT_COMMENT_BUDGET = 60_000;

/** Review order: what runs on hosts and in AWS first; the graph, which the picture shows, last. */
function reviewRank(path: string): number {
  if (path.startsWith('source/')) return 0;
  if (path.startsWith('dms/')) return 1;
  if (path.startsWith('target/')) return 2;
  if (path.startsWith('graph.')) return 4;
  return 3;
}

function artifactBlock(a: ArtifactChange): string {
  const body = a.patch.replace(/\n$/, '');
  const ticks = fence(body);
  return [
    `<details><summary><code>${escapeHtml(a.path)}</code>: ${a.status} (+${a.additions} −${a.deletions})</summary>`,
    '',
    `${ticks}diff`,
    body,
    ticks,
    '',
    '</details>',
    '',
  ].join('\n');
}

function impactSection(diff: PlanDiff): string[] {
  const out = [`#### Impact (${diff.impact.length})`, ''];
  if (diff.impact.length === 0) out.push(`- ${NO_CONSEQUENCE}`);
  for (const c of diff.impact) {
    out.push(`- ${MARKER[c.severity]}: ${c.message}`);
    for (const detail of c.details) out.push(`  - ${code(detail)}`);
  }
  return out;
}

function graphSection(diff: PlanDiff): string[] {
  const picture = diffMermaid(diff.old.graph, diff.new.graph, diff.graph);
  const legend = 'Added nodes are green (+), removed red and dashed (−), changed yellow (~).';
  const trimmed = picture.trimmed
    ? ' The graph is too large for Mermaid: only changed nodes and their neighbours are drawn.'
    : '';
  return [
    '#### Execution graph',
    '',
    `${legend}${trimmed}`,
    '',
    '```mermaid',
    picture.mermaid.replace(/\n$/, ''),
    '```',
  ];
}

export function renderMarkdown(diff: PlanDiff, options: { budget?: number } = {}): string {
  if (!diff.changed) return '';
  const head = [
    `### pgferry diff: ${code(diff.old.displayName)} → ${code(diff.new.displayName)}`,
    '',
    ...impactSection(diff),
    '',
    `#### Artifacts (${diff.artifacts.length} changed)`,
    '',
  ].join('\n');
  const tail = graphSection(diff).join('\n');
  let room = (options.budget ?? DEFAULT_COMMENT_BUDGET) - head.length - tail.length - 400;
  const blocks: string[] = [];
  const omitted: ArtifactChange[] = [];
  const ordered = [...diff.artifacts].sort(
    (a, b) => reviewRank(a.path) - reviewRank(b.path) || a.path.localeCompare(b.path),
  );
  for (const a of ordered) {
    const block = artifactBlock(a);
    if (block.length + 1 <= room) {
      blocks.push(block);
      room -= block.length + 1;
    } else {
      omitted.push(a);
      room -= 120;
    }
  }
  if (omitted.length > 0) {
    blocks.push(
      'Left out to fit a pull-request comment (run `pgferry diff` to see them):',
      '',
      ...omitted.map((a) => `- ${code(a.path)}: ${a.status} (+${a.additions} −${a.deletions})`),
      '',
    );
  }
  return `${head}\n${blocks.join('\n')}\n${tail}\n`;
}
