// Builds dist/ with tsc and copies the non-TypeScript assets the runtime reads
// (handlebars templates, the plan schema, the `status --serve` page, the precompiled validators, which
// are JavaScript with declarations beside them: contracts/ajv-standalone.ts). Runs on `npm ci` through `prepare`,
// so `npx pgferry` works on a fresh clone without a separate build step.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

const assetExtensions = ['.hbs', '.json', '.sql'];
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      copyAssets(path);
    } else if (assetExtensions.some((ext) => name.endsWith(ext)) || name.endsWith('.generated.js')) {
      const out = join(root, 'dist', relative(root, path));
      mkdirSync(dirname(out), { recursive: true });
      cpSync(path, out);
    }
  }
}
for (const dir of ['compiler', 'agent', 'executor', 'contracts', 'schema', 'diff', 'catalog', 'init']) {
  if (existsSync(join(root, dir))) copyAssets(join(root, dir));
}
// The status page's HTML, script and styles are served as they are (executor/status-server.ts).
cpSync(join(root, 'executor', 'status-page'), join(root, 'dist', 'executor', 'status-page'), { recursive: true });
