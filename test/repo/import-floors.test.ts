// The import floors of biome.json (noRestrictedImports per folder): a module never imports a folder above
// its own. Each case lints a one-line probe with the repository's real Biome config in a scratch tree.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// [importing file, specifier, refused]
const CASES: readonly [string, string, boolean][] = [
  ['contracts/a.ts', '../compiler/index.js', true],
  ['contracts/a.ts', '../agent/roles.js', true],
  ['contracts/a.ts', './compare.js', false],
  ['secrets/a.ts', '../executor/lock.js', true],
  ['secrets/a.ts', '../contracts/retry.js', false],
  ['agent/a.ts', '../compiler/index.js', true],
  ['agent/pg/a.ts', '../../executor/lock.js', true],
  ['agent/a.ts', '../cli/io.js', true],
  ['agent/a.ts', '../diff/plan-diff.js', true],
  ['agent/a.ts', '../contracts/bundle.js', false],
  ['agent/a.ts', '../secrets/ssm.js', false],
  ['compiler/rules/a.ts', '../../executor/lock.js', true],
  ['compiler/a.ts', '../agent/roles.js', true],
  ['compiler/a.ts', '../cli/io.js', true],
  ['compiler/graph/a.ts', '../emit/target-sql.js', false],
  ['compiler/a.ts', '../contracts/graph.js', false],
  ['executor/a.ts', '../cli/io.js', true],
  ['executor/dms/a.ts', '../../agent/roles.js', true],
  ['executor/a.ts', '../compiler/index.js', false],
  ['diff/a.ts', '../executor/lock.js', true],
  ['catalog/a.ts', '../compiler/index.js', true],
  ['verify/a.ts', '../cli/io.js', true],
  ['verify/a.ts', '../agent/state/atomic-write.js', true],
  ['verify/a.ts', '../contracts/atomic-file.js', false],
  ['init/a.ts', '../executor/lock.js', true],
  ['cli/a.ts', '../executor/lock.js', false],
];

let scratch: string;
let refused: Set<string>;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pgferry-floors-'));
  copyFileSync(join(root, 'biome.json'), join(scratch, 'biome.json'));
  CASES.forEach(([file, specifier], i) => {
    const path = join(scratch, file.replace(/a\.ts$/, `probe${i}.ts`));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `import '${specifier}';\n`);
  });
  const biome = join(root, 'node_modules', '.bin', 'biome');
  let output: string;
  try {
    output = execFileSync(biome, ['lint', '--reporter=json', '--max-diagnostics=none', '.'], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    output = (error as { stdout: string }).stdout; // exit 1 when anything is refused
  }
  const report = JSON.parse(output) as { diagnostics: { category: string; location: { path: string } }[] };
  refused = new Set(
    report.diagnostics.filter((d) => d.category === 'lint/style/noRestrictedImports').map((d) => d.location.path),
  );
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it.each(CASES.map((c, i) => [...c, i] as const))('%s importing %s: refused %s', (file, _specifier, expected, i) => {
  expect(refused.has(file.replace(/a\.ts$/, `probe${i}.ts`))).toBe(expected);
});
