// The `status --serve` page in Debian's headless chromium, watching a real run of the logical engine on
// local clusters: node states, the waiting gate and its command, the subscription, the lag chart and the
// cutover panel change as the run advances; the page reconnects when the server restarts; no console
// errors. Screenshots go to .tmp/status-page/ (PGFERRY_UPDATE_SCREENSHOT=1 also refreshes docs/).

import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../executor/session.js';
import { statusReport } from '../../executor/status.js';
import { type ServingStatus, serveStatus } from '../../executor/status-server.js';
import { StatusStream } from '../../executor/status-stream.js';
import { type Browser, openChromium } from '../support/chromium.js';
import { type LogicalWorld, NAME, startLogicalWorld } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, '.tmp', 'status-page');

describe('the status page in chromium, over a logical-engine run', () => {
  let world: LogicalWorld;
  let browser: Browser;
  let serving: ServingStatus | null = null;
  let port = 0;

  async function serve(): Promise<string> {
    const session = await Session.open({
      cwd: join(world.planFile, '..'),
      env: world.env,
      planFile: world.planFile,
      stateDir: world.stateDir,
      pollMs: 100,
    });
    const stream = new StatusStream({
      intervalMs: 250,
      produce: async () => {
        await session.reload();
        return statusReport(session, true, { planRef: world.planFile });
      },
    });
    serving = await serveStatus({ stream, host: '127.0.0.1', port, token: null, tls: null });
    port = Number(new URL(serving.url).port);
    return serving.url;
  }

  const page = (): Page => browser.page;
  const nodeState = (id: string) => page().locator(`[data-node="${id}"]`).getAttribute('data-state');
  const seq = async () => Number(await page().locator('body').getAttribute('data-seq'));

  /** Waits until the page has rendered a status polled after now (so it reflects what just ran). */
  async function fresh(): Promise<void> {
    const from = await seq();
    await page().waitForFunction((n) => Number(document.body.dataset.seq) > n + 1, from);
  }

  beforeAll(async () => {
    world = await startLogicalWorld(16);
    browser = await openChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await serving?.close();
    await world?.close();
  });

  it('before the run: every node pending, no slot, no lag yet', async () => {
    const url = await serve();
    await page().goto(url);
    await page().waitForSelector('#conn[data-state="live"]');
    await page().waitForSelector('[data-node]');
    const states = await page()
      .locator('[data-node]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-state')));
    expect(states.length).toBeGreaterThan(5);
    expect(new Set(states)).toEqual(new Set(['pending']));
    expect(await page().locator('#lag').textContent()).toContain('no lag figures yet');
    expect(await page().locator('#plan').textContent()).toBe('rehearsal');
  });

  it('apply stops at the restart consent: the page shows the gate and the command that opens it', async () => {
    const first = await world.run('apply');
    expect(first.code).toBe(0);
    await page().waitForSelector('[data-node][data-state="waiting-gate"]');
    const banner = page().locator('#waiting [data-gate="restart-consent"]');
    await banner.waitFor();
    expect(await banner.locator('code').textContent()).toBe(`pgferry approve ${world.planFile} restart-consent`);
    expect(await page().locator('[data-node][data-state="succeeded"]').count()).toBeGreaterThan(0);
  });

  it('after approval the run subscribes: nodes succeed, the subscription is ready, the lag chart fills', async () => {
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    expect((await world.run('apply')).code).toBe(0);
    await page().waitForFunction(
      () =>
        document.querySelector('[data-node="logical.rehearsal-app.sync-wait"]')?.getAttribute('data-state') ===
        'succeeded',
    );
    expect(await page().locator('#waiting').isHidden()).toBe(true);
    const sub = page().locator(`[data-subscription="${NAME}"]`);
    await sub.waitFor();
    expect(await sub.textContent()).toContain('enabled');
    expect(await sub.textContent()).toContain('0 / 0 / 0 / 0 / 2');
    // The slot's series appear and gain points poll after poll. The lag gate is in seconds
    // (max_lag_seconds): the bytes chart draws no threshold the plan never set.
    const chart = page().locator('#lag-bytes\\:');
    await chart.waitFor();
    expect(await chart.locator(`polyline[data-series="bytes:${NAME} retained"]`).count()).toBe(1);
    expect(await chart.locator('line.threshold').count()).toBe(0);
    const points = Number(await chart.getAttribute('data-points'));
    await page().waitForFunction(
      (n) => Number(document.querySelector('#lag-bytes\\:')?.getAttribute('data-points')) > n + 2,
      points,
    );
    await page().locator(`[data-slot="${NAME}"]`).waitFor();
    await page().screenshot({ path: join(ARTIFACTS, 'replicating.png'), fullPage: true });
  });

  it('the page reconnects when the server restarts, and keeps following the run', async () => {
    await serving!.close();
    serving = null;
    await page().waitForSelector('#conn[data-state="reconnecting"]');
    await serve();
    await page().waitForSelector('#conn[data-state="live"]');
    await fresh();
    expect(await nodeState('logical.rehearsal-app.sync-wait')).toBe('succeeded');
    expect(Number(await page().locator('#lag-bytes\\:').getAttribute('data-points'))).toBeGreaterThan(0);
  });

  it('cutover: the fence timer runs, drain and sequences show their results', async () => {
    await world.source.query("INSERT INTO public.customers (name) VALUES ('late')", [], 'app');
    expect((await world.run('cutover')).code).toBe(0);
    await page().waitForSelector('#waiting [data-gate="cutover"]');
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    expect((await world.run('cutover')).code).toBe(0);
    await page().waitForSelector('#waiting [data-gate="writes-open"]');
    await fresh();
    expect(await page().locator('#cutover-section').isVisible()).toBe(true);
    const timer = page().locator('#fence-timer');
    expect(await timer.getAttribute('data-since')).toMatch(/^\d{4}-/);
    const shown = await timer.textContent();
    await page().waitForFunction((before) => document.getElementById('fence-timer')?.textContent !== before, shown);
    const rows = await page()
      .locator('[data-cutover]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute('data-cutover'), el.children[1]?.textContent]));
    expect(rows.filter(([, state]) => state === 'succeeded').length).toBeGreaterThan(3);
    const text = await page().locator('#cutover').textContent();
    expect(text).toMatch(/confirmedLsn=/);
    await page().screenshot({ path: join(ARTIFACTS, 'cutover.png'), fullPage: true });
    if (process.env.PGFERRY_UPDATE_SCREENSHOT === '1')
      await copyFile(join(ARTIFACTS, 'cutover.png'), join(ROOT, 'docs', 'status-page.png'));
  });

  it('wrote nothing to the console: no errors, no failed requests', () => {
    expect(browser.errors).toEqual([]);
  });
});
