// A pull-request comment: the impact as a list with severity markers, one collapsible block per
// artifact, and the execution graph with the change drawn on it.

import { compareText } from '../../contracts/compare.js';
import type { ArtifactChange } from '../artifact-diff.js';
import { NO_CONSEQUENCE, type Severity } from '../impact/consequence.js';
import type { PlanDiff } from '../plan-diff.js';
import { diffMermaid, MERMAID_TEXT_BUDGET } from './mermaid.js';

const MARKER: Record<Severity, string> = { high: '🔴 **high**', medium: '🟠 **medium**', low: '🔵 **low**' };

/** The longest run of backticks in `text` (a loop: a large patch could hold more runs than fit as arguments). */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}

/** A fence longer than any backtick run in the content, so patches never end the block early. */
function fence(content: string): string {
  return '`'.repeat(Math.max(2, longestBacktickRun(content)) + 1);
}

/** Inline code that survives backticks in the text (CommonMark: a longer run, padded by spaces). */
function code(text: string): string {
  const longest = longestBacktickRun(text);
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

/** Details shown under one consequence in a comment; the rest are counted. */
const MAX_DETAILS = 8;

/** Consequences are listed by risk until half the budget is used; the rest are counted. */
function impactSection(diff: PlanDiff, budget: number): string[] {
  const out = [`#### Impact (${diff.impact.length})`, ''];
  if (diff.impact.length === 0) out.push(`- ${NO_CONSEQUENCE}`);
  let used = 0;
  for (const [index, c] of diff.impact.entries()) {
    const lines = [`- ${MARKER[c.severity]}: ${c.message}`];
    for (const detail of c.details.slice(0, MAX_DETAILS)) lines.push(`  - ${code(detail)}`);
    if (c.details.length > MAX_DETAILS) lines.push(`  - … ${c.details.length - MAX_DETAILS} more`);
    const size = lines.join('\n').length + 1;
    if (used + size > budget / 2) {
      out.push(`- … ${diff.impact.length - index} more, less risky (run \`pgferry diff\` to see them)`);
      break;
    }
    out.push(...lines);
    used += size;
  }
  return out;
}

/** The picture, or a note when even the trimmed picture does not fit in `room` characters. */
function graphSection(diff: PlanDiff, room: number): string[] {
  const picture = diffMermaid(diff.old.graph, diff.new.graph, diff.graph);
  const heading = ['#### Execution graph', ''];
  if (picture.mermaid.length > Math.min(room, MERMAID_TEXT_BUDGET)) {
    return [
      ...heading,
      'The change touches too much of the graph to draw here; see `graph.json` above or run `pgferry graph`.',
    ];
  }
  const legend = 'Added nodes are green (+), removed red and dashed (−), changed yellow (~).';
  const trimmed = picture.trimmed
    ? ' The graph is too large for Mermaid: only changed nodes and their neighbours are drawn.'
    : '';
  return [...heading, `${legend}${trimmed}`, '', '```mermaid', picture.mermaid.replace(/\n$/, ''), '```'];
}

/** Characters kept for listing the artifacts whose patches are left out. */
const LIST_RESERVE = 2_000;

/** Patches in review order while they fit in `room`; the others listed while the list fits, then counted. */
function artifactSection(diff: PlanDiff, room: number): string[] {
  const ordered = [...diff.artifacts].sort(
    (a, b) => reviewRank(a.path) - reviewRank(b.path) || compareText(a.path, b.path),
  );
  const blocks: string[] = [];
  const omitted: ArtifactChange[] = [];
  // Room kept for the list of what is left out.
  let left = room - LIST_RESERVE;
  for (const a of ordered) {
    const block = artifactBlock(a);
    if (block.length + 1 <= left) {
      blocks.push(block);
      left -= block.length + 1;
    } else {
      omitted.push(a);
    }
  }
  if (omitted.length === 0) return blocks;
  const list: string[] = [];
  let listRoom = Math.max(left, 0) + LIST_RESERVE - 200;
  for (const [index, a] of omitted.entries()) {
    const line = `- ${code(a.path)}: ${a.status} (+${a.additions} −${a.deletions})`;
    if (line.length + 1 > listRoom) {
      list.push(`- … and ${omitted.length - index} more`);
      break;
    }
    list.push(line);
    listRoom -= line.length + 1;
  }
  return [...blocks, 'Left out to fit a pull-request comment (run `pgferry diff` to see them):', '', ...list, ''];
}

export function renderMarkdown(diff: PlanDiff, options: { budget?: number } = {}): string {
  if (!diff.changed) return '';
  const budget = options.budget ?? DEFAULT_COMMENT_BUDGET;
  const head = [
    `### pgferry diff: ${code(diff.old.displayName)} → ${code(diff.new.displayName)}`,
    '',
    ...impactSection(diff, budget),
    '',
    `#### Artifacts (${diff.artifacts.length} changed)`,
    '',
  ].join('\n');
  // The picture gets what the impact left (less room to list the artifacts), up to Mermaid's own
  // limit; patches get the rest.
  const listing = Math.min(LIST_RESERVE, 100 * diff.artifacts.length + 100);
  const tail = graphSection(diff, budget - head.length - listing).join('\n');
  const body = artifactSection(diff, budget - head.length - tail.length - 200).join('\n');
  return `${head}\n${body}\n${tail}\n`;
}
