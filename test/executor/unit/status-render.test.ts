import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../cli/commands/status.js';
import type { StatusReport } from '../../../executor/status.js';

const report: StatusReport = {
  plan: 'orders',
  planHash: 'sha256:ab',
  journal: '/x/journal.json',
  started: true,
  aborted: false,
  updatedAt: '2026-01-01T00:00:00.000Z',
  nodes: [
    {
      id: 'dms.task.t.start',
      kind: 'DmsTaskStart',
      phase: 'load',
      title: 'Start t',
      after: [],
      gate: null,
      state: 'succeeded',
      startedAt: null,
      finishedAt: null,
      attempts: 1,
      error: null,
      note: null,
      outputs: {},
    },
    {
      id: 'dms.task.t.full-load-wait',
      kind: 'DmsFullLoadWait',
      phase: 'load',
      title: 'Wait for the full load of t',
      after: ['dms.task.t.start'],
      gate: null,
      state: 'failed',
      startedAt: null,
      finishedAt: null,
      attempts: 2,
      error: 'boom',
      note: null,
      outputs: {},
    },
  ],
  gates: { cutover: { approved: false, approvedAt: null, command: 'pgferry approve orders cutover' } },
  lagThresholds: { maxLagSeconds: 30, maxLagBytes: 16777216 },
  tasks: [
    {
      task: 't',
      status: 'running',
      stopReason: null,
      fullLoadProgressPercent: 50,
      etaSeconds: 3720,
      rowsPerSecond: 12,
      lastFailure: null,
      cdcLatencySourceSeconds: 3,
      cdcLatencyTargetSeconds: 4,
      cdcLatencyAt: '2026-12-04T09:29:00.000Z',
      cdcLatencyWhy: null,
      tables: [
        {
          table: 'public.orders',
          state: 'Table loading',
          fullLoadRows: 10,
          inserts: 1,
          updates: 2,
          deletes: 3,
          validationState: null,
        },
      ],
    },
  ],
  subscriptions: [],
  slots: [{ slotName: 's', active: true, retainedWalBytes: 100, confirmedLagBytes: 5 }],
  drift: [],
  problems: ['agent slots: unreachable'],
};

const io = (isTTY: boolean) => ({ cwd: '/', env: {}, isTTY, stdout: () => undefined, stderr: () => undefined });

describe('status text', () => {
  it('shows a progress bar and ETA on a terminal', () => {
    expect(renderStatus(report, io(true))).toBe(
      [
        'plan orders  sha256:ab',
        '  succeeded    dms.task.t.start',
        '  failed       dms.task.t.full-load-wait  boom',
        'gate cutover: not approved',
        'task t: running [###############...............] 50% ETA 1h02m',
        '  CDC latency (CloudWatch, 2026-12-04T09:29:00.000Z): source 3 s, target 4 s',
        '  public.orders: Table loading rows 10 +1 ~2 -3',
        'slot s: active retained 100 B, lag 5 B',
        '! agent slots: unreachable',
        '',
      ].join('\n'),
    );
  });

  it('a logical plan: each subscription with its tables per sync state and its slot', () => {
    const logical: StatusReport = {
      ...report,
      tasks: [],
      slots: null,
      problems: [],
      subscriptions: [
        {
          subscription: 'pgferry_app',
          database: 'app',
          exists: true,
          enabled: true,
          slot: 'pgferry_app',
          tables: { i: 0, d: 1, f: 0, s: 0, r: 2 },
          slotActive: true,
          confirmedLagBytes: 0,
        },
        {
          subscription: 'pgferry_billing',
          database: 'billing',
          exists: false,
          enabled: null,
          slot: null,
          tables: { i: 0, d: 0, f: 0, s: 0, r: 0 },
          slotActive: null,
          confirmedLagBytes: null,
        },
      ],
    };
    expect(renderStatus(logical, io(false))).toContain(
      'subscription pgferry_app (app): enabled; tables i 0, d 1, f 0, s 0, r 2; slot pgferry_app active, lag 0 B\n' +
        'subscription pgferry_billing (billing): not on the target\n',
    );
  });

  it('plain percent otherwise', () => {
    expect(renderStatus(report, io(false))).toContain('task t: running 50% ETA 1h02m\n');
  });

  it('says why DMS latency is not shown when CloudWatch has none', () => {
    const why = 'CloudWatch refused the read (AccessDenied: …); grant cloudwatch:GetMetricData to use DMS latency';
    const task = { ...report.tasks[0]!, cdcLatencyAt: null, cdcLatencySourceSeconds: null, cdcLatencyWhy: why };
    expect(renderStatus({ ...report, tasks: [task] }, io(false))).toContain(
      `task t: running 50% ETA 1h02m\n  CDC latency: ${why}\n`,
    );
  });
});
