// `status --serve` without a run behind it: a producer that counts its calls stands in for the sources.
// One poll per interval whatever the number of viewers; every viewer gets the same frames; a viewer that
// reconnects with Last-Event-ID gets what it missed, a new one the whole lag history; the page and the
// JSON need the token when one is set; nothing but GET exists; non-loopback needs a token and TLS.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../contracts/canonical-json.js';
import type { StatusReport } from '../../../executor/status.js';
import { checkExposure, type ServingStatus, serveStatus } from '../../../executor/status-server.js';
import { lagSample, StatusStream, sseFrame } from '../../../executor/status-stream.js';

function report(retained: number): StatusReport {
  return {
    plan: 'orders',
    planHash: 'sha256:ab',
    journal: '/x/journal.json',
    started: true,
    aborted: false,
    updatedAt: '2026-01-01T00:00:00.000Z',
    nodes: [],
    gates: {},
    lagThresholds: { maxLagSeconds: 30, maxLagBytes: 1000 },
    tasks: [],
    subscriptions: [],
    slots: [{ slotName: 's1', active: true, retainedWalBytes: retained, confirmedLagBytes: retained / 2 }],
    drift: [],
    problems: [],
  };
}

interface Event {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/** Parses an SSE body the way EventSource does (id, event, data lines joined with \n). */
function parseEvents(text: string): Event[] {
  const out: Event[] = [];
  for (const block of text.split('\n\n')) {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) out.push({ id, event, data: data.join('\n') });
  }
  return out;
}

interface Viewer {
  text: string;
  close(): void;
}

function view(url: string, headers: Record<string, string> = {}): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}events`, { headers }, (res) => {
      const viewer: Viewer = { text: '', close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        viewer.text += chunk;
      });
      res.on('error', () => undefined);
      resolve(viewer);
    });
    req.on('error', reject);
    req.end();
  });
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { headers, method, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

let serving: ServingStatus | null = null;
afterEach(async () => {
  await serving?.close();
  serving = null;
});

async function start(token: string | null = null) {
  let calls = 0;
  const stream = new StatusStream({
    intervalMs: 3_600_000,
    produce: async () => report(100 * ++calls),
  });
  serving = await serveStatus({ stream, host: '127.0.0.1', port: 0, token, tls: null });
  return { stream, url: serving.url, calls: () => calls };
}

describe('status --serve: stream and server', () => {
  it('serves the page, its script and styles from the package, and the same JSON as status --json', async () => {
    const { url } = await start();
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.body).toContain('<script type="module" src="page.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    for (const asset of ['page.js', 'page.css']) expect((await get(`${url}${asset}`)).status).toBe(200);
    const json = await get(`${url}status.json`);
    expect(json.body).toBe(canonicalJson(report(100)));
  });

  it('polls once per interval whatever the number of viewers, and sends every viewer the same frames', async () => {
    const { stream, url, calls } = await start();
    const viewers = await Promise.all(Array.from({ length: 20 }, () => view(url)));
    await until(() => stream.viewers === 20);
    await stream.tick();
    await stream.tick();
    expect(calls()).toBe(3);
    await until(() => viewers.every((v) => parseEvents(v.text).filter((e) => e.event === 'status').length === 3));
    const first = parseEvents(viewers[0]!.text);
    for (const viewer of viewers) expect(parseEvents(viewer.text)).toEqual(first);
    // Each status event is the status JSON; its id is the poll's sequence number.
    const statuses = first.filter((e) => e.event === 'status');
    expect(statuses.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(JSON.parse(statuses[2]!.data)).toEqual(JSON.parse(canonicalJson(report(300))));
    expect(first.filter((e) => e.event === 'lag').map((e) => JSON.parse(e.data).series['bytes:s1 retained'])).toEqual([
      200, 300,
    ]);
    for (const viewer of viewers) viewer.close();
  });

  it('a reconnect with Last-Event-ID gets the missed lag samples; a new viewer the whole history', async () => {
    const { stream, url } = await start();
    await stream.tick();
    await stream.tick();
    const resumed = await view(url, { 'last-event-id': '1' });
    const fresh = await view(url);
    await until(() => parseEvents(resumed.text).length >= 3 && parseEvents(fresh.text).length >= 2);
    const resumedEvents = parseEvents(resumed.text);
    expect(resumedEvents.map((e) => e.event)).toEqual(['lag', 'lag', 'status']);
    expect(resumedEvents.slice(0, 2).map((e) => JSON.parse(e.data).seq)).toEqual([2, 3]);
    expect(resumedEvents[2]!.id).toBe('3');
    const freshEvents = parseEvents(fresh.text);
    expect(freshEvents.map((e) => e.event)).toEqual(['history', 'status']);
    expect(JSON.parse(freshEvents[0]!.data).samples.map((s: { seq: number }) => s.seq)).toEqual([1, 2, 3]);
    // An id from another server life (higher than any sent) gets the whole history too.
    const stranger = await view(url, { 'last-event-id': '99' });
    await until(() => parseEvents(stranger.text).length >= 2);
    expect(parseEvents(stranger.text)[0]!.event).toBe('history');
    for (const viewer of [resumed, fresh, stranger]) viewer.close();
    await until(() => stream.viewers === 0);
  });

  it('is read-only: anything but the page, its assets, the JSON and the stream is a 404', async () => {
    const { url } = await start();
    for (const [method, path] of [
      ['POST', 'approve'],
      ['POST', 'cutover'],
      ['POST', 'abort'],
      ['DELETE', 'status.json'],
      ['POST', 'events'],
    ] as const) {
      const answer = await get(`${url}${path}`, {}, method);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(answer.body).error.message).toContain('read-only');
    }
  });

  it('with a token: 401 without it; a bearer header or the cookie set from /?token= lets in', async () => {
    const token = 'view-S3CRET-token-1234';
    const { url } = await start(token);
    for (const path of ['', 'page.js', 'status.json', 'events']) {
      const answer = await get(`${url}${path}`);
      expect(answer.status, path).toBe(401);
      expect(answer.body).not.toContain(token);
    }
    expect((await get(`${url}status.json`, { authorization: 'Bearer wrong-token-but-long' })).status).toBe(401);
    expect((await get(`${url}status.json`, { authorization: `Bearer ${token}` })).status).toBe(200);
    const entry = await get(`${url}?token=${token}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.get('location')).toBe('/');
    const cookie = entry.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await get(url, { cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token and TLS', () => {
    expect(() => checkExposure('0.0.0.0', null, false)).toThrow(/not loopback.*PGFERRY_STATUS_TOKEN/);
    expect(() => checkExposure('10.0.0.5', 'a-token-long-enough', false)).toThrow(/--tls-cert/);
    expect(() => checkExposure('10.0.0.5', null, true)).toThrow(/PGFERRY_STATUS_TOKEN/);
    expect(() => checkExposure('127.0.0.1', 'short', false)).toThrow(/shorter than 16/);
    expect(() => checkExposure('10.0.0.5', 'a-token-long-enough', true)).not.toThrow();
    expect(() => checkExposure('127.0.0.1', null, false)).not.toThrow();
    expect(() => checkExposure('::1', null, false)).not.toThrow();
  });

  it('serves over TLS with the token when given a certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgferry-status-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1'].concat([
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
        ]),
        { cwd: dir, stdio: 'ignore' },
      );
      const cert = await readFile(join(dir, 'cert.pem'));
      const key = await readFile(join(dir, 'key.pem'));
      const token = 'tls-S3CRET-token-5678';
      const stream = new StatusStream({ intervalMs: 3_600_000, produce: async () => report(1) });
      serving = await serveStatus({ stream, host: '127.0.0.1', port: 0, token, tls: { cert, key } });
      expect(serving.url).toMatch(/^https:/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          `${serving!.url}status.json`,
          { ca: cert, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lag samples and frames', () => {
  it('takes every slot’s bytes and every task field that names lag or latency in seconds', () => {
    const base = report(10);
    const withTask = {
      ...base,
      tasks: [{ task: 't1', cdcLatencySourceSeconds: 4, cdcLatencyTargetSeconds: 7, etaSeconds: 99 }],
    } as unknown as StatusReport;
    expect(lagSample(withTask, 5, new Date('2026-01-01T00:00:00Z'))).toEqual({
      seq: 5,
      at: '2026-01-01T00:00:00.000Z',
      series: {
        'bytes:s1 retained': 10,
        'bytes:s1 confirmed': 5,
        'seconds:t1 cdcLatencySourceSeconds': 4,
        'seconds:t1 cdcLatencyTargetSeconds': 7,
      },
    });
  });

  it('splits multi-line data into data lines', () => {
    expect(sseFrame('status', '{\n  "a": 1\n}', 7)).toBe('id: 7\nevent: status\ndata: {\ndata:   "a": 1\ndata: }\n\n');
  });
});
