// Verification benchmark (issue "Data verification", Performance). Two local PostgreSQL clusters (Debian's
// PostgreSQL 15, the major whose pgcmp extension postgresql-comparator ships, so pg_comparator runs with its
// fast C checksum) hold the same ~ROWS rows over 20 tables, narrow and wide (text, numeric, jsonb, bytea).
// In the same run it measures, on the same tables:
//   - the floor: one sequential read of every table on both sides (`SELECT … FROM t` streamed, both sides
//     at once, as the verifier reads them);
//   - pgferry verify in checksum mode (verify/ from dist/, run as its own process, peak RSS from
//     /proc/<pid>/status VmHWM);
//   - pg_comparator (/usr/bin/pg_comparator) table by table, with its defaults (ck checksum, sum aggregate);
// and prints rows/s, the ratios, and the verifier's peak RSS at two table sizes (ROWS and ROWS/10), with
// the largest RSS in each half of its run (flat memory: the second half no larger than the first).
// Prints figures; asserts nothing.
//
//   npm run build && node bench/verify/run.mjs            # ROWS=10000000 JOBS=2
//   node bench/verify/run.mjs --rows 1000000               # a quick run

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBenchCluster } from '../support/cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const argRows = process.argv.indexOf('--rows');
const ROWS = Number(argRows > 0 ? process.argv[argRows + 1] : (process.env.ROWS ?? 10_000_000));
const JOBS = Number(process.env.JOBS ?? 2);
const TABLES = 20;
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const COMPARATOR = '/usr/bin/pg_comparator';

function startCluster(name) {
  return startBenchCluster({
    bin: PG_BIN,
    name: `verify-${name}`,
    settings: {
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: "'256MB'",
      max_wal_size: "'4GB'",
      max_connections: 40,
    },
  });
}

async function client(port, database = 'postgres') {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  await c.connect();
  return c;
}

/** Table i: even ones narrow (int key, int, text), odd ones wide (text, numeric, jsonb, bytea, timestamptz). */
function tableSql(i, rows) {
  const name = `t${String(i).padStart(2, '0')}`;
  if (i % 2 === 0) {
    return `CREATE TABLE ${name} (id bigint PRIMARY KEY, n int, label text);
INSERT INTO ${name} SELECT g, g % 1000, 'label ' || g FROM generate_series(1, ${rows}) g;`;
  }
  return `CREATE TABLE ${name} (id bigint PRIMARY KEY, body text, amount numeric, doc jsonb, blob bytea, at timestamptz);
INSERT INTO ${name} SELECT g, repeat(md5(g::text), 4), g * 1.25, jsonb_build_object('id', g, 'tags', jsonb_build_array('a', g % 7)),
  decode(md5(g::text) || md5((g + 1)::text), 'hex'), timestamptz '2024-01-01' + g * interval '1 second'
  FROM generate_series(1, ${rows}) g;`;
}

async function load(port, database, rowsPerTable) {
  const admin = await client(port);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const c = await client(port, database);
  await c.query('CREATE EXTENSION IF NOT EXISTS pgcmp');
  for (let i = 0; i < TABLES; i++) await c.query(tableSql(i, rowsPerTable));
  // Tables at rest, as a production table is: the load's commits were asynchronous (synchronous_commit
  // off), and VACUUM sets neither hint bits nor the visibility map for rows whose commit record is not
  // yet flushed, which would leave every index-only scan of the verifier's chunk boundaries visiting
  // the heap. CHECKPOINT flushes it.
  await c.query('CHECKPOINT');
  await c.query('VACUUM ANALYZE');
  await c.end();
}

/** One sequential read of every table on both sides at once (JOBS tables at a time per side). */
async function floor(ports, database) {
  const started = performance.now();
  await Promise.all(
    ports.map(async (port) => {
      const names = Array.from({ length: TABLES }, (_, i) => `t${String(i).padStart(2, '0')}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: JOBS }, async () => {
          const c = await client(port, database);
          while (next < names.length) {
            const name = names[next++];
            // Reads and detoasts every column of every row inside the server, returning one row.
            await c.query(`SELECT count(*), sum(length(t::text)) FROM ${name} t`);
          }
          await c.end();
        }),
      );
    }),
  );
  return (performance.now() - started) / 1000;
}

/**
 * Runs a command, returning seconds, the peak RSS (VmHWM) of its main process, and the largest RSS
 * sampled in each half of its run: a verifier whose memory grew with the rows read would show a
 * second half above the first.
 */
function timed(program, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let peakKb = 0;
    const samples = [];
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const sample = setInterval(() => {
      try {
        const status = execFileSync('cat', [`/proc/${child.pid}/status`], { encoding: 'utf8' });
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, hwm);
        samples.push([performance.now(), Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)]);
      } catch {}
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      const middle = (started + performance.now()) / 2;
      const halfPeakMb = (first) =>
        Math.max(0, ...samples.filter(([at]) => at < middle === first).map(([, kb]) => kb)) / 1024;
      resolve({
        seconds: (performance.now() - started) / 1000,
        peakMb: peakKb / 1024,
        halvesMb: [halfPeakMb(true), halfPeakMb(false)],
        code,
        out,
      });
    });
  });
}

const VERIFIER = `
import { runVerify } from ${JSON.stringify(join(root, 'dist', 'verify', 'run.js'))};
const [source, target, database, jobs, chunk] = process.argv.slice(2);
const side = (port) => ({ host: '127.0.0.1', port: Number(port), user: 'postgres', password: null, database, ssl: false });
const report = await runVerify({ plan: 'bench', pairs: [{ source: side(source), target: side(target), selection: 'true' }],
  mode: 'checksum', tables: ['public.t%'], jobs: Number(jobs), chunkRows: Number(chunk), schema: false, postLoadSql: [],
  rolling: null, allowedMismatches: 0, checkpointFile: () => null });
const db = report.databases[0];
// What the run keeps: the live heap once garbage is collected (RSS also holds what V8 has not yet returned).
globalThis.gc();
const liveMb = process.memoryUsage().heapUsed / 1048576;
console.log(JSON.stringify({ ok: report.ok, rows: db.rows, mismatches: db.mismatches, tables: db.tables.length, liveMb }));
`;

async function pgferryVerify(ports, database, chunk) {
  const file = join(tmpdir(), `pgferry-bench-verifier-${process.pid}.mjs`);
  writeFileSync(file, VERIFIER);
  const result = await timed(process.execPath, [
    '--expose-gc',
    file,
    String(ports[0]),
    String(ports[1]),
    database,
    String(JOBS),
    String(chunk),
  ]);
  rmSync(file, { force: true });
  const line = result.out.trim().split('\n').pop();
  if (result.code !== 0) throw new Error(`pgferry verify failed: ${result.out}`);
  return { ...result, report: JSON.parse(line) };
}

async function comparator(ports, database) {
  let seconds = 0;
  let peakMb = 0;
  for (let i = 0; i < TABLES; i++) {
    const name = `public.t${String(i).padStart(2, '0')}`;
    const result = await timed(COMPARATOR, [
      `pgsql://postgres@127.0.0.1:${ports[0]}/${database}/${name}`,
      `pgsql://postgres@127.0.0.1:${ports[1]}/${database}/${name}`,
    ]);
    if (result.code !== 0) throw new Error(`pg_comparator ${name} exited ${result.code}: ${result.out}`);
    seconds += result.seconds;
    peakMb = Math.max(peakMb, result.peakMb);
  }
  return { seconds, peakMb };
}

const fmt = (rows, seconds) => `${(rows / seconds / 1e3).toFixed(0)}k rows/s`;

async function main() {
  if (!existsSync(join(root, 'dist', 'verify', 'run.js'))) throw new Error('run `npm run build` first');
  const clusters = [await startCluster('source'), await startCluster('target')];
  try {
    const ports = clusters.map((c) => c.port);
    const perTable = Math.ceil(ROWS / TABLES);
    const small = Math.ceil(perTable / 10);
    console.log(`pgferry verify bench: ${TABLES} tables (10 narrow, 10 wide), jobs ${JOBS}, PostgreSQL 15 (${PG_BIN})`);
    const started = performance.now();
    await Promise.all(ports.map((port) => load(port, 'big', perTable)));
    await Promise.all(ports.map((port) => load(port, 'small', small)));
    console.log(
      `loaded ${TABLES * perTable} + ${TABLES * small} rows per side in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    for (const [database, rows] of [
      ['small', TABLES * small],
      ['big', TABLES * perTable],
    ]) {
      await floor(ports, database); // warm the caches once, so every contender reads the same way
      const floorSeconds = await floor(ports, database);
      const mine = await pgferryVerify(ports, database, 10_000);
      if (!mine.report.ok || mine.report.rows !== rows)
        throw new Error(`unexpected verify result ${JSON.stringify(mine.report)}`);
      const theirs = await comparator(ports, database);
      console.log(`\n${database}: ${rows} rows per side`);
      console.log(
        `  floor (one read of every table, both sides)  ${floorSeconds.toFixed(1)} s  ${fmt(rows, floorSeconds)}`,
      );
      console.log(
        `  pgferry verify --mode checksum               ${mine.seconds.toFixed(1)} s  ${fmt(rows, mine.seconds)}  peak RSS ${mine.peakMb.toFixed(0)} MB (largest in the first half of the run ${mine.halvesMb[0].toFixed(0)} MB, second half ${mine.halvesMb[1].toFixed(0)} MB; live heap after the run ${mine.report.liveMb.toFixed(1)} MB)`,
      );
      console.log(
        `  pg_comparator (ck checksum, sum)             ${theirs.seconds.toFixed(1)} s  ${fmt(rows, theirs.seconds)}  peak RSS ${theirs.peakMb.toFixed(0)} MB`,
      );
      console.log(
        `  pgferry vs pg_comparator throughput: ${(theirs.seconds / mine.seconds).toFixed(2)}x   pgferry vs floor: ${(mine.seconds / floorSeconds).toFixed(2)}x the floor's time`,
      );
    }
  } finally {
    for (const c of clusters) c.stop();
  }
}

await main();
