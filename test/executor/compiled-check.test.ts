// `--compiled DIR` is verified before any node runs: a stale format, a file changed or added after the
// compile, a hand-edited graph (edges removed, the restart node's consent gate removed) are refused with
// the file and what is wrong; the untouched directory runs.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../cli/io.js';
import { compilePlan } from '../../compiler/index.js';
import { sha256 } from '../../contracts/canonical-json.js';

const PLAN = fileURLToPath(new URL('../../plans/shop-cdc.yaml', import.meta.url));
type Graph = { formatVersion: number; edges: unknown[]; nodes: { id: string; kind: string; gate: string | null }[] };

let base: string;
let files: { path: string; content: string }[];
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'pgferry-compiled-'));
  files = (await compilePlan(PLAN)).artifacts.map((item) => ({ path: item.path, content: item.content }));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function writeDir(name: string, edit: (files: Map<string, string>) => void): Promise<string> {
  const dir = join(base, name);
  const map = new Map(files.map((item) => [item.path, item.content]));
  edit(map);
  for (const [path, content] of map) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const editGraph = (map: Map<string, string>, change: (graph: Graph) => void) => {
  const graph = JSON.parse(map.get('graph.json')!) as Graph;
  change(graph);
  map.set('graph.json', JSON.stringify(graph));
};

/** Re-hashes graph.json into the manifest: a tamperer who knows the format. */
const rehash = (map: Map<string, string>) => {
  const manifest = JSON.parse(map.get('MANIFEST.json')!) as { files: Record<string, string> };
  manifest.files['graph.json'] = sha256(map.get('graph.json')!);
  map.set('MANIFEST.json', JSON.stringify(manifest));
};

/** `apply --dry-run` (refused dirs never get as far as a probe), or `status --offline` for a good one. */
async function run(name: 'apply' | 'status', dir: string) {
  const { command } = (await import(`../../cli/commands/${name}.ts`)) as { command: CliCommand };
  const args = name === 'apply' ? ['--dry-run'] : ['--offline', '--json'];
  let stdout = '';
  let stderr = '';
  const code = await command(['--compiled', dir, ...args, '--state-dir', join(dir, '.state')], {
    cwd: process.cwd(),
    env: {},
    isTTY: false,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('--compiled DIR is verified before anything runs', () => {
  const cases: [string, (map: Map<string, string>) => void, string[]][] = [
    [
      'a format this pgferry does not read',
      (map) => {
        editGraph(map, (graph) => {
          graph.formatVersion = 999;
        });
        rehash(map);
      },
      ['graph.json: formatVersion 999, this pgferry reads 1'],
    ],
    [
      'a file changed after the compile',
      (map) =>
        map.set('source/pg_hba.conf.snippet', `${map.get('source/pg_hba.conf.snippet')}host all all 0.0.0.0/0 trust\n`),
      ['source/pg_hba.conf.snippet: changed since it was compiled (MANIFEST.json has sha256:'],
    ],
    [
      'a file the compile did not write',
      (map) => map.set('dms/extra.json', '{}'),
      ['dms/extra.json: not listed in MANIFEST.json'],
    ],
    ['no manifest', (map) => map.delete('MANIFEST.json'), ['MANIFEST.json: missing']],
    [
      'every edge removed and the restart consent gate dropped, manifest re-hashed',
      (map) => {
        editGraph(map, (graph) => {
          graph.edges = [];
          for (const node of graph.nodes) if (node.id === 'source.restart') node.gate = null;
        });
        rehash(map);
      },
      [
        'graph.json: PGF4',
        'has edges that its facts do not imply',
        'restart node "source.restart" has no approval gate',
      ],
    ],
    ['graph.json not JSON', (map) => map.set('graph.json', '{"formatVersion": 1,'), ['graph.json: not valid JSON']],
  ];

  it.each(cases)('refuses %s, naming the file', async (name, edit, expected) => {
    const dir = await writeDir(name.replace(/\W+/g, '-'), edit);
    const result = await run('apply', dir);
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('source.restart');
    expect(result.stderr).toContain(`${dir}: refused, not a compiled directory this pgferry can trust`);
    for (const text of expected) expect(result.stderr).toContain(text);
    expect(result.stderr).toContain(`compile the plan again (pgferry compile PLAN -o ${dir})`);
  });

  it('runs the directory as compiled', async () => {
    const dir = await writeDir('untouched', () => undefined);
    const result = await run('status', dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).plan).toBe('shop');
    expect(await readFile(join(dir, 'graph.json'), 'utf8')).toBe(
      files.find((item) => item.path === 'graph.json')!.content,
    );
  });
});
