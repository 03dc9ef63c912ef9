// Compile benchmark (issue "Plan language and compiler", Performance).
// Generates plans of 10 databases and 50 tasks listing 1k / 5k / 10k tables explicitly, then prints,
// per size, the whole-process wall time of `pgferry compile` and its ratio to a bare `node` process
// that only parses the same YAML with the same library. Prints figures; asserts nothing.
//
//   npm run build && npm run bench:compile            # RUNS=7 by default; RUNS=15 for steadier medians

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.env.RUNS ?? 7);
const sizes = [1000, 5000, 10000];
const databases = 10;
const tasksPerDatabase = 5;

export function generatePlan(tableCount) {
  const dbs = Array.from({ length: databases }, (_, i) => `db${i}`);
  const perTask = Math.ceil(tableCount / (databases * tasksPerDatabase));
  const lines = [
    'version: 1',
    `name: bench-${tableCount}`,
    'source:',
    '  host: 10.0.2.15',
    '  version: "13.14"',
    `  databases: [${dbs.join(', ')}]`,
    '  migration_user: { name: dms_user, password: { ssm: /bench/dms }, superuser: true }',
    '  write_roles: [app]',
    '  agent: { url: "https://10.0.2.15:8443", token: { ssm: /bench/agent } }',
    'target:',
    '  kind: rds',
    '  host: bench.example.eu-west-1.rds.amazonaws.com',
    '  version: "16.4"',
    '  admin_user: { name: postgres, password: { ssm: /bench/admin } }',
    '  migration_user: { name: postgres, password: { ssm: /bench/admin } }',
    'dms:',
    '  region: eu-west-1',
    '  replication_instance:',
    '    identifier: bench-ri',
    '    class: dms.r6i.xlarge',
    '    engine_version: "3.5.4"',
    '    source_cidrs: [10.0.1.0/24]',
    '  tasks:',
  ];
  let table = 0;
  for (const db of dbs) {
    for (let t = 0; t < tasksPerDatabase; t++) {
      lines.push(`    - id: ${db}-task-${t}`, `      database: ${db}`, '      migration_type: full-load-and-cdc');
      lines.push('      tables:', '        include:');
      for (let n = 0; n < perTask && table < tableCount; n++, table++) lines.push(`          - public.table_${table}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function time(command, args) {
  const start = process.hrtime.bigint();
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pgferry-bench-'));
  const parseOnly = join(dir, 'parse-only.mjs');
  writeFileSync(
    parseOnly,
    `import { readFileSync } from 'node:fs';\nimport { parse } from '${join(root, 'node_modules', 'yaml', 'dist', 'index.js')}';\nparse(readFileSync(process.argv[2], 'utf8'));\n`,
  );
  console.log(
    `pgferry compile benchmark: ${databases} databases, ${databases * tasksPerDatabase} tasks, median of ${runs} runs`,
  );
  console.log('tables  plan KiB  compile ms  bare node+yaml ms  ratio  ms per 1k tables');
  for (const size of sizes) {
    const plan = join(dir, `plan-${size}.yaml`);
    const text = generatePlan(size);
    writeFileSync(plan, text);
    const out = join(dir, `out-${size}`);
    const compile = [];
    const bare = [];
    for (let i = 0; i < runs; i++) {
      compile.push(time(process.execPath, [join(root, 'bin', 'pgferry.js'), 'compile', plan, '-o', out]));
      bare.push(time(process.execPath, [parseOnly, plan]));
    }
    const c = median(compile);
    const b = median(bare);
    console.log(
      `${String(size).padStart(6)}  ${(text.length / 1024).toFixed(0).padStart(8)}  ${c.toFixed(0).padStart(10)}  ${b
        .toFixed(0)
        .padStart(17)}  ${(c / b).toFixed(2).padStart(5)}  ${((c / size) * 1000).toFixed(1).padStart(16)}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
