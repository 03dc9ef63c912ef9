import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../contracts/canonical-json.js';
import { run } from './fake-io.js';

const root = resolve('.');
const orders = readFileSync('plans/orders.yaml', 'utf8');
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'pgferry-compile-'));
  writeFileSync(join(work, 'orders.yaml'), orders);
  writeFileSync(join(work, 'broken.yaml'), orders.replace('  port: 5432\n  version', '  prot: 5432\n  version'));
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

describe('pgferry compile', () => {
  it('writes every artifact, with a manifest that hashes each file', async () => {
    const result = await run(['compile', 'orders.yaml', '-o', 'build'], { cwd: work });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^compiled orders\.yaml → build: \d+ nodes, \d+ artifacts, 0 warnings\n$/);
    const files = listFiles(join(work, 'build'));
    expect(files).toEqual(
      expect.arrayContaining(['MANIFEST.json', 'graph.json', 'graph.mmd', 'plan.resolved.json', 'source/bundle.json']),
    );
    const manifest = JSON.parse(readFileSync(join(work, 'build', 'MANIFEST.json'), 'utf8')) as {
      files: Record<string, string>;
    };
    expect(Object.keys(manifest.files).sort()).toEqual(files.filter((f) => f !== 'MANIFEST.json'));
    for (const [path, hash] of Object.entries(manifest.files)) {
      expect(sha256(readFileSync(join(work, 'build', path), 'utf8')), path).toBe(hash);
    }
    // Nothing is left behind next to the output directory.
    expect(readdirSync(work).sort()).toEqual(['broken.yaml', 'build', 'orders.yaml']);
  });

  it('is deterministic: compiling twice gives the same bytes', async () => {
    await run(['compile', 'orders.yaml', '-o', 'a'], { cwd: work });
    await run(['compile', 'orders.yaml', '-o', 'b'], { cwd: work });
    const a = listFiles(join(work, 'a'));
    expect(listFiles(join(work, 'b'))).toEqual(a);
    for (const file of a)
      expect(readFileSync(join(work, 'b', file), 'utf8')).toBe(readFileSync(join(work, 'a', file), 'utf8'));
  });

  it('writes nothing when the plan has errors, and leaves an earlier output untouched', async () => {
    await run(['compile', 'orders.yaml', '-o', 'build'], { cwd: work });
    const before = listFiles(join(work, 'build'));
    const manifest = readFileSync(join(work, 'build', 'MANIFEST.json'), 'utf8');
    const result = await run(['compile', 'broken.yaml', '-o', 'build'], { cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.yaml:11:3: error PGF2001 [unknown-key]');
    expect(result.stderr).toContain('nothing written');
    expect(listFiles(join(work, 'build'))).toEqual(before);
    expect(readFileSync(join(work, 'build', 'MANIFEST.json'), 'utf8')).toBe(manifest);
    expect(existsSync(join(work, 'fresh'))).toBe(false);
    expect((await run(['compile', 'broken.yaml', '-o', 'fresh'], { cwd: work })).code).toBe(1);
    expect(existsSync(join(work, 'fresh'))).toBe(false);
  });

  it('replaces an earlier pgferry output, dropping its stale files', async () => {
    await run(['compile', 'orders.yaml', '-o', 'build'], { cwd: work });
    writeFileSync(join(work, 'build', 'stale.json'), '{}\n');
    const result = await run(['compile', 'orders.yaml', '-o', 'build'], { cwd: work });
    expect(result.code).toBe(0);
    expect(existsSync(join(work, 'build', 'stale.json'))).toBe(false);
  });

  it('refuses to replace a directory that is not a pgferry output: exit 2', async () => {
    mkdirSync(join(work, 'precious'));
    writeFileSync(join(work, 'precious', 'notes.txt'), 'keep me\n');
    const result = await run(['compile', 'orders.yaml', '-o', 'precious'], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('precious is not empty and has no pgferry MANIFEST.json');
    expect(readdirSync(join(work, 'precious'))).toEqual(['notes.txt']);
  });

  it('writes into an existing empty directory', async () => {
    mkdirSync(join(work, 'empty'));
    expect((await run(['compile', 'orders.yaml', '-o', 'empty'], { cwd: work })).code).toBe(0);
    expect(existsSync(join(work, 'empty', 'MANIFEST.json'))).toBe(true);
  });

  it('needs -o and exactly one plan: exit 2', async () => {
    expect((await run(['compile', 'orders.yaml'], { cwd: work })).code).toBe(2);
    expect((await run(['compile', '-o', 'x'], { cwd: work })).code).toBe(2);
    expect((await run(['compile', 'orders.yaml', 'broken.yaml', '-o', 'x'], { cwd: work })).code).toBe(2);
  });

  it('compiles every example plan', async () => {
    for (const plan of ['plans/orders.yaml', 'plans/shop-cdc.yaml', 'plans/patroni.yaml']) {
      const result = await run(['compile', plan, '-o', join(work, plan)], { cwd: root });
      expect(result.code, result.stderr).toBe(0);
    }
    expect(existsSync(join(work, 'plans/patroni.yaml/source/patroni.yaml.snippet'))).toBe(true);
  });
});
