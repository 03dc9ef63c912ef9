// Ctrl-C during a run: the nodes it caught running are recorded as interrupted (failed, with the
// reason) instead of staying 'running', the lock is released, and the command says how to go on.

import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/io.js';
import { interruptOptions } from '../../../cli/run-report.js';
import { handlers } from '../../../executor/handlers/index.js';
import { applyGraph, INTERRUPTED } from '../../../executor/operations.js';
import { Session } from '../../../executor/session.js';
import type { HandlerRegistry } from '../../../executor/types.js';

const PLAN = fileURLToPath(new URL('../../../plans/orders.yaml', import.meta.url));
let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'pgferry-interrupt-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

it('Ctrl-C records the running nodes as interrupted, releases the lock and says how to resume', async () => {
  // Every node hangs once started, as a long wait would.
  const hanging = Object.fromEntries(
    Object.keys(handlers).map((executor) => [executor, { run: () => new Promise<never>(() => undefined) }]),
  ) as unknown as HandlerRegistry;
  let interrupt: (() => Promise<void>) | null = null;
  let stderr = '';
  const io: CliIo = {
    cwd: process.cwd(),
    env: {},
    isTTY: false,
    stdout: () => undefined,
    stderr: (text) => {
      stderr += text;
    },
    onInterrupt(handler) {
      interrupt = handler;
      return () => undefined;
    },
  };
  const session = await Session.open({ cwd: process.cwd(), env: {}, planFile: PLAN, stateDir });
  let started = '';
  void applyGraph(session, {
    phases: ['prepare', 'load'],
    handlers: hanging,
    parallelism: 1,
    onEvent: (event) => {
      if (event.type === 'start') started ||= event.node.id;
    },
    ...interruptOptions(io, 'apply', PLAN),
  });
  for (let i = 0; i < 200 && started === ''; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(started).not.toBe('');
  await interrupt!();
  const journal = JSON.parse(await readFile(join(stateDir, 'orders', 'journal.json'), 'utf8'));
  expect(journal.nodes[started]).toMatchObject({ state: 'failed', error: INTERRUPTED });
  await expect(access(join(stateDir, 'orders', 'journal.json.lock'))).rejects.toThrow();
  expect(stderr).toContain(`interrupted: ${started} recorded as interrupted`);
  expect(stderr).toContain(`resume with:  pgferry apply ${PLAN}`);
});
