// `pgferry status PLAN [--watch] [--json | --text] [--offline]`: node states from the journal, live DMS task
// status with full-load progress and per-table statistics, the agent's slot view and a full-load ETA;
// for `engine: logical`, each subscription (enabled, tables per sync state, its slot's lag). With --serve,
// the same JSON behind a live read-only page (executor/status-server.ts).

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { Session } from '../../executor/session.js';
import { type StatusReport, statusReport } from '../../executor/status.js';
import { SYNC_STATES } from '../../executor/status-logical.js';
import { checkExposure, ServeRefused, serveStatus } from '../../executor/status-server.js';
import { StatusStream } from '../../executor/status-stream.js';
import { flag, UsageError } from '../command.js';
import {
  type ExecutorFlagValues,
  executorCommand,
  openSession,
  type PlanInvocation,
  planRef,
} from '../executor-command.js';
import { type CliIo, EXIT } from '../io.js';

function bar(percent: number, width = 30): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function renderStatus(report: StatusReport, io: CliIo): string {
  const lines: string[] = [`plan ${report.plan}  ${report.planHash}${report.aborted ? '  ABORTED' : ''}`];
  if (!report.started) lines.push('not started (no journal yet)');
  const width = Math.max(...report.nodes.map((node) => node.id.length), 4);
  for (const node of report.nodes) {
    const extra = node.error ?? node.note ?? '';
    lines.push(`  ${node.state.padEnd(12)} ${node.id.padEnd(width)}  ${extra}`.trimEnd());
  }
  for (const [gate, state] of Object.entries(report.gates).sort()) {
    lines.push(`gate ${gate}: ${state.approved ? `approved ${state.approvedAt}` : 'not approved'}`);
  }
  for (const task of report.tasks) {
    const percent = task.fullLoadProgressPercent;
    const progress =
      percent === null ? '' : io.isTTY && !io.env.NO_COLOR ? ` ${bar(percent)} ${percent}%` : ` ${percent}%`;
    const eta = task.etaSeconds === null ? '' : ` ETA ${duration(task.etaSeconds)}`;
    lines.push(
      `task ${task.task}: ${task.status ?? 'not created'}${task.stopReason ? ` (${task.stopReason})` : ''}${progress}${eta}`,
    );
    if (task.lastFailure) lines.push(`  last failure: ${task.lastFailure}`);
    if (task.cdcLatencyAt !== null)
      lines.push(
        `  CDC latency (CloudWatch, ${task.cdcLatencyAt}): source ${task.cdcLatencySourceSeconds ?? '?'} s, target ${task.cdcLatencyTargetSeconds ?? '?'} s`,
      );
    else if (task.cdcLatencyWhy !== null) lines.push(`  CDC latency: ${task.cdcLatencyWhy}`);
    for (const table of task.tables) {
      lines.push(
        `  ${table.table}: ${table.state ?? '?'} rows ${table.fullLoadRows} +${table.inserts} ~${table.updates} -${table.deletes}${table.validationState ? ` validation ${table.validationState}` : ''}`,
      );
    }
  }
  for (const sub of report.subscriptions) {
    const tables = SYNC_STATES.map((state) => `${state} ${sub.tables[state]}`).join(', ');
    const slot =
      sub.slot === null
        ? ''
        : `; slot ${sub.slot}${sub.slotActive === null ? '' : sub.slotActive ? ' active' : ' inactive'}, lag ${sub.confirmedLagBytes ?? '?'} B`;
    lines.push(
      sub.exists
        ? `subscription ${sub.subscription} (${sub.database}): ${sub.enabled ? 'enabled' : 'disabled'}; tables ${tables}${slot}`
        : `subscription ${sub.subscription} (${sub.database}): not on the target`,
    );
  }
  if (report.slots !== null) {
    if (report.slots.length === 0) lines.push('slots: none');
    for (const slot of report.slots) {
      lines.push(
        `slot ${String(slot.slotName)}: ${slot.active ? 'active' : 'inactive'} retained ${String(slot.retainedWalBytes ?? '?')} B, lag ${String(slot.confirmedLagBytes ?? '?')} B`,
      );
    }
  }
  for (const problem of report.problems) lines.push(`! ${problem}`);
  return `${lines.join('\n')}\n`;
}

function listenAddress(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new UsageError(`--listen needs HOST:PORT (e.g. 127.0.0.1:8470), not '${text}'`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

interface ServeInvocation extends PlanInvocation {
  readonly flags: ExecutorFlagValues & {
    readonly listen?: string | undefined;
    readonly 'tls-cert'?: string | undefined;
    readonly 'tls-key'?: string | undefined;
    readonly offline?: boolean | undefined;
  };
}

async function serve(invocation: ServeInvocation, io: CliIo, session: Session, intervalMs: number): Promise<number> {
  const { host, port } = listenAddress(invocation.flags.listen ?? '127.0.0.1:8470');
  const token = io.env.PGFERRY_STATUS_TOKEN || null;
  const certFile = invocation.flags['tls-cert'];
  const keyFile = invocation.flags['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('give both --tls-cert and --tls-key');
  try {
    checkExposure(host, token, certFile !== undefined);
  } catch (error) {
    if (error instanceof ServeRefused) throw new UsageError(error.message);
    throw error;
  }
  const tls =
    typeof certFile === 'string' && typeof keyFile === 'string'
      ? { cert: await readFile(resolve(io.cwd, certFile)), key: await readFile(resolve(io.cwd, keyFile)) }
      : null;
  const ref = planRef(invocation);
  const live = invocation.flags.offline !== true;
  const stream = new StatusStream({
    intervalMs,
    produce: async () => {
      await session.reload();
      return statusReport(session, live, { planRef: ref });
    },
    onError: (error) => io.stderr(`status poll failed: ${session.redactor.messageOf(error)}\n`),
  });
  const serving = await serveStatus({ stream, host, port, token, tls });
  io.stderr(`serving the status of ${session.plan} at ${serving.url} (read-only; Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    if (io.signal) {
      if (io.signal.aborted) done();
      else io.signal.addEventListener('abort', () => done(), { once: true });
      return;
    }
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await serving.close();
  return EXIT.ok;
}

export const command = executorCommand({
  name: 'status',
  synopsis: [
    'PLAN.yaml [--json | --text] [--watch [--interval S]] [--offline] [options]',
    'PLAN.yaml --serve [--listen HOST:PORT] [--interval S] [--tls-cert FILE --tls-key FILE] [options]',
  ],
  description: `Node states from the journal, live DMS task status with full-load progress and per-table
statistics, the agent's slot view and a full-load ETA; for engine: logical, each subscription.
Text with progress bars on a terminal, JSON otherwise (--json / --text choose explicitly).
--serve serves a live read-only page of the same status, polling the sources once per --interval
whatever the number of viewers. Beyond loopback it needs PGFERRY_STATUS_TOKEN (16+ characters; open
the page once as /?token=…) and --tls-cert/--tls-key.`,
  flags: {
    text: flag.boolean('text even when stdout is not a terminal (the same as --format text)'),
    watch: flag.boolean('print again every --interval until every node succeeded or the plan was aborted'),
    interval: flag.string('S', 'seconds between polls for --watch and --serve (default 10)'),
    offline: flag.boolean('read the journal only (no DMS or agent calls)'),
    serve: flag.boolean('serve a live read-only status page'),
    listen: flag.string('HOST:PORT', 'where --serve listens (default 127.0.0.1:8470)'),
    'tls-cert': flag.string('FILE', "the page's TLS certificate (with --tls-key)"),
    'tls-key': flag.string('FILE', "the certificate's private key"),
  },
  output: { formats: ['text', 'json'], default: (io) => (io.isTTY ? 'text' : 'json') },
  examples: [
    'pgferry status plans/orders.yaml --watch',
    'pgferry status plans/orders.yaml --serve --listen 127.0.0.1:8470',
  ],
  run: async (invocation, io) => {
    const { flags } = invocation;
    const interval = Number(flags.interval ?? 10) * 1000;
    if (!(interval > 0)) throw new UsageError(`--interval needs a positive number of seconds`);
    if (flags.serve !== true) {
      for (const name of ['listen', 'tls-cert', 'tls-key'] as const)
        if (flags[name] !== undefined) throw new UsageError(`--${name} goes with --serve`);
    }
    const session = await openSession(invocation, io);
    if (flags.serve === true) return serve(invocation, io, session, interval);
    const json = flags.text !== true && invocation.format === 'json';
    for (;;) {
      await session.reload();
      const report = await statusReport(session, flags.offline !== true, { planRef: planRef(invocation) });
      io.stdout(json ? canonicalJson(report) : renderStatus(report, io));
      const finished = report.nodes.every((node) => node.state === 'succeeded') || report.aborted;
      if (!flags.watch || finished) return EXIT.ok;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  },
});
