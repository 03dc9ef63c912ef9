import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './fake-io.js';

const root = resolve('.');
const orders = readFileSync('plans/orders.yaml', 'utf8');

function planFile(text: string): { dir: string; name: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pgferry-validate-'));
  writeFileSync(join(dir, 'plan.yaml'), text);
  return { dir, name: 'plan.yaml' };
}

describe('pgferry validate', () => {
  it('accepts a valid plan: exit 0 and a one-line verdict', async () => {
    const result = await run(['validate', 'plans/orders.yaml'], { cwd: root });
    expect(result).toEqual({ code: 0, stdout: 'plans/orders.yaml: valid (0 errors, 0 warnings)\n', stderr: '' });
  });

  it('reports located errors with an excerpt and a suggestion: exit 1', async () => {
    const { dir, name } = planFile(
      orders.replace('  port: 5432\n  version: "9.5.21"', '  prot: 5432\n  version: "9.5.21"'),
    );
    const result = await run(['validate', name], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'plan.yaml:11:3: error PGF2001 [unknown-key] unknown key "prot" in source',
        '  11 |   prot: 5432',
        '     |   ^^^^',
        '  hint: did you mean "port"?',
        'plan.yaml: invalid (1 error, 0 warnings)',
        '',
      ].join('\n'),
    );
  });

  it('--format json gives the same diagnostics as data', async () => {
    const { dir, name } = planFile(orders.replace('auth_method: md5', 'auth_method: trust'));
    const result = await run(['validate', name, '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { diagnostics: { code: string; span: unknown }[]; summary: unknown };
    expect(parsed.summary).toEqual({ errors: 1, infos: 0, warnings: 0 });
    expect(parsed.diagnostics[0]).toMatchObject({ code: 'PGF2004', span: { start: { line: 18, col: 16 } } });
  });

  it('--format github prints workflow annotations', async () => {
    const { dir, name } = planFile(
      orders.replace('    password: { ssm: /pgferry/orders/source/dms_user }', '    password: s3cret'),
    );
    const result = await run(['validate', name, '--format', 'github'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^::error file=plan\.yaml,line=16,col=15,endLine=16,endColumn=\d+,title=PGF2008 literal-secret::/,
    );
    expect(result.stdout).not.toContain('s3cret');
  });

  it('validates several plans and fails when any has errors', async () => {
    const { dir } = planFile('version: 2\n');
    const result = await run(['validate', join(root, 'plans/orders.yaml'), join(dir, 'plan.yaml')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 plans: invalid');
  });

  it('an unreadable plan is a usage error: exit 2', async () => {
    const result = await run(['validate', 'nope.yaml'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read plan nope.yaml (ENOENT)');
  });

  it('an unknown flag is a usage error: exit 2', async () => {
    const result = await run(['validate', 'plans/orders.yaml', '--bogus'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pgferry validate: unknown option --bogus\n');
  });

  it('an unknown format is a usage error: exit 2', async () => {
    const result = await run(['validate', 'plans/orders.yaml', '--format', 'xml'], { cwd: root });
    expect(result.code).toBe(2);
  });

  it('--strict fails on warnings', async () => {
    const { dir, name } = planFile(
      orders.replace(
        '    source_cidrs: [10.0.1.0/24]',
        '    source_cidrs: [10.0.1.0/24]\n    publicly_accessible: true',
      ),
    );
    const relaxed = await run(['validate', name], { cwd: dir });
    const strict = await run(['validate', name, '--strict'], { cwd: dir });
    expect(relaxed.stdout).toMatch(/warning PGF\d{4}/);
    expect(relaxed.code).toBe(0);
    expect(strict.code).toBe(1);
    expect((await run(['validate', name], { cwd: dir, env: { PGFERRY_STRICT: '1' } })).code).toBe(1);
  });

  it('looks for post_load_sql files next to the plan, relative to the working directory given', async () => {
    const { dir, name } = planFile(orders.replace('cutover:\n', 'cutover:\n  post_load_sql: [sql/cutover.sql]\n'));
    const missing = await run(['validate', name], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('error PGF3507');
    mkdirSync(join(dir, 'sql'));
    writeFileSync(join(dir, 'sql', 'cutover.sql'), 'ANALYZE;\n');
    expect(await run(['validate', name], { cwd: dir })).toMatchObject({ code: 0 });
  });

  it('rejects a file that is not a catalog snapshot: exit 2', async () => {
    const { dir } = planFile('{"formatVersion": 9}');
    const result = await run(['validate', join(root, 'plans/orders.yaml'), '--catalog', join(dir, 'plan.yaml')], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a pgferry catalog snapshot');
  });

  it('--catalog runs the catalog rules against a snapshot', async () => {
    const catalog = 'test/compiler/rules/fixtures/shop.catalog.json';
    const without = await run(['validate', 'plans/shop-cdc.yaml'], { cwd: root });
    const withCatalog = await run(['validate', 'plans/shop-cdc.yaml', '--catalog', catalog, '--format', 'json'], {
      cwd: root,
    });
    expect(without.code).toBe(0);
    expect(withCatalog.code).toBe(1);
    const codes = (JSON.parse(withCatalog.stdout) as { diagnostics: { code: string }[] }).diagnostics.map(
      (d) => d.code,
    );
    expect(codes).toContain('PGF5010');
  });
});
