// The agent loads pg through agent/pg/driver.ts so that pg's Cloudflare probe does not load Node's
// bundled fetch (undici, zlib: ~5 MB of idle RSS on Node 20), and leaves no `navigator` global behind.
// Run in a fresh Node process over the built dist/ (what pgferry-agent runs), where nothing else has
// loaded fetch yet.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function probe(module: string): { undici: boolean; navigator: string; pool: string } {
  const code = `
const pg = (await import(${JSON.stringify(pathToFileURL(join(root, module)).href)})).default;
console.log(JSON.stringify({
  undici: process.moduleLoadList.some((m) => m.includes('undici')),
  navigator: typeof globalThis.navigator,
  pool: typeof pg.Pool,
}));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('pg as the agent loads it', () => {
  it('loads no fetch implementation and leaves the globals as Node has them', () => {
    const navigatorBefore = execFileSync(process.execPath, ['-p', 'typeof globalThis.navigator'], {
      encoding: 'utf8',
    }).trim();
    expect(probe('dist/agent/pg/driver.js')).toEqual({ undici: false, navigator: navigatorBefore, pool: 'function' });
  });

  it('the probe sees what it must: pg imported directly loads fetch on a Node without navigator', () => {
    const direct = probe('node_modules/pg/lib/index.js');
    const hasNavigator = execFileSync(process.execPath, ['-p', 'typeof globalThis.navigator'], {
      encoding: 'utf8',
    }).trim();
    expect(direct.undici).toBe(hasNavigator !== 'object');
  });
});
