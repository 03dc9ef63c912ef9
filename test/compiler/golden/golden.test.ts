// Golden files: every example plan in plans/ compiled into test/fixtures/golden/<plan file stem>/.
// `PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/compiler/golden` rewrites them; otherwise any byte of
// difference, a missing file or a stale extra file fails.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dms from '@aws-sdk/client-database-migration-service';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../../../compiler/graph/build-graph.js';
import { compilePlan } from '../../../compiler/index.js';
import type { Plan } from '../../../compiler/model/plan.js';
import { emitArtifacts } from '../../../compiler/output.js';
import { checkAgainstModel } from '../emit/dms-model.js';

const model = dms as unknown as Record<string, unknown>;

/** The DMS API message each JSON artifact is an input of (pretty copies are not API inputs). */
function messageOf(path: string): unknown {
  if (path === 'dms/replication-instance.json') return model.CreateReplicationInstanceMessage$;
  if (path.startsWith('dms/endpoints/')) return model.CreateEndpointMessage$;
  if (/^dms\/tasks\/[^/.]+\.json$/.test(path)) return model.CreateReplicationTaskMessage$;
  if (/^dms\/replications\/[^/.]+\.json$/.test(path)) return model.CreateReplicationConfigMessage$;
  return undefined;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const plansDir = join(root, 'plans');
const goldenDir = join(root, 'test', 'fixtures', 'golden');
const update = process.env.PGFERRY_UPDATE_GOLDEN === '1';

const planFiles = readdirSync(plansDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

async function compileExample(name: string): Promise<{ plan: Plan; files: Map<string, string> }> {
  const result = await compilePlan(`plans/${name}`, { text: readFileSync(join(plansDir, name)) });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.pointer}: ${d.message}`)).toEqual([]);
  return { plan: result.plan!, files: new Map(result.artifacts.map((a) => [a.path, a.content])) };
}

function shuffleKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffleKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, shuffleKeys(v)]),
    );
  }
  return value;
}

describe.each(planFiles)('%s', (name) => {
  const dir = join(goldenDir, name.replace(/\.yaml$/, ''));

  test('compiled artifacts match the golden files', async () => {
    const { files } = await compileExample(name);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, content] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
    expect(listFiles(dir)).toEqual([...files.keys()].sort());
    for (const [path, content] of files) {
      expect(readFileSync(join(dir, path), 'utf8'), `${name}: ${path}`).toBe(content);
    }
  });

  test('every DMS input file is accepted by the DMS API model', async () => {
    const { files } = await compileExample(name);
    const checked = [...files].filter(([path]) => messageOf(path) !== undefined);
    // Two endpoints and a task or replication config at least (a replication instance too without Serverless).
    expect(checked.length).toBeGreaterThanOrEqual(3);
    for (const [path, content] of checked) {
      expect(checkAgainstModel(JSON.parse(content), messageOf(path)), path).toEqual([]);
    }
  });

  test('deterministic: twice the same bytes, and plan key order changes nothing', async () => {
    const { plan } = await compileExample(name);
    const once = emitArtifacts(plan, buildGraph(plan));
    const twice = emitArtifacts(plan, buildGraph(plan));
    const shuffledPlan = shuffleKeys(plan) as Plan;
    const shuffled = emitArtifacts(shuffledPlan, buildGraph(shuffledPlan));
    expect(twice).toEqual(once);
    expect(shuffled).toEqual(once);
    for (const artifact of once) expect(artifact.content.endsWith('\n'), artifact.path).toBe(true);
  });
});

test('the example plans are there', () => {
  expect(planFiles.length).toBeGreaterThanOrEqual(3);
});
