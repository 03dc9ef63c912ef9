// How a starter plan splits a database into DMS tasks, and which LOB mode each task gets. Tables of
// LARGE_TABLE_BYTES or more get a task each (their full load then runs beside the rest instead of at
// its end); the rest is packed into tasks of about TASK_TARGET_BYTES, the last of which selects by
// schema so tables created later still land somewhere.

import type { CatalogTable } from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';
import { qualified } from './selection.js';

export const LARGE_TABLE_BYTES = 100 * 1024 ** 3;
export const TASK_TARGET_BYTES = 200 * 1024 ** 3;
/** More tasks per database than this cost slots and replication-instance memory for little gain. */
export const MAX_TASKS_PER_DATABASE = 8;

export interface TaskPlan {
  /** Suffix of the task id: the table for a dedicated task, `part-N` or `main`. */
  readonly suffix: string;
  readonly tables: readonly CatalogTable[];
  /** The catch-all task selects `schema.%` minus what other tasks and exclusions take. */
  readonly catchAll: boolean;
  readonly dedicated: boolean;
}

export function splitTasks(selected: readonly CatalogTable[]): TaskPlan[] {
  const bySize = [...selected].sort((a, b) => b.sizeBytes - a.sizeBytes || compareText(qualified(a), qualified(b)));
  const large = bySize.filter((t) => t.sizeBytes >= LARGE_TABLE_BYTES).slice(0, MAX_TASKS_PER_DATABASE - 1);
  const rest = bySize.filter((t) => !large.includes(t));
  const restBytes = rest.reduce((sum, t) => sum + t.sizeBytes, 0);
  const parts = Math.max(1, Math.min(MAX_TASKS_PER_DATABASE - large.length, Math.ceil(restBytes / TASK_TARGET_BYTES)));
  // Greedy packing, largest table into the lightest part: sizes end up within one table of each other.
  const bins: { bytes: number; tables: CatalogTable[] }[] = Array.from({ length: parts }, () => ({
    bytes: 0,
    tables: [],
  }));
  for (const table of rest) {
    const lightest = bins.reduce((min, bin) => (bin.bytes < min.bytes ? bin : min), bins[0]!);
    lightest.bytes += table.sizeBytes;
    lightest.tables.push(table);
  }
  const tasks: TaskPlan[] = large.map((table) => ({
    suffix: table.name,
    tables: [table],
    catchAll: false,
    dedicated: true,
  }));
  bins.forEach((bin, index) => {
    const last = index === bins.length - 1;
    tasks.push({
      suffix: parts === 1 ? 'main' : `part-${index + 1}`,
      tables: [...bin.tables].sort((a, b) => compareText(qualified(a), qualified(b))),
      catchAll: last,
      dedicated: false,
    });
  });
  return tasks;
}

export type LobDecision =
  | { readonly mode: 'default'; readonly note: string }
  | { readonly mode: 'limited'; readonly maxSizeKb: number; readonly note: string }
  | { readonly mode: 'full'; readonly note: string };

/** DMS keeps a limited-mode LOB buffer per column in memory; above this, full (chunked) mode is the sane choice. */
export const LIMITED_LOB_CEILING_KB = 64 * 1024;
const DEFAULT_LOB_KB = 32;

function kib(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${Math.ceil(bytes / 1024)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** LOB mode from the measured sizes of a task's LOB-like columns. */
export function lobDecision(tables: readonly CatalogTable[]): LobDecision {
  const columns = tables.flatMap((t) =>
    t.columns.filter((c) => c.lob !== undefined).map((c) => ({ table: t, column: c })),
  );
  if (columns.length === 0) return { mode: 'default', note: 'no LOB-like columns: DMS defaults (limited, 32 KB)' };
  const measured = columns.filter((c) => c.column.lob);
  const unmeasured = columns.length - measured.length;
  const caveat =
    unmeasured > 0 ? `; ${unmeasured} LOB column(s) not measured (see the snapshot's lobSampling), check them` : '';
  if (measured.length === 0) {
    return {
      mode: 'default',
      note: `LOB sizes not measured: DMS defaults (limited, 32 KB) truncate longer values${caveat}`,
    };
  }
  const largest = measured.reduce((max, c) => (c.column.lob!.maxBytes > max.column.lob!.maxBytes ? c : max));
  const maxBytes = largest.column.lob!.maxBytes;
  const p99 = Math.max(...measured.map((c) => c.column.lob!.p99Bytes));
  const where = `${qualified(largest.table)}.${largest.column.name}`;
  const maxKb = Math.ceil(maxBytes / 1024);
  if (maxKb <= DEFAULT_LOB_KB) {
    return {
      mode: 'default',
      note: `largest LOB ${kib(maxBytes)} (${where}), p99 ${kib(p99)}: the 32 KB default holds it${caveat}`,
    };
  }
  const keyless = tables.some((t) => t.primaryKey.length === 0);
  if (maxKb > LIMITED_LOB_CEILING_KB && !keyless) {
    return {
      mode: 'full',
      note: `largest LOB ${kib(maxBytes)} (${where}), p99 ${kib(p99)}: above the ${LIMITED_LOB_CEILING_KB / 1024} MB a limited-mode buffer should hold, so full LOB mode (chunked; every table here has a primary key)${caveat}`,
    };
  }
  const size = Math.min(LIMITED_LOB_CEILING_KB, 2 ** Math.ceil(Math.log2(maxKb)));
  const truncated =
    maxKb > size ? ` LOBs above ${size} KB WILL BE TRUNCATED: a keyless table rules out full LOB mode.` : '';
  return {
    mode: 'limited',
    maxSizeKb: size,
    note: `largest LOB ${kib(maxBytes)} (${where}), p99 ${kib(p99)}: limited mode sized to the largest, rounded up to ${size} KB.${truncated}${caveat}`,
  };
}
