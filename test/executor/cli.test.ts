// Command-line behaviour that needs no cluster: usage errors, unknown gates, gate approval recorded
// in the journal, status before any run, a refused run while another holds the lock.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../cli/io.js';
import { compilePlan } from '../../compiler/index.js';

const PLAN = fileURLToPath(new URL('../../plans/orders.yaml', import.meta.url));
let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'pgferry-cli-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function run(name: string, args: string[]) {
  const { command } = (await import(`../../cli/commands/${name}.ts`)) as { command: CliCommand };
  let stdout = '';
  let stderr = '';
  const code = await command(args, {
    cwd: process.cwd(),
    env: { PGFERRY_APPROVER: 'alice' },
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

describe('executor commands', () => {
  it('an unknown flag is a usage error', async () => {
    const result = await run('apply', [PLAN, '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pgferry apply: unknown option --frobnicate\n');
  });

  it('approve needs a gate the plan has', async () => {
    expect((await run('approve', [PLAN])).code).toBe(2);
    const unknown = await run('approve', [PLAN, 'nope', '--state-dir', stateDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "pgferry approve: plan orders has no gate 'nope' (gates: cleanup, downtime, restart-consent, writes-open)\n",
    );
  });

  it('approve records who and when; twice is harmless', async () => {
    const first = await run('approve', [PLAN, 'downtime', '--state-dir', stateDir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('gate downtime approved for plan orders');
    expect((await run('approve', [PLAN, 'downtime', '--state-dir', stateDir])).stdout).toBe(
      'gate downtime was already approved\n',
    );
    const journal = JSON.parse(await readFile(join(stateDir, 'orders', 'journal.json'), 'utf8'));
    expect(journal.gates.downtime.approvedBy).toBe('alice');
  });

  it('status before any run lists the nodes as pending', async () => {
    const result = await run('status', [PLAN, '--state-dir', stateDir, '--offline', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.started).toBe(false);
    expect(report.nodes.every((node: { state: string }) => node.state === 'pending')).toBe(true);
    expect(report.gates['restart-consent']).toEqual({
      approved: false,
      approvedAt: null,
      command: `pgferry approve ${PLAN} restart-consent`,
    });
  });

  it('a second run is refused while another holds the lock', async () => {
    await run('approve', [PLAN, 'downtime', '--state-dir', stateDir]);
    const lock = join(stateDir, 'orders', 'journal.json.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const result = await run('apply', [PLAN, '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`another pgferry run holds ${lock} (pid ${process.pid}`);
  });

  it('approve while another command holds the lock records the approval for the next command', async () => {
    await mkdir(join(stateDir, 'orders'), { recursive: true });
    const lock = join(stateDir, 'orders', 'journal.json.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const early = await run('approve', [PLAN, 'writes-open', '--state-dir', stateDir]);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toContain('approved for plan orders while another pgferry command runs');
    expect(early.stdout).toContain(`(pgferry cutover ${PLAN})`);
    await rm(lock);
    // The next command that takes the lock takes the approval in.
    expect((await run('approve', [PLAN, 'downtime', '--state-dir', stateDir])).code).toBe(0);
    const journal = JSON.parse(await readFile(join(stateDir, 'orders', 'journal.json'), 'utf8'));
    expect(journal.gates['writes-open'].approvedBy).toBe('alice');
    expect((await run('approve', [PLAN, 'writes-open', '--state-dir', stateDir])).stdout).toBe(
      'gate writes-open was already approved\n',
    );
  });

  it('approve names the command that continues past the gate', async () => {
    for (const [gate, verb] of [
      ['restart-consent', 'apply'],
      ['downtime', 'apply'],
      ['writes-open', 'cutover'],
      ['cleanup', 'cleanup'],
    ]) {
      const result = await run('approve', [PLAN, gate!, '--state-dir', stateDir]);
      expect(result.stdout, gate).toContain(`continue with: pgferry ${verb} ${PLAN}`);
    }
  });

  it('runs from a compiled directory as well as from the plan', async () => {
    const compiled = await compilePlan(PLAN);
    const out = join(stateDir, 'build');
    for (const artifact of compiled.artifacts) {
      await mkdir(dirname(join(out, artifact.path)), { recursive: true });
      await writeFile(join(out, artifact.path), artifact.content);
    }
    const result = await run('status', ['--compiled', out, '--offline', '--json', '--state-dir', stateDir]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.plan).toBe('orders');
    expect(report.planHash).toBe(compiled.graph?.planHash);
    const approve = await run('approve', ['--compiled', out, 'downtime', '--state-dir', stateDir]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`continue with: pgferry apply --compiled ${out}`);
  });
});
