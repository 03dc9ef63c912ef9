// Progress while verifying: on a terminal one redrawn line (bar, rows/s, ETA from the tables' row
// estimates); otherwise one plain line per finished table, so logs stay readable.

import type { TableResult } from './report-types.js';
import type { ProgressSink } from './verify-database.js';

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function rate(rows: number, seconds: number): string {
  const perSecond = seconds > 0 ? rows / seconds : 0;
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(1)}M rows/s` : `${Math.round(perSecond / 1e3)}k rows/s`;
}

export function progressSink(
  write: (text: string) => void,
  tty: boolean,
  now = () => Date.now(),
): ProgressSink & {
  finish(): void;
} {
  const started = now();
  let total = 0;
  let done = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    if (!tty) return;
    const t = now();
    if (!force && t - lastDraw < 200) return;
    lastDraw = t;
    const seconds = (t - started) / 1000;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const perSecond = seconds > 0 ? done / seconds : 0;
    const eta = perSecond > 0 && total > done ? ` ETA ${duration((total - done) / perSecond)}` : '';
    write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${done} rows ${rate(done, seconds)}${eta}\u001b[K`,
    );
  };
  return {
    planned(tables) {
      total += tables.reduce((n, table) => n + table.estimatedRows, 0);
      draw(true);
    },
    rows(_table, rows) {
      done += rows;
      draw(false);
    },
    tableDone(result: TableResult) {
      if (tty) return draw(true);
      const seconds = (now() - started) / 1000;
      const state =
        result.check === 'error' ? 'error' : result.mismatches > 0 ? `${result.mismatches} mismatches` : 'ok';
      write(
        `verified ${result.table}: ${result.sourceRows} rows, ${state} (${done} rows so far, ${rate(done, seconds)})\n`,
      );
    },
    finish() {
      if (tty) {
        draw(true);
        write('\n');
      }
    },
  };
}
