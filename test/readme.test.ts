// The README documents every diagnostic code. The table between its `rules` markers is generated from
// the code registry; this test fails when it is stale, and `npm run docs:readme` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../compiler/front/codes.js';
import '../compiler/rules/index.js';
import '../compiler/graph/verify-graph.js';
import { allCodes } from '../compiler/diagnostics/codes.js';

const readmePath = join(import.meta.dirname, '..', 'README.md');
const begin = '<!-- rules:begin -->';
const end = '<!-- rules:end -->';

function rulesTable(): string {
  const escapePipes = (text: string) => text.replace(/\|/g, '\\|');
  const rows = allCodes().map((c) => `| \`${c.code}\` | \`${c.name}\` | ${c.severity} | ${escapePipes(c.title)} |`);
  return ['| Code | Name | Severity | What it checks |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

describe('README', () => {
  it('lists every diagnostic code between the rules markers', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(begin);
    const stop = readme.indexOf(end);
    expect(start, 'README.md has the rules:begin marker').toBeGreaterThan(0);
    expect(stop, 'README.md has the rules:end marker after it').toBeGreaterThan(start);
    const expected = `${readme.slice(0, start + begin.length)}\n${rulesTable()}\n${readme.slice(stop)}`;
    if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(readmePath, expected);
    expect(readme, 'the rules table is stale: run `npm run docs:readme`').toBe(expected);
  });

  it('opens with the install + compile command and the test command', () => {
    const lines = readFileSync(readmePath, 'utf8').split('\n');
    expect(lines[3]).toMatch(/^npm ci && npx pgferry compile plans\/\S+\.yaml -o build\//);
    expect(lines[4]).toMatch(/^npm test\b/);
  });
});
