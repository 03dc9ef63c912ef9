import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiff } from './support/cli.js';
import { commitAll, tempRepo, writeIn } from './support/git-repo.js';

describe('pgferry diff: invocation errors exit 2 and say what is wrong', () => {
  const cwd = process.cwd();

  it.each([
    [[], 'give two plans (OLD NEW), or one plan and --base REF'],
    [['a.yaml'], 'give two plans (OLD NEW), or one plan and --base REF'],
    [['a.yaml', 'b.yaml', '--format', 'html'], "--format must be one of text, markdown, json, not 'html'"],
    [['a.yaml', 'b.yaml', '--bogus'], 'unknown option --bogus'],
    [['a.yaml', 'b.yaml', '--base', 'main'], '--base takes exactly one plan'],
  ])('%j', async (args, message) => {
    const run = await runDiff(args, cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('prints help with exit 0', async () => {
    const run = await runDiff(['--help'], cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: pgferry diff PLAN --base REF');
  });
});

describe('pgferry diff: sides that cannot be compiled', () => {
  it('passes the raw bytes to the compiler, which rejects a non-UTF-8 plan with a located error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgferry-diff-bytes-'));
    writeFileSync(
      join(dir, 'old.yaml'),
      Buffer.from([0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
    );
    writeFileSync(join(dir, 'new.yaml'), 'version: 1\n');
    const run = await runDiff(['old.yaml', 'new.yaml'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^pgferry diff: the old side \(old\.yaml\) does not compile:\nold\.yaml(:\d+:\d+)?: error PGF1\d{3} /,
    );
  });

  it('reports an unreadable plan as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgferry-diff-missing-'));
    const run = await runDiff(['old.yaml', 'new.yaml'], dir);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pgferry diff: old.yaml: cannot read the plan (no such file)\n',
    });
  });
});

describe('pgferry diff --base: reading the old side from git', () => {
  it('refuses a plan outside any git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgferry-diff-nogit-'));
    writeFileSync(join(dir, 'plan.yaml'), 'version: 1\n');
    const run = await runDiff(['plan.yaml', '--base', 'main'], dir);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('pgferry diff: plan.yaml is not inside a git repository (needed for --base main)\n');
  });

  it('takes the base from PGFERRY_DIFF_BASE when one plan is given, and ignores it for two', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgferry-diff-env-'));
    writeFileSync(join(dir, 'plan.yaml'), 'version: 1\n');
    const one = await runDiff(['plan.yaml'], dir, { PGFERRY_DIFF_BASE: 'main' });
    expect(one.stderr).toBe('pgferry diff: plan.yaml is not inside a git repository (needed for --base main)\n');
    const two = await runDiff(['plan.yaml', 'missing.yaml'], dir, { PGFERRY_DIFF_BASE: 'main' });
    expect(two.stderr).toBe('pgferry diff: missing.yaml: cannot read the plan (no such file)\n');
  });

  it('refuses an unknown revision', async () => {
    const repo = tempRepo();
    writeIn(repo, 'plans/p.yaml', 'version: 1\n');
    commitAll(repo, 'plan');
    const run = await runDiff(['plans/p.yaml', '--base', 'nope'], repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgferry diff: --base nope: git knows no such revision in /);
  });

  it('refuses a plan that does not exist at the revision, naming its path in the repository', async () => {
    const repo = tempRepo();
    writeIn(repo, 'README', 'x\n');
    commitAll(repo, 'first');
    writeIn(repo, 'plans/p.yaml', 'version: 1\n');
    const run = await runDiff(['p.yaml', '--base', 'main'], join(repo, 'plans'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgferry diff: p\.yaml does not exist at main \(looked for plans\/p\.yaml in /);
  });

  it('refuses a missing working-tree plan', async () => {
    const repo = tempRepo();
    const run = await runDiff(['missing.yaml', '--base', 'main'], repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing.yaml: no such file');
  });
});
