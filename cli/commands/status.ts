// `pgferry status PLAN [--watch] [--json | --text] [--offline]`: node states from the journal, live DMS task
// status with full-load progress and per-table statistics, the agent's slot view and a full-load ETA;
// for `engine: logical`, each subscription (enabled, tables per sync state, its slot's lag).

import { canonicalJson } from '../../contracts/canonical-json.js';
import { executorCommand, openSession } from '../../executor/cli-support.js';
import { type StatusReport, SYNC_STATES, statusReport } from '../../executor/status.js';
import { type CliCommand, type CliIo, EXIT } from '../io.js';

const HELP = `usage: pgferry status PLAN.yaml [--json | --text] [--watch [--interval S]] [--offline]

Text with progress bars on a terminal, JSON otherwise (--json / --text choose explicitly).
--offline reads the journal only (no DMS or agent calls).

Example:
  pgferry status plans/orders.yaml --watch
`;

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

export const command: CliCommand = executorCommand(
  HELP,
  {
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    offline: { type: 'boolean' },
    text: { type: 'boolean' },
  },
  async (parsed, io) => {
    const session = await openSession(parsed, io);
    const interval = Number(parsed.values.interval ?? 10) * 1000;
    for (;;) {
      await session.reload();
      const report = await statusReport(session, parsed.values.offline !== true);
      const json = parsed.values.json === true || (!io.isTTY && parsed.values.text !== true);
      io.stdout(json ? canonicalJson(report) : renderStatus(report, io));
      const finished = report.nodes.every((node) => node.state === 'succeeded') || report.aborted;
      if (!parsed.values.watch || finished) return EXIT.ok;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  },
);
