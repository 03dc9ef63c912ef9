// `pgferry status PLAN --serve` as a command: it serves the very JSON `status --json` prints, ends
// cleanly when told to, and refuses exposure it cannot protect before opening anything.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command } from '../../cli/commands/status.js';

const PLAN = fileURLToPath(new URL('../../plans/orders.yaml', import.meta.url));
let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'pgferry-serve-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}) {
  const controller = new AbortController();
  const out = { stdout: '', stderr: '' };
  const done = command([PLAN, '--state-dir', stateDir, ...args], {
    cwd: process.cwd(),
    env,
    isTTY: false,
    signal: controller.signal,
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
  });
  return { done, out, stop: () => controller.abort() };
}

describe('pgferry status --serve', () => {
  it('serves the same JSON as status --json, and stops when told to', async () => {
    const json = start(['--offline', '--json']);
    expect(await json.done).toBe(0);
    const served = start(['--offline', '--serve', '--listen', '127.0.0.1:0']);
    for (let i = 0; i < 500 && !served.out.stderr.includes('serving'); i += 1)
      await new Promise((r) => setTimeout(r, 10));
    const url = /at (http:\/\/\S+) /.exec(served.out.stderr)?.[1];
    expect(url, served.out.stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const body = await (await fetch(`${url}status.json`)).text();
    // Byte for byte, but for the not-yet-written journal's creation time.
    const timeless = (text: string) => text.replace(/"updatedAt": "[^"]*"/, '"updatedAt": "…"');
    expect(timeless(body)).toBe(timeless(json.out.stdout));
    expect(body).toContain('"updatedAt": "');
    expect(JSON.parse(body).gates['restart-consent'].command).toBe(`pgferry approve ${PLAN} restart-consent`);
    served.stop();
    expect(await served.done).toBe(0);
    await expect(fetch(`${url}status.json`)).rejects.toThrow();
  });

  it.each([
    [['--serve', '--listen', '0.0.0.0:8470'], {}, /0\.0\.0\.0 is not loopback: set PGFERRY_STATUS_TOKEN/],
    [
      ['--serve', '--listen', '10.1.2.3:8470'],
      { PGFERRY_STATUS_TOKEN: 'long-enough-token-123' },
      /--tls-cert and --tls-key/,
    ],
    [['--serve', '--listen', '127.0.0.1'], {}, /--listen needs HOST:PORT/],
    [['--serve', '--tls-cert', 'x.pem'], {}, /give both --tls-cert and --tls-key/],
    [['--listen', '127.0.0.1:8470'], {}, /--listen goes with --serve/],
    [['--serve', '--interval', '0'], {}, /--interval needs a positive number/],
  ] as const)('refuses %j with a usage error', async (args, env, message) => {
    const run = start([...args], env);
    expect(await run.done).toBe(2);
    expect(run.out.stderr).toMatch(message);
  });
});
