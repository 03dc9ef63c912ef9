// Agent benchmark (issue "Source-host agent", Performance). Starts a throwaway PostgreSQL 16 with 50
// logical slots and the built agent (`dist/`) as its own process, then prints: idle RSS; p50/p99 and
// requests/s of GET /v1/slots and GET /metrics at 100 concurrent clients for DURATION seconds (10 by
// default); how many slot queries the agent sent (its cache allows one per interval, whatever the
// rate); plan+apply latency of a reload-only bundle. Where prometheus-postgres-exporter is installed it
// measures the exporter against the same cluster and prints the ratios. Prints figures; asserts nothing.
//
//   npm run build && npm run bench:agent            # DURATION=10 CONCURRENCY=100 SLOTS=50 APPLIES=10

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { embeddedBinDir, freePort, osUser, startBenchCluster } from '../support/cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const DURATION = Number(process.env.DURATION ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const SLOTS = Number(process.env.SLOTS ?? 50);
const APPLIES = Number(process.env.APPLIES ?? 10);
const CACHE_MS = 1000;
const TOKEN = 'bench-token-0123456789abcdef';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startCluster() {
  return startBenchCluster({
    bin: embeddedBinDir(16),
    name: 'agent',
    settings: {
      wal_level: 'logical',
      max_replication_slots: SLOTS + 10,
      max_wal_senders: SLOTS + 10,
      shared_buffers: "'32MB'",
    },
  });
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: keepAlive, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(url, headers) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        try {
          const status = await get(url, headers);
          if (status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: latencies.length / DURATION,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

async function waitHttp(url, headers) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url, { headers })).ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

/** A reload-only bundle, hashed by the project's own canonical JSON (from dist/) as the compiler does. */
function bundle(hashJson, versionNum, timeout) {
  const body = {
    schemaVersion: 1,
    bundleId: 'bench',
    target: { pgMajor: 16, serverVersionNum: versionNum, systemIdentifier: null },
    settings: { wal_sender_timeout: timeout },
    restartSettings: [],
    settingsMethod: 'alter_system',
    hba: {
      mode: 'managed_block',
      block: 'dms',
      anchor: 'bottom',
      rules: [
        {
          type: 'host',
          database: ['postgres'],
          user: ['dms_user'],
          address: '10.0.1.0/24',
          method: 'scram-sha-256',
          comment: 'bench',
        },
      ],
      protect: [],
    },
    roles: [],
    slots: [],
    fence: { method: 'hba_reject', roles: [], databases: [] },
    restartPolicy: 'require_consent',
    patroni: null,
  };
  return { ...body, hash: hashJson(body) };
}

const fmt = (n) => n.toFixed(1).padStart(8);

async function main() {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  const { hashJson } = await import(pathToFileURL(join(root, 'dist', 'contracts', 'canonical-json.js')).href);
  const cluster = await startCluster();
  const db = new pg.Client({ host: cluster.sock, port: cluster.port, user: 'postgres', database: 'postgres' });
  await db.connect();
  for (let i = 0; i < SLOTS; i++)
    await db.query(`SELECT pg_create_logical_replication_slot('dms_bench_${i}', 'test_decoding')`);
  const state = mkdtempSync(join(tmpdir(), 'pgferry-bench-state-'));
  const port = await freePort();
  const config = join(state, 'agent.yaml');
  writeFileSync(
    config,
    `allowRoot: true\nlisten: { host: 127.0.0.1, port: ${port} }\ntokens:\n  - { id: bench, scopes: [read, metrics, plan, apply], secret: { env: BENCH_TOKEN } }\npostgres: { host: ${cluster.sock}, port: ${cluster.port} }\nstateDir: ${join(state, 'state')}\ncache: { slotsMs: ${CACHE_MS} }\n`,
  );
  const agent = spawn(process.execPath, [join(root, 'bin', 'pgferry-agent.js'), '--config', config], {
    env: { ...process.env, BENCH_TOKEN: TOKEN },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const results = [];
  try {
    await waitHttp(`${base}/v1/health`, headers);
    await sleep(1000);
    const idle = rssMb(agent.pid);
    const slotQueries = async () =>
      Number(
        /pgferry_catalog_queries_total\{query="slots"\} (\d+)/.exec(
          await (await fetch(`${base}/metrics`, { headers })).text(),
        )?.[1] ?? 0,
      );
    const queriesBefore = await slotQueries();
    const started = performance.now();
    const slots = await load(`${base}/v1/slots`, headers);
    const metrics = await load(`${base}/metrics`, headers);
    const elapsedS = (performance.now() - started) / 1000;
    const queries = (await slotQueries()) - queriesBefore;
    const loaded = rssMb(agent.pid);
    const versionNum = Number((await db.query('SHOW server_version_num')).rows[0].server_version_num);
    const applies = [];
    for (let i = 0; i < APPLIES; i++) {
      const start = performance.now();
      const plan = await (
        await fetch(`${base}/v1/plans`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(bundle(hashJson, versionNum, i % 2 === 0 ? 0 : 30000)),
        })
      ).json();
      const res = await fetch(`${base}/v1/plans/${plan.planId}/apply`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ planHash: plan.planHash }),
      });
      await res.json();
      applies.push(performance.now() - start);
    }
    applies.sort((a, b) => a - b);
    console.log(
      `agent benchmark: PostgreSQL 16, ${SLOTS} logical slots, ${CONCURRENCY} concurrent clients, ${DURATION}s per endpoint, cache ${CACHE_MS} ms`,
    );
    console.log(`  idle RSS                 ${fmt(idle)} MB   (aim <= 60)`);
    console.log(`  RSS after load           ${fmt(loaded)} MB`);
    console.log('  endpoint                    req/s   p50 ms   p99 ms   errors');
    for (const [name, r] of [
      ['GET /v1/slots', slots],
      ['GET /metrics', metrics],
    ]) {
      console.log(
        `  ${name.padEnd(22)} ${fmt(r.rps)} ${fmt(r.p50)} ${fmt(r.p99)} ${String(r.errors).padStart(8)}   (aim p99 <= 25)`,
      );
      results.push({ name, ...r });
    }
    console.log(
      `  slot catalog queries     ${String(queries).padStart(8)}   over ${elapsedS.toFixed(1)} s (cache allows <= ${Math.ceil((elapsedS * 1000) / CACHE_MS) + 1})`,
    );
    console.log(
      `  plan+apply (reload only) ${fmt(percentile(applies, 50))} ms p50, ${fmt(applies[applies.length - 1])} ms max over ${APPLIES}`,
    );
    await exporterComparison(cluster, idle, metrics);
  } finally {
    agent.kill('SIGTERM');
    await db.end();
    cluster.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

async function exporterComparison(cluster, agentIdle, agentMetrics) {
  const binary = ['/usr/bin/prometheus-postgres-exporter', '/usr/local/bin/postgres_exporter'].find((p) =>
    existsSync(p),
  );
  if (!binary) {
    console.log(
      '  prometheus-postgres-exporter: not installed (apt-get install prometheus-postgres-exporter to compare)',
    );
    return;
  }
  const port = await freePort();
  const user = osUser();
  const exporter = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], {
    env: {
      ...process.env,
      DATA_SOURCE_NAME: `host=${cluster.sock} port=${cluster.port} user=postgres dbname=postgres sslmode=disable`,
    },
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  try {
    await waitHttp(`http://127.0.0.1:${port}/metrics`, {});
    await sleep(1000);
    const idle = rssMb(exporter.pid);
    const metrics = await load(`http://127.0.0.1:${port}/metrics`, {});
    console.log(
      `  postgres_exporter idle RSS ${fmt(idle)} MB; /metrics p50 ${fmt(metrics.p50)} ms, p99 ${fmt(metrics.p99)} ms, ${fmt(metrics.rps)} req/s`,
    );
    console.log(
      `  ratios agent/exporter: RSS ${(agentIdle / idle).toFixed(2)}, metrics p99 ${(agentMetrics.p99 / metrics.p99).toFixed(2)}`,
    );
  } finally {
    exporter.kill('SIGTERM');
  }
}

await main();
