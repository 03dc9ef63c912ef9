// `diff --base REF` reads the post_load_sql files a plan names from REF too, not from the working tree.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiff } from './support/cli.js';
import { commitAll, tempRepo, writeIn } from './support/git-repo.js';

const root = new URL('../../', import.meta.url).pathname;
const plan = readFileSync(join(root, 'plans/shop-cdc.yaml'), 'utf8');
const postData = readFileSync(join(root, 'plans/sql/shop-post-data.sql'), 'utf8');
const cutover = readFileSync(join(root, 'plans/sql/shop-cutover.sql'), 'utf8');
const certificate = readFileSync(join(root, 'plans/certs/example-ca.pem'), 'utf8');

/** plans/shop-cdc.yaml and its SQL files, committed on main in a fresh repository. */
function repoWithPlan(): string {
  const repo = tempRepo();
  writeIn(repo, 'plans/shop-cdc.yaml', plan);
  writeIn(repo, 'plans/sql/shop-post-data.sql', postData);
  writeIn(repo, 'plans/sql/shop-cutover.sql', cutover);
  writeIn(repo, 'plans/certs/example-ca.pem', certificate);
  commitAll(repo, 'plan');
  return repo;
}

describe('pgferry diff --base: files the plan names come from the same revision', () => {
  it('exits 0 when neither the plan nor its SQL files changed', async () => {
    const run = await runDiff(['shop-cdc.yaml', '--base', 'main'], join(repoWithPlan(), 'plans'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('reports a change to a post_load_sql file only (working tree against main), exit 1', async () => {
    const repo = repoWithPlan();
    writeIn(repo, 'plans/sql/shop-post-data.sql', `${postData}CREATE INDEX orders_note_idx ON shop.orders (note);\n`);
    const run = await runDiff(['plans/shop-cdc.yaml', '--base', 'main', '--format', 'json'], repo);
    expect(run.code).toBe(1);
    const diff = JSON.parse(run.stdout) as { artifacts: { path: string; status: string; patch: string }[] };
    expect(diff.artifacts.map((a) => [a.path, a.status])).toEqual([
      ['post_load_sql/sql/shop-post-data.sql', 'changed'],
    ]);
    expect(diff.artifacts[0]?.patch).toContain('+CREATE INDEX orders_note_idx ON shop.orders (note);');
    expect(run.stdout).toContain('post_load_sql file sql/shop-post-data.sql changed');
  });

  it('reports a change between two commits, and checks the old side files against git (PGF3507)', async () => {
    const repo = repoWithPlan();
    writeIn(repo, 'plans/sql/shop-cutover.sql', `${cutover}SELECT 1;\n`);
    commitAll(repo, 'cutover SQL');
    const changed = await runDiff(['plans/shop-cdc.yaml', '--base', 'main~1'], repo);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('sql/shop-cutover.sql');

    // Deleted from the working tree only: the old side still has it at main, the new side does not.
    rmSync(join(repo, 'plans/sql/shop-cutover.sql'));
    const missing = await runDiff(['plans/shop-cdc.yaml', '--base', 'main'], repo);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('PGF3507');
    expect(missing.stderr).toContain('new side');
  });

  it('fails the old side (PGF3507) when the file did not exist at the revision, though it does now', async () => {
    const repo = tempRepo();
    writeIn(repo, 'plans/shop-cdc.yaml', plan);
    writeIn(repo, 'plans/sql/shop-post-data.sql', postData);
    writeIn(repo, 'plans/certs/example-ca.pem', certificate);
    commitAll(repo, 'plan without its cutover SQL');
    writeIn(repo, 'plans/sql/shop-cutover.sql', cutover);
    const run = await runDiff(['plans/shop-cdc.yaml', '--base', 'main'], repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PGF3507');
    expect(run.stderr).toContain('old side');
    expect(run.stderr).toContain('sql/shop-cutover.sql');
  });
});
