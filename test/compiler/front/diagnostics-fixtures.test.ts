// One bad plan per front-end code under test/fixtures/front/diagnostics/<CODE>-<name>.yaml (first line:
// why it is bad) with its rendered text diagnostics beside it (.txt, rewritten with
// PGFERRY_UPDATE_GOLDEN=1). Every PGF1xxx/PGF2xxx code must have a fixture unless listed as exempt.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../../compiler/diagnostics/render.js';
import { parseCodes, schemaCodes } from '../../../compiler/front/codes.js';
import { loadPlan } from '../../../compiler/front/load-plan.js';

const dir = 'test/fixtures/front/diagnostics';
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

/** Codes a fixture file cannot show, and why. */
const exempt: Record<string, string> = {
  PGF1007: 'a 16 MiB fixture is not worth storing; load-plan.test.ts generates one',
  PGF1010: 'an unreadable file cannot be a fixture; load-plan.test.ts reads a missing path',
  PGF2010: 'fallback for schema keywords without a specific code; the schema uses none today',
};

describe('front-end diagnostics fixtures', () => {
  it.each(fixtures)('%s', async (name) => {
    const path = join(dir, name);
    const bytes = readFileSync(path);
    const { diagnostics } = await loadPlan(path, bytes);
    expect(diagnostics[0]?.code).toBe(name.slice(0, 7));
    const text = renderText(diagnostics, { sourceText: () => bytes.toString('utf8') });
    const golden = path.replace(/\.yaml$/, '.txt');
    if (process.env.PGFERRY_UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    expect(existsSync(golden), `missing ${golden}; got:\n${text}`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('every front-end code has a fixture or a reason not to', () => {
    const covered = new Set(fixtures.map((name) => name.slice(0, 7)));
    const missing = [...Object.values(parseCodes), ...Object.values(schemaCodes)]
      .map((info) => info.code)
      .filter((code) => !covered.has(code) && !(code in exempt));
    expect(missing).toEqual([]);
  });
});
