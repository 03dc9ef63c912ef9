// Catalog benchmark (issue "Start from the real database", Performance). Starts a throwaway
// PostgreSQL 18, builds a schema of TABLES tables of 10 columns each (a primary key, text and jsonb
// columns among them), runs the built `pgferry catalog` (`dist/`) against it at two sizes, and prints
// wall time and the number of catalog statements the instrumented reader sent, so the ratio shows the
// count does not grow with the number of tables. Prints figures; asserts nothing.
// (The issue's peer, `pg_dump --schema-only`, is not shipped with the embedded test binaries; when
// PG_DUMP names one, it is timed on the same schema.)
//
//   npm run build && npm run bench:catalog        # SMALL=1000 TABLES=10000

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { embeddedBinDir, startBenchCluster } from '../support/cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SMALL = Number(process.env.SMALL ?? 1000);
const TABLES = Number(process.env.TABLES ?? 10000);
const COLUMNS = 10;

function startCluster() {
  return startBenchCluster({
    bin: embeddedBinDir(18),
    name: 'catalog',
    settings: { synchronous_commit: 'off', shared_buffers: "'128MB'" },
  });
}

/** Tables `t<from>` … `t<to-1>` in `db`, a thousand per transaction (lock table size). */
async function createTables(port, db, from, to) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: db });
  await client.connect();
  try {
    for (let start = from; start < to; start += 1000) {
      const end = Math.min(to, start + 1000);
      await client.query(`DO $$ BEGIN FOR i IN ${start}..${end - 1} LOOP
        EXECUTE format('CREATE TABLE public.t%s (id bigint PRIMARY KEY, a int, b text, c jsonb, d numeric, e timestamptz, f varchar(40), g bytea, h boolean, k int[])', i);
      END LOOP; END $$`);
    }
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function timeCatalog(command, port, db) {
  let stderr = '';
  let stdout = '';
  const io = {
    cwd: root,
    env: {},
    isTTY: false,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  };
  const start = performance.now();
  const code = await command(
    ['--source', `postgres://postgres@127.0.0.1:${port}/postgres`, '--database', db, '--debug'],
    io,
  );
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(stderr);
  const m = /\((\d+) catalog queries \+ (\d+) LOB sampling\)/.exec(stderr);
  const kinds = /time per kind of statement: (.*)/.exec(stderr)?.[1] ?? '';
  const waitedS = [...kinds.matchAll(/ (\d+) ms/g)].reduce((sum, [, ms]) => sum + Number(ms), 0) / 1000;
  const snapshot = JSON.parse(stdout);
  const tables = snapshot.databases[0].tables.length;
  const columns = snapshot.databases[0].tables.reduce((n, t) => n + t.columns.length, 0);
  return {
    seconds,
    waitedS,
    queries: Number(m[1]),
    lob: Number(m[2]),
    tables,
    columns,
    bytes: stdout.length,
    kinds,
  };
}

function timePgDump(port, db) {
  if (!process.env.PG_DUMP) return null;
  const start = performance.now();
  const r = spawnSync(
    process.env.PG_DUMP,
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '--schema-only', db],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (r.status !== 0) return null;
  return (performance.now() - start) / 1000;
}

const { command } = await import(pathToFileURL(join(root, 'dist', 'cli', 'commands', 'catalog.js')).href);
const cluster = await startCluster();
try {
  const admin = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  console.log(`PostgreSQL 18, tables of ${COLUMNS} columns; pgferry catalog --database bench (LOB sampling on)`);
  const rows = [];
  let made = 0;
  for (const size of [SMALL, TABLES]) {
    const build = performance.now();
    await createTables(cluster.port, 'bench', made, size);
    made = size;
    const buildS = (performance.now() - build) / 1000;
    await timeCatalog(command, cluster.port, 'bench'); // warm the server's caches once
    const r = await timeCatalog(command, cluster.port, 'bench');
    const dump = timePgDump(cluster.port, 'bench');
    rows.push(r);
    console.log(
      `${String(r.tables).padStart(6)} tables ${String(r.columns).padStart(7)} columns: catalog ${r.seconds.toFixed(2)} s, ` +
        `${r.queries} catalog queries + ${r.lob} LOB sampling, snapshot ${(r.bytes / 1024 ** 2).toFixed(1)} MB` +
        `${dump === null ? '' : `; pg_dump --schema-only ${dump.toFixed(2)} s (ratio ${(r.seconds / dump).toFixed(2)})`} (schema built in ${buildS.toFixed(0)} s)`,
    );
    console.log(
      `        in statements (server work, rows over the wire) ${r.waitedS.toFixed(2)} s, client (rows to snapshot, canonical JSON) ${(r.seconds - r.waitedS).toFixed(2)} s`,
    );
    console.log(`        statements: ${r.kinds}`);
  }
  const [a, b] = rows;
  console.log(
    `tables ×${(b.tables / a.tables).toFixed(1)}: catalog queries ×${(b.queries / a.queries).toFixed(2)}, LOB sampling statements ×${(b.lob / a.lob).toFixed(2)}, time ×${(b.seconds / a.seconds).toFixed(2)}`,
  );
} finally {
  cluster.stop();
}
