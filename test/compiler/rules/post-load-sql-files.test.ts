// PGF3507: post_load_sql files must exist relative to the plan file; skipped when the caller read none.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compilePlan } from '../../../compiler/index.js';
import type { Plan } from '../../../compiler/model/plan.js';
import { readPlanFiles, workingTreeReader } from '../../../compiler/plan-files.js';
import { planDirOf } from '../../../compiler/rules/index.js';
import { postLoadSqlFilesRule } from '../../../compiler/rules/post-load-sql-files.js';
import { basePlan, expectRow, findingsOf, planWith, type Row } from './builders.js';

// plan.yaml's directory: sql/post-data.sql, sql/cutover.sql and a directory sql/dir.
const dir = mkdtempSync(join(tmpdir(), 'pgferry-post-load-'));
mkdirSync(join(dir, 'sql', 'dir'), { recursive: true });
writeFileSync(join(dir, 'sql', 'post-data.sql'), 'CREATE INDEX ON public.orders (customer_id);\n');
writeFileSync(join(dir, 'sql', 'cutover.sql'), 'ANALYZE;\n');
const outside = join(dir, 'outside.sql');
writeFileSync(outside, 'SELECT 1;\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The plan's files as compilePlan reads them for a plan file in `planDir`. */
const readIn = (plan: Plan, planDir: string) => readPlanFiles(plan, workingTreeReader(planDir));

const files = (target: string[], cutover: string[] = []) =>
  planWith({ target: { schema_objects: { post_load_sql: target } }, cutover: { post_load_sql: cutover } });

describe('post_load_sql files', () => {
  const rows: (Row & { planDir?: string })[] = [
    { name: 'no files', plan: basePlan, planDir: dir, want: [] },
    { name: 'both lists present', plan: files(['sql/post-data.sql'], ['sql/cutover.sql']), planDir: dir, want: [] },
    { name: './ and absolute paths', plan: files(['./sql/post-data.sql', outside]), planDir: dir, want: [] },
    {
      name: 'a missing target file, second entry',
      plan: files(['sql/post-data.sql', 'sql/post_data.sql']),
      planDir: dir,
      want: ['PGF3507@/target/schema_objects/post_load_sql/1'],
      words: ['sql/post_data.sql', 'does not exist', 'relative to the plan'],
    },
    {
      name: 'a missing cutover file',
      plan: files([], ['sql/cut-over.sql']),
      planDir: dir,
      want: ['PGF3507@/cutover/post_load_sql/0'],
      words: ['sql/cut-over.sql'],
    },
    {
      name: 'a directory is not a file',
      plan: files(['sql/dir']),
      planDir: dir,
      want: ['PGF3507@/target/schema_objects/post_load_sql/0'],
      words: ['not a file'],
    },
    {
      name: 'files next to another directory are not found',
      plan: files(['post-data.sql'], ['cutover.sql']),
      planDir: join(dir, 'sql', 'dir'),
      want: ['PGF3507@/cutover/post_load_sql/0', 'PGF3507@/target/schema_objects/post_load_sql/0'],
    },
    { name: 'no plan directory: skipped', plan: files(['sql/nope.sql'], ['sql/nope.sql']), want: [] },
  ];
  test.each(rows)('$name', async ({ planDir, ...row }) =>
    expectRow(postLoadSqlFilesRule, {
      ...row,
      ...(planDir === undefined ? {} : { planFiles: await readIn(row.plan, planDir) }),
    }),
  );

  test('an error with a hint, which cannot be waived', async () => {
    const plan = planWith({
      target: { schema_objects: { post_load_sql: ['sql/nope.sql'] } },
      waivers: [{ code: 'PGF3507', reason: 'we will add it later' }],
    });
    const [finding] = findingsOf(postLoadSqlFilesRule, plan, null, { planFiles: await readIn(plan, dir) });
    expect(finding?.code).toBe('PGF3507');
    expect(finding?.severity ?? 'error').toBe('error');
    expect(finding?.hint).toMatch(/pg_dump --section=post-data/);
  });

  test('compilePlan looks next to the plan file, and locates the entry', async () => {
    const yaml = readFileSync('plans/shop-cdc.yaml', 'utf8');
    const planFile = join(dir, 'shop-cdc.yaml');
    writeFileSync(planFile, yaml.replace('[sql/shop-cutover.sql]', '[sql/cutover.sql]'));
    const result = await compilePlan(planFile);
    const missing = result.diagnostics.filter((d) => d.code === 'PGF3507');
    expect(missing.map((d) => [d.severity, d.message, d.span?.start.line])).toEqual([
      [
        'error',
        'post_load_sql file "sql/shop-post-data.sql" does not exist (paths are relative to the plan file)',
        yaml.split('\n').findIndex((line) => line.includes('sql/shop-post-data.sql')) + 1,
      ],
    ]);
    expect(result.graph).toBeNull();
  });

  test('a plan named where it is not (plan.yaml@main, another working directory) skips the check', async () => {
    const yaml = readFileSync('plans/shop-cdc.yaml', 'utf8');
    expect(planDirOf('plans/shop-cdc.yaml@main')).toBeUndefined();
    expect(planDirOf(join(dir, 'sql', 'post-data.sql'))).toBe(join(dir, 'sql'));
    const result = await compilePlan('shop-cdc.yaml@main', { text: yaml });
    expect(result.diagnostics.filter((d) => d.code === 'PGF3507')).toEqual([]);
    expect(result.graph).not.toBeNull();
  });
});
