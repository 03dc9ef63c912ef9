// The `status --serve` page in Debian's headless chromium, fed scripted DMS-shaped reports (no clusters):
// a task's full-load progress, rows/s, ETA and per-table statistics move; a lag-in-seconds series (the
// shape CloudWatch latency takes in the status JSON) is charted against max_lag_seconds; a failed node's
// journal message and the problems appear; fields the page does not know (verify results) show under
// "More". The page also works behind a token: /?token= becomes a cookie the event stream then uses.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../executor/status.js';
import { type ServingStatus, serveStatus } from '../../executor/status-server.js';
import { StatusStream } from '../../executor/status-stream.js';
import { type Browser, openChromium } from '../support/chromium.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.tmp', 'status-page');
const TOKEN = 'page-S3CRET-token-0042';

type Node = StatusReport['nodes'][number];
const node = (id: string, state: string, extra: Partial<Node> = {}): Node => ({
  id,
  kind: 'DmsTaskStart',
  phase: 'load',
  title: id,
  after: [],
  gate: null,
  state,
  startedAt: null,
  finishedAt: null,
  attempts: state === 'pending' ? 0 : 1,
  error: null,
  note: null,
  outputs: {},
  ...extra,
});

/** Step n of a DMS run: progress 10 % → 60 %, latency 40 s → 12 s, then the full-load wait fails. */
function step(n: number): StatusReport {
  const percent = [10, 60, 60][n]!;
  const failed = n === 2;
  const report = {
    plan: 'orders',
    planHash: 'sha256:ab',
    journal: '/x/journal.json',
    started: true,
    aborted: false,
    updatedAt: '2026-01-01T00:00:00.000Z',
    nodes: [
      node('dms.task.orders.create', 'succeeded', { kind: 'DmsTaskCreate', phase: 'prepare' }),
      node('dms.task.orders.start', 'succeeded', { after: ['dms.task.orders.create'] }),
      node('dms.task.orders.full-load-wait', failed ? 'failed' : 'running', {
        kind: 'DmsFullLoadWait',
        after: ['dms.task.orders.start'],
        error: failed ? 'replication task orders is failed: Last Error ORA-00001 on public.orders' : null,
      }),
      node('gate.cutover', 'pending', { kind: 'ManualGate', phase: 'cutover', gate: 'cutover' }),
    ],
    gates: { cutover: { approved: false, approvedAt: null, command: 'pgferry approve plans/orders.yaml cutover' } },
    lagThresholds: { maxLagSeconds: 30, maxLagBytes: 16 * 1024 * 1024 },
    tasks: [
      {
        task: 'orders',
        status: failed ? 'failed' : 'running',
        stopReason: null,
        fullLoadProgressPercent: percent,
        etaSeconds: [900, 200, 200][n]!,
        rowsPerSecond: [1000, 1500, 1500][n]!,
        lastFailure: failed ? 'Last Error ORA-00001 on public.orders' : null,
        cdcLatencySourceSeconds: [40, 12, 12][n]!,
        cdcLatencyTargetSeconds: null,
        cdcLatencyAt: '2026-12-04T09:00:00.000Z',
        cdcLatencyWhy: null,
        tables: [
          {
            table: 'public.customers',
            state: 'Table completed',
            fullLoadRows: 20,
            inserts: 0,
            updates: 0,
            deletes: 0,
            validationState: null,
          },
          {
            table: 'public.orders',
            state: n === 0 ? 'Before load' : 'Table loading',
            fullLoadRows: [0, 9000, 9000][n]!,
            inserts: 0,
            updates: 0,
            deletes: 0,
            validationState: null,
          },
        ],
      },
    ],
    subscriptions: [],
    slots: [
      {
        slotName: 'orders_slot',
        database: 'app',
        active: true,
        retainedWalBytes: 4096 * (n + 1),
        confirmedLagBytes: 512,
      },
    ],
    drift: [],
    problems: failed ? ['agent slots: connect ECONNREFUSED 10.0.2.15:8443'] : [],
    ...(failed ? { verify: [{ database: 'app', table: 'public.orders', result: 'match', sourceRows: 9000 }] } : {}),
  };
  return report as StatusReport;
}

describe('the status page in chromium, over scripted DMS reports, behind a token', () => {
  let browser: Browser;
  let serving: ServingStatus;
  let stream: StatusStream;
  let n = 0;

  beforeAll(async () => {
    stream = new StatusStream({ intervalMs: 3_600_000, produce: async () => step(Math.min(n, 2)) });
    serving = await serveStatus({ stream, host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
    browser = await openChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await serving?.close();
  });

  const page = () => browser.page;
  /** The next poll, rendered. */
  async function advance(): Promise<void> {
    n += 1;
    await stream.tick();
    await page().waitForFunction((seq) => document.body.dataset.seq === String(seq), n + 1);
  }

  it('opens with the token in the address, which becomes a cookie and leaves the address', async () => {
    await page().goto(`${serving.url}?token=${TOKEN}`);
    expect(page().url()).toBe(serving.url);
    await page().waitForSelector('#conn[data-state="live"]');
    await page().waitForFunction(() => document.body.dataset.seq === '1');
  });

  it('shows the task: progress, rows/s, ETA and per-table statistics, moving as the load goes on', async () => {
    const task = page().locator('[data-task="orders"]');
    expect(await task.getAttribute('data-percent')).toBe('10');
    expect(await task.textContent()).toContain('1000 rows/s · ETA 15:00');
    expect(await task.locator('tbody tr').count()).toBe(2);
    expect(await page().locator('[data-node="dms.task.orders.full-load-wait"]').getAttribute('data-state')).toBe(
      'running',
    );
    await advance();
    expect(await task.getAttribute('data-percent')).toBe('60');
    expect(await task.textContent()).toContain('1500 rows/s · ETA 3:20');
    expect(await task.locator('tbody tr', { hasText: 'public.orders' }).textContent()).toContain('9000');
  });

  it('charts lag in seconds against the plan’s max_lag_seconds, next to the slot bytes', async () => {
    const seconds = page().locator('#lag-seconds\\:');
    expect(await seconds.getAttribute('data-points')).toBe('2');
    expect(await seconds.locator('line.threshold').getAttribute('data-threshold')).toBe('30');
    const line = seconds.locator('polyline[data-series="seconds:orders cdcLatencySourceSeconds"]');
    expect((await line.getAttribute('points'))?.split(' ')).toHaveLength(2);
    expect(await page().locator('#lag-bytes\\: polyline').count()).toBe(2);
  });

  it('shows a failure with the journal’s message, the problems, and status fields it does not know', async () => {
    await advance();
    const failed = page().locator('#errors [data-failed="dms.task.orders.full-load-wait"]');
    expect(await failed.textContent()).toContain('Last Error ORA-00001 on public.orders');
    expect(await page().locator('#errors .problem').textContent()).toBe(
      'agent slots: connect ECONNREFUSED 10.0.2.15:8443',
    );
    expect(await page().locator('[data-node="dms.task.orders.full-load-wait"]').getAttribute('data-state')).toBe(
      'failed',
    );
    const verify = page().locator('[data-extra="verify"]');
    // Columns in the status JSON's canonical (sorted) key order.
    expect(await verify.locator('th').allTextContents()).toEqual(['database', 'result', 'sourceRows', 'table']);
    expect(await verify.locator('td').allTextContents()).toEqual(['app', 'match', '9000', 'public.orders']);
    // An empty addition (no drift) takes no room.
    expect(await page().locator('[data-extra="drift"]').count()).toBe(0);
    await page().screenshot({ path: join(ARTIFACTS, 'dms-failed.png'), fullPage: true });
  });

  it('wrote nothing to the console: no errors, no failed requests', () => {
    expect(browser.errors).toEqual([]);
  });
});
