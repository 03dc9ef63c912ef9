// Golden outputs of `pgferry diff` for realistic edits of the example plans, in every format. Each case
// is test/fixtures/diff/cases/<case>/{old,new}.yaml; its expected.<format> holds the exit code, stdout
// and stderr of `pgferry diff old.yaml new.yaml --format <format>` run in the case directory.

import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runDiff } from './support/cli.js';
import { commitAll, tempRepo, writeIn } from './support/git-repo.js';
import { expectGolden } from './support/golden.js';
import { mermaidBlocks, mermaidParse } from './support/mermaid.js';

const CASES_DIR = join(import.meta.dirname, '../fixtures/diff/cases');
const PLANS_DIR = join(import.meta.dirname, '../../plans');
const cases = readdirSync(CASES_DIR).sort();
const formats = ['text', 'markdown', 'json'] as const;

/** What each case must do, independent of the golden bytes. */
const expectedExit: Record<string, number> = {
  'add-database': 1,
  'description-only': 1,
  'add-task': 1,
  'cutover-policy': 1,
  'engine-version': 1,
  'full-load-to-cdc': 1,
  'instance-class': 1,
  'instance-subnet-group': 1,
  'invalid-new': 2,
  'max-replication-slots': 1,
  'parameter-group': 1,
  'patroni-named-slot': 1,
  'patroni-source-cidrs': 1,
  reformat: 0,
  'serverless-capacity': 1,
  'spell-out-default': 0,
  'table-selection': 1,
  transformations: 1,
};

function transcript(run: CliRun): string {
  return `exit: ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

describe('pgferry diff golden outputs', () => {
  it('has an expectation for every case directory', () => {
    expect(cases).toEqual(Object.keys(expectedExit).sort());
  });

  describe.each(cases)('%s', (name) => {
    const dir = join(CASES_DIR, name);

    it.each(formats)('--format %s', async (format) => {
      const run = await runDiff(['old.yaml', 'new.yaml', '--format', format], dir);
      expectGolden(join(dir, `expected.${format}`), transcript(run));
      expect(run.code).toBe(expectedExit[name]);
      if (run.code === 0 && format !== 'json') expect(run.stdout).toBe('');
      if (run.code === 2) expect(run.stderr).toMatch(/^new\.yaml:\d+:\d+: error PGF/m);
      if (format === 'markdown' && run.code === 1) {
        const blocks = mermaidBlocks(run.stdout);
        expect(blocks).toHaveLength(1);
        await expect(mermaidParse(blocks[0]!)).resolves.toBeDefined();
      }
    });
  });

  it.each(readdirSync(PLANS_DIR).filter((f) => f.endsWith('.yaml')))(
    'finds no change between plans/%s and itself',
    async (plan) => {
      const run = await runDiff([plan, plan], PLANS_DIR);
      expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    },
  );

  it('reads the old side from git with --base, with the same result as two files', async () => {
    const dir = join(CASES_DIR, 'max-replication-slots');
    const repo = tempRepo();
    copyFileSync(join(dir, 'old.yaml'), join(repo, 'plan.yaml'));
    writeIn(repo, 'plans/.keep', '');
    commitAll(repo, 'old plan');
    copyFileSync(join(dir, 'old.yaml'), join(repo, 'plans', 'shop.yaml'));
    commitAll(repo, 'old plan under plans/');
    copyFileSync(join(dir, 'new.yaml'), join(repo, 'plans', 'shop.yaml'));

    const viaGit = await runDiff(['shop.yaml', '--base', 'main', '--format', 'json'], join(repo, 'plans'));
    const viaFiles = await runDiff(['old.yaml', 'new.yaml', '--format', 'json'], dir);
    expect(viaGit.code).toBe(1);
    const strip = (text: string) => {
      const { old: _old, new: _new, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    expect(strip(viaGit.stdout)).toEqual(strip(viaFiles.stdout));
    expect(JSON.parse(viaGit.stdout).old.name).toBe('shop.yaml@main');
  });

  it('says which side fails when the old side at the base revision does not compile', async () => {
    const repo = tempRepo();
    copyFileSync(join(CASES_DIR, 'invalid-new', 'new.yaml'), join(repo, 'plan.yaml'));
    commitAll(repo, 'broken plan');
    copyFileSync(join(CASES_DIR, 'invalid-new', 'old.yaml'), join(repo, 'plan.yaml'));
    const run = await runDiff(['plan.yaml', '--base', 'HEAD'], repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pgferry diff: the old side (plan.yaml@HEAD) does not compile:');
    expect(run.stderr).toMatch(/^plan\.yaml@HEAD:\d+:\d+: error PGF2001 \[unknown-key\]/m);
  });
});
