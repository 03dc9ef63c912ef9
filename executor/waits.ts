// Every wait the executor does (a DMS resource or task state, the full load, CDC lag, the cutover
// marker, a task's slot appearing) goes through `speakingWait`: it says what it waits for and the
// latest observation at a steady interval (`SPEAK_EVERY_MS`: a wait that ends sooner stays quiet), so a long
// wait is never silent, and it ends: after the per-kind timeout (the plan's `cutover.timeouts`, else
// the defaults below) or the executor's poll budget, whichever is first, failing with what was last
// seen and what to check. Elapsed time counts polls × poll interval (the sleeper is injected, so tests
// never wait on the wall clock). The latest observation is also handed to `progress` (the engine records
// it in the node's journal record, so `pgferry status` shows how a wait in progress stands) at the first
// poll that is not done and then each time the wait speaks.
// Waits on resources the plan has no timeout for (a replication instance, a connection test) pass kind
// null: they end at the poll budget.

import type { Sleeper } from '../contracts/retry.js';
import { NodeFailure, type RunContext } from './types.js';

export type WaitKind = 'task' | 'full_load' | 'lag' | 'marker' | 'slot';

/** Minutes each kind of wait gives up after, unless the plan says otherwise (`cutover.timeouts`). */
export const DEFAULT_TIMEOUT_MINUTES: Readonly<Record<WaitKind, number>> = {
  task: 30,
  full_load: 2880,
  lag: 120,
  marker: 30,
  slot: 10,
};

export const SPEAK_EVERY_MS = 30_000;

export interface WaitClock {
  readonly sleep: Sleeper;
  readonly pollMs: number;
  readonly maxPolls: number;
  readonly log?: (line: string) => void;
  /** Per-kind timeouts in minutes (the plan's cutover.timeouts). */
  readonly timeouts?: Partial<Record<WaitKind, number>>;
  /** The latest observation of a wait in progress, for status. */
  readonly progress?: (line: string) => void;
}

/** A node's wait clock: its poll interval and budget, its log, the plan's timeouts, its progress record. */
export function waitClock(ctx: RunContext): WaitClock {
  return {
    sleep: ctx.sleep,
    pollMs: ctx.pollMs,
    maxPolls: ctx.maxPolls,
    log: (line) => ctx.log(line),
    ...(ctx.deployment.timeouts ? { timeouts: ctx.deployment.timeouts } : {}),
    ...(ctx.progress ? { progress: ctx.progress } : {}),
  };
}

export interface WaitSpec<T> {
  /** Whose timeout applies; null: none but the poll budget. */
  readonly kind: WaitKind | null;
  /** What is awaited, e.g. `replication task shop-orders running`. */
  readonly what: string;
  readonly read: () => Promise<T>;
  readonly done: (value: T) => boolean;
  /** A reason to stop now (the observation says it will never be done), else null. */
  readonly failed?: (value: T) => string | null;
  /** The observation in words, for progress lines and the final message. */
  readonly show: (value: T) => string;
  /** What the operator should check when it times out. */
  readonly check: string;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min${seconds % 60 === 0 ? '' : ` ${seconds % 60} s`}`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 === 0 ? '' : ` ${minutes % 60} min`}`;
}

export function timeoutMsOf(clock: WaitClock, kind: WaitKind | null): number {
  if (kind === null) return Number.POSITIVE_INFINITY;
  return (clock.timeouts?.[kind] ?? DEFAULT_TIMEOUT_MINUTES[kind]) * 60_000;
}

export async function speakingWait<T>(clock: WaitClock, spec: WaitSpec<T>): Promise<T> {
  const timeoutMs = timeoutMsOf(clock, spec.kind);
  const pollMs = Math.max(1, clock.pollMs);
  const polls = Math.min(clock.maxPolls, Math.max(1, Math.ceil(timeoutMs / pollMs)));
  const speakEvery = Math.max(1, Math.round(SPEAK_EVERY_MS / pollMs));
  let last = '';
  for (let poll = 0; poll < polls; poll += 1) {
    const value = await spec.read();
    last = spec.show(value);
    if (spec.done(value)) return value;
    const failure = spec.failed?.(value) ?? null;
    if (failure !== null) throw new NodeFailure(`${spec.what}: ${failure}`);
    const speaking = poll > 0 && poll % speakEvery === 0;
    const line = `waiting for ${spec.what}: ${last} (${formatDuration(poll * pollMs)}${
      Number.isFinite(timeoutMs) ? ` of ${formatDuration(timeoutMs)}` : ''
    })`;
    if (speaking) clock.log?.(line);
    if (speaking || poll === 0) clock.progress?.(line);
    await clock.sleep(pollMs);
  }
  const waited = formatDuration(polls * pollMs);
  const why =
    spec.kind === null || polls < Math.ceil(timeoutMs / pollMs)
      ? `the poll budget (${polls} polls)`
      : `its ${spec.kind} timeout`;
  throw new NodeFailure(
    `${spec.what}: not reached after ${waited} (${why}); last seen: ${last}; ${spec.check}; run the command again to keep waiting, or pgferry abort`,
    true,
  );
}
