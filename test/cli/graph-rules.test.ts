import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './fake-io.js';

const root = resolve('.');

describe('pgferry graph', () => {
  it('prints Mermaid by default', async () => {
    const result = await run(['graph', 'plans/orders.yaml'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^flowchart /);
    expect(result.stdout.endsWith('\n')).toBe(true);
  });

  it('prints the graph as JSON and as Graphviz dot', async () => {
    const json = await run(['graph', 'plans/orders.yaml', '--format', 'json'], { cwd: root });
    expect(JSON.parse(json.stdout)).toMatchObject({ plan: 'orders', formatVersion: 1 });
    const dot = await run(['graph', 'plans/orders.yaml', '--format', 'dot'], { cwd: root });
    expect(dot.stdout).toMatch(/^digraph/);
  });

  it('svg without Graphviz on PATH is a clear usage error', async () => {
    const result = await run(['graph', 'plans/orders.yaml', '--format', 'svg'], {
      cwd: root,
      env: { PATH: '/nonexistent' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("needs Graphviz's `dot` on PATH");
  });

  it('png needs -o', async () => {
    const result = await run(['graph', 'plans/orders.yaml', '--format', 'png'], { cwd: root });
    expect(result.code).toBe(2);
  });

  it('a plan with errors has no graph: exit 1', async () => {
    const result = await run(['graph', 'test/fixtures/front/loopback-source.yaml'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no graph');
  });
});

describe('pgferry rules', () => {
  it('lists every code, front end, rules and graph alike', async () => {
    const result = await run(['rules'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PGF1001 {2}yaml-syntax/m);
    expect(result.stdout).toMatch(/^PGF2001 {2}unknown-key/m);
    expect(result.stdout).toMatch(/^PGF3\d{3} /m);
    expect(result.stdout).toMatch(/^PGF4\d{3} /m);
  });

  it('explains one code, by code or by name', async () => {
    const byCode = await run(['rules', 'PGF2008'], { cwd: root });
    const byName = await run(['rules', 'literal-secret'], { cwd: root });
    expect(byCode.code).toBe(0);
    expect(byCode.stdout).toBe(byName.stdout);
    expect(byCode.stdout).toMatch(/^PGF2008 literal-secret \(error\)\n\nA secret is written in clear text\.\n\n/);
  });

  it('an unknown id is a usage error with a suggestion', async () => {
    const result = await run(['rules', 'unknwn-key'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no rule 'unknwn-key'; did you mean 'unknown-key'?");
  });
});

describe('--help', () => {
  it.each(['validate', 'compile', 'graph', 'rules'])(
    'pgferry %s --help prints usage with an example: exit 0',
    async (name) => {
      const result = await run([name, '--help'], { cwd: root });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: pgferry ${name} `));
      expect(result.stdout).toContain('Example:');
    },
  );
});

describe('pgferry rules --format markdown', () => {
  it('prints a table for the README, one row per code', async () => {
    const [text, markdown] = await Promise.all([
      run(['rules'], { cwd: root }),
      run(['rules', '--format', 'markdown'], { cwd: root }),
    ]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/^\| Code \| Name \| Severity \| What it means \|\n\|---\|/);
    expect(markdown.stdout.trimEnd().split('\n').length - 2).toBe(text.stdout.trimEnd().split('\n').length);
    expect((await run(['rules', '--format', 'xml'], { cwd: root })).code).toBe(2);
  });
});
