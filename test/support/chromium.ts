// Debian's chromium, headless, driven by playwright-core (no browser download): a fresh profile per
// launch, no network chatter of its own (QUIC, component updates, sync), and every console error and
// page error collected so a test can require there were none.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  readonly page: Page;
  readonly context: BrowserContext;
  /** console.error messages, uncaught page errors and failed requests, in order. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function openChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'pgferry-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('requestfailed', (request) => {
    // An event stream cut by a server restart is the reconnect under test, not a page fault.
    if (!request.url().endsWith('/events')) errors.push(`request: ${request.url()} ${request.failure()?.errorText}`);
  });
  return {
    page,
    context,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
