// Renders bundle rules and splices them into pg_hba.conf between the agent's marker lines. Only the
// block changes: every other byte (comments, order, include lines, line endings) is kept as it was.
// The same rules always render to the same bytes, so re-applying a bundle is a byte-level no-op.

import type { HbaRule } from '../../contracts/bundle.js';
import { AgentError } from '../errors.js';
import type { HbaRecord } from './parse.js';

const KEYWORDS = new Set(['all', 'replication', 'sameuser', 'samerole', 'samegroup']);

function renderName(name: string): string {
  if (KEYWORDS.has(name) || /^[A-Za-z0-9_.$-]+$/.test(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function renderRule(rule: HbaRule): string {
  const fields = [rule.type, rule.database.map(renderName).join(','), rule.user.map(renderName).join(',')];
  if (rule.type !== 'local') fields.push(rule.address ?? 'all');
  fields.push(rule.method);
  const comment = rule.comment.replace(/[\r\n]+/g, ' ').trim();
  return `${comment ? `# ${comment}\n` : ''}${fields.join('\t')}\n`;
}

export const beginMarker = (block: string) => `# BEGIN pgferry ${block}`;
export const endMarker = (block: string) => `# END pgferry ${block}`;

export function renderBlock(block: string, rules: readonly HbaRule[]): string {
  return `${beginMarker(block)} (managed by pgferry-agent; edits inside are replaced)\n${rules.map(renderRule).join('')}${endMarker(block)}\n`;
}

export type Anchor = 'first_non_local_rule' | 'top' | 'bottom';

/** Lines with their terminators, so joining them gives back the exact input. */
function physicalLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

export interface BlockLocation {
  readonly begin: number;
  readonly end: number;
}

export function findBlock(text: string, block: string): BlockLocation | null {
  const lines = physicalLines(text);
  const begin = lines.findIndex(
    (l) => l.startsWith(beginMarker(block)) && /^( |\r?\n|$)/.test(l.slice(beginMarker(block).length)),
  );
  const end = lines.findIndex((l) => l.trimEnd() === endMarker(block));
  if (begin === -1 && end === -1) return null;
  if (begin === -1 || end === -1 || end < begin) {
    throw new AgentError(
      'HBA_VALIDATION_FAILED',
      `the managed block '${block}' in pg_hba.conf is damaged (marker missing or out of order)`,
      {
        details: [{ beginLine: begin + 1 || null, endLine: end + 1 || null }],
      },
    );
  }
  return { begin, end };
}

/**
 * The file with the block replaced (or inserted at the anchor, or removed when `rendered` is empty).
 * `records` are the parsed rules of the current file, used to find the anchor line.
 */
export function spliceBlock(
  text: string,
  block: string,
  rendered: string,
  anchor: Anchor,
  records: readonly HbaRecord[],
): string {
  const lines = physicalLines(text);
  const location = findBlock(text, block);
  if (location) {
    lines.splice(location.begin, location.end - location.begin + 1, ...(rendered ? [rendered] : []));
    return lines.join('');
  }
  if (!rendered) return text;
  let index = lines.length;
  if (anchor === 'top') index = 0;
  else if (anchor === 'first_non_local_rule') {
    const first = records.find((r) => r.type !== 'local');
    if (first) index = first.line - 1;
  }
  if (index === lines.length && lines.length > 0 && !lines[lines.length - 1]!.endsWith('\n')) {
    lines[lines.length - 1] += '\n';
  }
  lines.splice(index, 0, rendered);
  return lines.join('');
}
