// The exit-code policy, through main() itself (in-process, output captured): every command × the ways an
// invocation goes wrong. 0 ok or stopped at a gate, 1 plan errors / failed node / changes found, 2 bad
// invocation, unreadable input or unwritable output, 3 a pgferry bug; --debug never changes the code.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../cli/command.js';
import type { CliIo } from '../../cli/io.js';
import { commands, main } from '../../cli/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PLAN = 'plans/orders.yaml';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function pgferry(argv: readonly string[], env: Record<string, string> = {}, io: Partial<CliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd: root,
    env: { PGFERRY_APPROVER: 'alice', ...env },
    isTTY: false,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...io,
  });
  return { code, stdout, stderr } satisfies Run;
}

let dir: string;
let aFile: string;
let invalidPlan: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-main-'));
  // A path under a regular file cannot be created, whoever runs the test (CI runs as root).
  aFile = join(dir, 'a-file');
  await writeFile(aFile, 'not a directory\n');
  invalidPlan = join(dir, 'invalid.yaml');
  await writeFile(invalidPlan, 'version: 1\nname: broken\nclas: nothing\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXECUTOR = ['apply', 'status', 'approve', 'cutover', 'abort', 'cleanup', 'verify'];

describe('main(): the command table', () => {
  it.each([
    [[], 2, 'stderr', 'usage: pgferry <command>'],
    [['--help'], 0, 'stdout', 'exit codes: 0 ok or stopped at a gate'],
    [['nope'], 2, 'stderr', "pgferry: unknown command 'nope'"],
  ])('%j exits %i', async (argv, code, stream, text) => {
    const result = await pgferry(argv);
    expect(result.code, result.stderr).toBe(code);
    expect(result[stream as 'stdout' | 'stderr']).toContain(text);
  });
});

describe.each(Object.keys(commands))('pgferry %s', (name) => {
  it('--help: its usage on stdout, generated options, exit 0', async () => {
    const result = await pgferry([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: pgferry ${name} `));
    expect(result.stdout).toContain('\noptions:\n');
    expect(result.stdout).toContain('--debug');
    expect(result.stderr).toBe('');
  });

  it.each([
    [['--bogus-flag'], 'unknown option --bogus-flag'],
    [['--debug', '--bogus-flag'], 'unknown option --bogus-flag'],
  ])('%j is a bad invocation: exit 2 and the usage line', async (args, message) => {
    const result = await pgferry([name, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`pgferry ${name}: ${message}`);
    expect(result.stderr).toContain(`usage: pgferry ${name} `);
    expect(result.stdout).toBe('');
  });

  it('a typo in a flag gets a suggestion', async () => {
    const result = await pgferry([name, '--hepl']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(did you mean --help?)');
  });
});

describe.each(EXECUTOR)('pgferry %s: the plan and the state directory', (name) => {
  const gate = name === 'approve' ? ['downtime'] : [];
  it('without a plan: exit 2', async () => {
    const result = await pgferry([name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`pgferry ${name}: name the plan: pgferry ${name} PLAN.yaml`);
  });

  it('an unreadable plan: exit 2', async () => {
    const result = await pgferry([name, join(dir, 'missing.yaml'), ...gate, '--state-dir', join(dir, 'state')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('missing.yaml');
  });

  it.each([[[]], [['--debug']]])('an unwritable --state-dir %j: exit 2 whatever --debug says', async (debug) => {
    const state = join(aFile, 'state');
    const args = [name, PLAN, ...gate, '--state-dir', state, ...debug];
    const result = await pgferry(name === 'status' ? [...args, '--offline', '--json'] : args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`cannot use ${state}`);
    expect(result.stderr).toContain('ENOTDIR');
  });
});

describe('plan commands: inputs and outputs', () => {
  it.each([
    ['validate: a valid plan', ['validate', PLAN], 0],
    ['validate: plan errors', ['validate', 'INVALID'], 1],
    ['validate: an unreadable plan', ['validate', 'plans/none.yaml'], 2],
    ['validate: no plan', ['validate'], 2],
    ['validate: an unknown --format', ['validate', PLAN, '--format', 'xml'], 2],
    ['validate: an unknown PGFERRY_FORMAT', ['validate', PLAN, 'ENV:PGFERRY_FORMAT=xml'], 2],
    ['validate: --json and --format disagree', ['validate', PLAN, '--json', '--format', 'github'], 2],
    ['validate: an unreadable --catalog', ['validate', PLAN, '--catalog', 'none.json'], 2],
    ['compile: plan errors write nothing', ['compile', 'INVALID', '-o', 'OUT'], 1],
    ['compile: no -o', ['compile', PLAN], 2],
    ['compile: two plans', ['compile', PLAN, PLAN, '-o', 'OUT'], 2],
    ['compile: an unwritable -o', ['compile', PLAN, '-o', 'UNWRITABLE'], 2],
    ['compile: an unwritable -o with --debug', ['compile', PLAN, '-o', 'UNWRITABLE', '--debug'], 2],
    ['graph: plan errors', ['graph', 'INVALID'], 1],
    ['graph: png without -o', ['graph', PLAN, '--format', 'png'], 2],
    ['rules: an unknown rule', ['rules', 'no-such-rule'], 2],
    ['rules: two rules', ['rules', 'PGF2001', 'PGF2002'], 2],
    ['diff: no change', ['diff', PLAN, PLAN], 0],
    ['diff: a change', ['diff', PLAN, 'plans/shop-cdc.yaml'], 1],
    ['diff: an unreadable side', ['diff', PLAN, 'plans/none.yaml'], 2],
    ['init: an unreadable --catalog', ['init', '--catalog', 'none.json'], 2],
    ['init: a bad --name', ['init', '--name', 'Bad Name'], 2],
    ['catalog: --source and --plan', ['catalog', '--source', 'postgres://x@h/db', '--plan', PLAN], 2],
    ['catalog: a bad --lob-rows', ['catalog', '--lob-rows', 'many'], 2],
    ['agent: no --config', ['agent'], 2],
    ['agent: an unreadable --config', ['agent', '--config', 'none.yaml', '--check'], 2],
    ['apply: a bad --parallelism', ['apply', PLAN, '--parallelism', 'x'], 2],
    ['apply: a bad PGFERRY_PARALLELISM', ['apply', PLAN, 'ENV:PGFERRY_PARALLELISM=-1'], 2],
    ['approve: no gate', ['approve', PLAN], 2],
    ['approve: a gate the plan has not', ['approve', PLAN, 'nope', '--state-dir', 'STATE'], 2],
    ['approve: a gate', ['approve', PLAN, 'downtime', '--state-dir', 'STATE'], 0],
    ['status: --listen without --serve', ['status', PLAN, '--listen', '127.0.0.1:1'], 2],
    ['verify: an unknown --mode', ['verify', PLAN, '--mode', 'fast'], 2],
  ])('%s %j: exit %i', async (_, argv, code) => {
    const env: Record<string, string> = {};
    const args = argv.flatMap((arg) => {
      if (arg.startsWith('ENV:')) {
        const [key, value] = arg.slice(4).split('=') as [string, string];
        env[key] = value;
        return [];
      }
      const swapped = {
        INVALID: invalidPlan,
        OUT: join(dir, 'out'),
        UNWRITABLE: join(aFile, 'build'),
        STATE: join(dir, 'state'),
      }[arg];
      return [swapped ?? arg];
    });
    const result = await pgferry(args, env);
    expect(result.code, result.stderr).toBe(code);
    if (code === 2) expect(result.stderr).toMatch(new RegExp(`^pgferry ${argv[0]}: `));
    if (code !== 0) expect(result.stderr).not.toContain('internal error');
  });
});

describe('--json is honoured by every command that takes it', () => {
  it('approve --json: one JSON document', async () => {
    const state = join(dir, 'json-state');
    const result = await pgferry(['approve', PLAN, 'downtime', '--state-dir', state, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      plan: 'orders',
      gate: 'downtime',
      result: 'approved',
      approvedBy: 'alice',
      next: `pgferry apply ${PLAN}`,
    });
    const again = await pgferry(['approve', PLAN, 'downtime', '--state-dir', state, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ result: 'already' });
  });

  it.each([
    ['validate', [PLAN]],
    ['compile', [PLAN, '-o', 'OUT']],
    ['graph', [PLAN]],
    ['diff', [PLAN, PLAN]],
    ['status', [PLAN, '--offline', '--state-dir', 'STATE']],
    ['abort', [PLAN, '--state-dir', 'ABORT_STATE']],
  ])('%s --json: one JSON document on stdout', async (name, args) => {
    const swapped = args.map(
      (arg) => ({ OUT: join(dir, 'json-out'), STATE: join(dir, 'state'), ABORT_STATE: join(dir, 'abort') })[arg] ?? arg,
    );
    const result = await pgferry([name, ...swapped, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(() => JSON.parse(result.stdout), result.stdout).not.toThrow();
  });
});

describe('a pgferry bug', () => {
  // An io whose environment throws a TypeError stands in for a programming error inside a command.
  const brokenEnv = new Proxy(
    {},
    {
      get() {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    },
  );
  it.each([[[]], [['--debug']]])('exits 3 %j; --debug adds the stack', async (debug) => {
    const result = await pgferry(['validate', PLAN, ...debug], {}, { env: brokenEnv });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('pgferry validate: internal error (a pgferry bug; --debug shows where)');
    expect(result.stderr.includes('    at '), result.stderr).toBe(debug.length > 0);
  });

  it.each([
    ['TypeError in a plan command', new TypeError('x is undefined'), false, 3],
    ['TypeError in an executor command', new TypeError('x is undefined'), true, 3],
    ['an unreachable server (fetch failed)', new TypeError('fetch failed'), true, 1],
    ['an AWS or PostgreSQL error in an executor command', new Error('AccessDeniedException'), true, 1],
    ['an unexpected Error in a plan command', new Error('what?'), false, 3],
  ])('%s (%s, external failures %s): exit %i', (_, error, externalFailures, code) => {
    expect(classifyError(error, { externalFailures }).code).toBe(code);
  });
});
