// A real executor process (bin/pgferry.js over dist/), for tests that kill it with SIGKILL mid-run and
// resume. dist/ is what `npm ci` builds (prepare); when a source file is newer than it (a local edit), it
// is rebuilt once first, so the process runs the code under test.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SOURCES = ['agent', 'catalog', 'cli', 'compiler', 'contracts', 'diff', 'executor', 'init', 'schema', 'verify'];

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when a source file is newer than dist/cli/main.js (or it is missing). */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(join(repo, 'dist', 'cli', 'main.js')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const sources = Math.max(...(await Promise.all(SOURCES.map((dir) => newestSource(join(repo, dir))))));
  if (sources > built) await promisify(execFile)(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo });
}

export interface ExecutorProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill9(): Promise<void>;
}

/** `pgferry <command> <planFile> <flags>` as its own process, with the test's environment. */
export function startExecutor(
  command: string,
  planFile: string,
  flags: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ExecutorProcess {
  const child = spawn(process.execPath, [join(repo, 'bin', 'pgferry.js'), command, planFile, ...flags], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Polls `check` every 5 ms until it is true; fails after `timeoutMs`, or when `executor` (if given)
 * ended first.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  executor: ExecutorProcess | null,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void executor?.exited.then(() => {
    ended = true;
  });
  const output = () => (executor ? `\n${executor.stdout()}\n${executor.stderr()}` : '');
  while (!(await check())) {
    if (ended) throw new Error(`the executor ended before ${what}:${output()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
