// `status --serve` benchmark (issue 12): do 50 viewers slow the executor? Three processes stand in for a
// migration night: a SOURCE (the agent's /v1/slots, 50 slots, counting requests), an EXECUTOR that polls
// it back to back and records its latency, and the STATUS SERVER (the built dist/ StatusStream and
// server) whose every poll asks the source and builds a full report (80 nodes, 3 DMS tasks × 50 tables).
// The bench opens VIEWERS event streams and prints, per phase: executor requests/s and p50/p99, source
// requests the status server made per second, the status server's CPU, and bytes each viewer received.
// The peer, side by side: the same server polling per viewer (what a page polling /status.json, or an
// SSE handler that polls for its own connection, does). Prints figures; asserts nothing.
//
//   npm run build && npm run bench:status-serve      # DURATION=10 VIEWERS=50 INTERVAL_MS=500

import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DURATION = Number(process.env.DURATION ?? 10);
const VIEWERS = Number(process.env.VIEWERS ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 500);
const SLOTS = 50;
const role = process.argv[2];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: keepAlive }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

// ---- SOURCE: the agent's slot view, with the work of serialising 50 slots per request -----------------

async function source() {
  let requests = 0;
  const slots = Array.from({ length: SLOTS }, (_, i) => ({
    slotName: `pgferry_task_${i}`,
    database: 'app',
    plugin: 'pgoutput',
    slotType: 'logical',
    active: true,
    walStatus: 'reserved',
    retainedWalBytes: 1_000_000 + i,
    confirmedLagBytes: 1000 + i,
  }));
  const server = createServer((req, res) => {
    if (req.url === '/count') return res.end(JSON.stringify({ requests }));
    requests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ slots }));
  });
  process.send({ port: await listen(server) });
}

// ---- EXECUTOR: back-to-back requests to the source, latency recorded --------------------------------------

async function executor() {
  const url = process.env.SOURCE_URL;
  const latencies = [];
  const end = Date.now() + DURATION * 1000;
  while (Date.now() < end) {
    const started = process.hrtime.bigint();
    await getJson(`${url}v1/slots`);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  process.send({ ops: latencies.length / DURATION, p50: at(0.5), p99: at(0.99) });
}

// ---- STATUS SERVER: the built StatusStream + server, or the per-viewer peer --------------------------------

function fatReport(slots, seq) {
  const nodes = Array.from({ length: 80 }, (_, i) => ({
    id: `node.${i}`,
    kind: 'DmsTaskStart',
    phase: ['prepare', 'load', 'cutover', 'cleanup'][i % 4],
    title: `Node ${i} of the bench plan`,
    after: i > 0 ? [`node.${i - 1}`] : [],
    gate: null,
    state: i < seq % 80 ? 'succeeded' : 'pending',
    startedAt: null,
    finishedAt: null,
    attempts: 1,
    error: null,
    note: null,
    outputs: {},
  }));
  const tasks = Array.from({ length: 3 }, (_, t) => ({
    task: `task-${t}`,
    status: 'running',
    stopReason: null,
    fullLoadProgressPercent: seq % 100,
    etaSeconds: 600,
    rowsPerSecond: 12000,
    lastFailure: null,
    tables: Array.from({ length: 50 }, (_, i) => ({
      table: `public.table_${i}`,
      state: 'Table completed',
      fullLoadRows: 1000 * i + seq,
      inserts: seq,
      updates: 0,
      deletes: 0,
      validationState: null,
    })),
  }));
  return {
    plan: 'bench',
    planHash: 'sha256:00',
    journal: '/tmp/journal.json',
    started: true,
    aborted: false,
    updatedAt: new Date().toISOString(),
    nodes,
    gates: {},
    lagThresholds: { maxLagSeconds: 30, maxLagBytes: 16777216 },
    tasks,
    subscriptions: [],
    slots,
    problems: [],
  };
}

async function statusServer() {
  const { StatusStream, sseFrame } = await import(pathToFileURL(join(root, 'dist/executor/status-stream.js')).href);
  const { serveStatus } = await import(pathToFileURL(join(root, 'dist/executor/status-server.js')).href);
  const { canonicalJson } = await import(pathToFileURL(join(root, 'dist/contracts/canonical-json.js')).href);
  let seq = 0;
  const produce = async () => fatReport((await getJson(`${process.env.SOURCE_URL}v1/slots`)).slots, ++seq);
  let port;
  let bytes = () => 0;
  if (process.env.MODE === 'fanout') {
    const stream = new StatusStream({ produce, intervalMs: INTERVAL_MS });
    const serving = await serveStatus({ stream, host: '127.0.0.1', port: 0, token: null, tls: null });
    port = Number(new URL(serving.url).port);
    bytes = () => stream.bytesSent;
  } else {
    // The peer: every event-stream connection polls the sources for itself.
    let sent = 0;
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let timer = null;
      const poll = async () => {
        const frame = sseFrame('status', canonicalJson(await produce(), 0), seq);
        res.write(frame);
        sent += Buffer.byteLength(frame);
        timer = setTimeout(poll, INTERVAL_MS);
      };
      void poll();
      req.on('close', () => clearTimeout(timer));
    });
    port = await listen(server);
    bytes = () => sent;
  }
  const cpuStart = process.cpuUsage();
  process.send({ port });
  process.on('message', (message) => {
    if (message !== 'report') return;
    const cpu = process.cpuUsage(cpuStart);
    process.send({ cpuMs: (cpu.user + cpu.system) / 1000, bytes: bytes() });
  });
}

// ---- the bench ---------------------------------------------------------------------------------------

function child(name, env = {}) {
  const proc = fork(fileURLToPath(import.meta.url), [name], { env: { ...process.env, ...env } });
  const next = () => new Promise((resolve) => proc.once('message', resolve));
  return { proc, next };
}

function openViewers(port, n) {
  const counts = Array(n).fill(0);
  const requests = counts.map(
    (_, i) =>
      new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/events' }, (res) => {
          res.on('data', (chunk) => {
            counts[i] += chunk.length;
          });
          resolve(req);
        });
        req.on('error', () => undefined);
        req.end();
      }),
  );
  return { ready: Promise.all(requests), counts };
}

async function phase(name, sourceUrl, mode, viewers) {
  const before = (await getJson(`${sourceUrl}count`)).requests;
  let server = null;
  let opened = null;
  if (mode !== null) {
    server = child('status', { SOURCE_URL: sourceUrl, MODE: mode });
    const { port } = await server.next();
    opened = openViewers(port, viewers);
    await opened.ready;
    await sleep(INTERVAL_MS);
  }
  const afterWarm = (await getJson(`${sourceUrl}count`)).requests;
  const exec = child('executor', { SOURCE_URL: sourceUrl });
  const result = await exec.next();
  const after = (await getJson(`${sourceUrl}count`)).requests;
  let server_ = { cpuMs: 0, bytes: 0 };
  if (server) {
    server.proc.send('report');
    server_ = await server.next();
    for (const req of await opened.ready) req.destroy();
    server.proc.kill();
  }
  exec.proc.kill();
  const statusRequests = after - afterWarm - Math.round(result.ops * DURATION);
  void before;
  return {
    phase: name,
    'executor req/s': Math.round(result.ops),
    'executor p50 ms': result.p50.toFixed(2),
    'executor p99 ms': result.p99.toFixed(2),
    'status polls of the source /s': (statusRequests / DURATION).toFixed(1),
    'status server CPU %': ((server_.cpuMs / (DURATION * 1000 + INTERVAL_MS)) * 100).toFixed(1),
    'KiB to each viewer': viewers ? (server_.bytes / viewers / 1024).toFixed(0) : '-',
  };
}

async function main() {
  const src = child('source');
  const { port } = await src.next();
  const sourceUrl = `http://127.0.0.1:${port}/`;
  const rows = [];
  rows.push(await phase('no status server', sourceUrl, null, 0));
  rows.push(await phase('--serve, 1 viewer', sourceUrl, 'fanout', 1));
  rows.push(await phase(`--serve, ${VIEWERS} viewers`, sourceUrl, 'fanout', VIEWERS));
  rows.push(await phase(`peer: poll per viewer, ${VIEWERS} viewers`, sourceUrl, 'per-viewer', VIEWERS));
  src.proc.kill();
  console.log(
    `status --serve bench: ${DURATION}s per phase, interval ${INTERVAL_MS} ms, report ≈ 80 nodes + 150 table rows + ${SLOTS} slots`,
  );
  console.table(rows);
  const [base, one, many, peer] = rows;
  const ratio = (a, b) => (Number(a) / Number(b)).toFixed(2);
  console.log(
    `executor req/s with ${VIEWERS} viewers vs none: ${ratio(many['executor req/s'], base['executor req/s'])}× ` +
      `(peer: ${ratio(peer['executor req/s'], base['executor req/s'])}×); ` +
      `source polls with ${VIEWERS} viewers vs 1: ${ratio(many['status polls of the source /s'], one['status polls of the source /s'])}× ` +
      `(peer: ${ratio(peer['status polls of the source /s'], one['status polls of the source /s'])}×)`,
  );
}

if (role === 'source') await source();
else if (role === 'executor') await executor();
else if (role === 'status') await statusServer();
else await main();
