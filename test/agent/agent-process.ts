// A real agent process for crash tests: the CLI's `agent` command compiled once per test file (tsc follows
// its imports only), started with a config against a test cluster, stopped with SIGKILL where a test says.
// The test hook PGFERRY_AGENT_PAUSE_AT (honoured with NODE_ENV=test only) parks the agent at a named phase.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PgCluster } from '../support/pg-cluster.js';
import { restartArgv, TOKENS } from './support.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Compiles the agent CLI into node_modules/.cache (inside the repo, so its packages resolve). */
export async function buildAgentCli(): Promise<{ entry: string; dispose(): Promise<void> }> {
  const cache = join(repo, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'pgferry-agent-cli-'));
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repo, 'tsconfig.build.json'),
      compilerOptions: { outDir: join(dir, 'out'), rootDir: repo },
      include: [],
      files: [join(repo, 'cli', 'commands', 'agent.ts'), join(repo, 'cli', 'io.ts')],
    }),
  );
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: repo });
  // The precompiled validators are JavaScript beside their declarations: copied, as scripts/build.mjs does.
  for (const file of await readdir(join(repo, 'agent', 'validators'))) {
    if (file.endsWith('.generated.js')) {
      await copyFile(join(repo, 'agent', 'validators', file), join(dir, 'out', 'agent', 'validators', file));
    }
  }
  // Under node_modules no package.json scope applies: say these files are ES modules.
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  const entry = join(dir, 'entry.js');
  await writeFile(
    entry,
    `import { command } from './out/cli/commands/agent.js';
import { processIo } from './out/cli/io.js';
process.exitCode = await command(process.argv.slice(2), processIo());
`,
  );
  return { entry, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface AgentProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains `text`; rejects if the process exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON of many shapes; the assertions check them
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

export function agentConfigYaml(cluster: PgCluster, stateDir: string, port: number): string {
  const restart = restartArgv(cluster);
  return `
allowRoot: true
listen: { host: 127.0.0.1, port: ${port} }
tokens:
  - { id: admin, scopes: [read, metrics, plan, apply, restart, rollback, "slot:drop"], secret: { env: T_ADMIN } }
postgres: { host: ${cluster.socketDir}, port: ${cluster.port}, user: postgres, database: postgres, connectTimeoutMs: 2000 }
paths: { serverLog: ${cluster.logFile} }
restart: { command: ${JSON.stringify(restart)}, timeoutSeconds: 30 }
stateDir: ${stateDir}
cache: { slotsMs: 0 }
`;
}

export async function startAgentProcess(
  entry: string,
  cluster: PgCluster,
  stateDir: string,
  pauseAt: string | null,
): Promise<AgentProcess> {
  // Port 0: the agent binds a free port itself (a port picked beforehand can be taken meanwhile).
  const configFile = join(stateDir, '..', `agent-${process.hrtime.bigint()}.yaml`);
  await writeFile(configFile, agentConfigYaml(cluster, stateDir, 0));
  const child = spawn(process.execPath, [entry, '--config', configFile], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      T_ADMIN: TOKENS.admin,
      ...(pauseAt ? { PGFERRY_AGENT_PAUSE_AT: pauseAt } : { PGFERRY_AGENT_PAUSE_AT: '' }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let url = '';
  const proc: AgentProcess = {
    url,
    child,
    stderr: () => err,
    waitFor(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (err.includes(text)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`agent did not print '${text}'; stderr:\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then((code) => {
          if (!err.includes(text)) {
            clearTimeout(timer);
            reject(new Error(`agent exited (${code}) before printing '${text}'; stderr:\n${err}`));
          }
        });
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async request(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKENS.admin}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: await res.json() };
    },
  };
  await proc.waitFor('listening on');
  url = /listening on (http:\/\/\S+)/.exec(err)![1]!;
  return { ...proc, url };
}
