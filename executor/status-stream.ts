// The live status behind `pgferry status --serve`: one poll of the sources per interval, whatever the
// number of viewers, and each result framed once as server-sent events and written to every viewer.
// Viewers that reconnect with Last-Event-ID get the lag samples they missed; new viewers get the whole
// lag history. The status event's data is the same canonical JSON `status --json` prints.

import type { ServerResponse } from 'node:http';
import { canonicalJson } from '../contracts/canonical-json.js';
import { compareText } from '../contracts/compare.js';
import type { StatusReport } from './status.js';

/** One point of the lag chart: named series (bytes or seconds) at one poll. */
export interface LagSample {
  readonly seq: number;
  readonly at: string;
  /** `bytes:<slot> retained`, `bytes:<slot> confirmed`, `seconds:<task> <field>` → value. */
  readonly series: Readonly<Record<string, number>>;
}

/** The chart's points of one report: every slot's retained and confirmed bytes, every task's lag seconds. */
export function lagSample(report: StatusReport, seq: number, at: Date): LagSample {
  const series: Record<string, number> = {};
  for (const slot of report.slots ?? []) {
    const name = String(slot.slotName);
    if (typeof slot.retainedWalBytes === 'number') series[`bytes:${name} retained`] = slot.retainedWalBytes;
    if (typeof slot.confirmedLagBytes === 'number') series[`bytes:${name} confirmed`] = slot.confirmedLagBytes;
  }
  // Any numeric `…Seconds` field of a task that speaks of lag or latency (CloudWatch CDCLatencySource/Target).
  for (const task of report.tasks) {
    for (const [field, value] of Object.entries(task).sort(([a], [b]) => compareText(a, b))) {
      if (typeof value === 'number' && /(lag|latency)/i.test(field) && /Seconds$/.test(field))
        series[`seconds:${task.task} ${field}`] = value;
    }
  }
  return { seq, at: at.toISOString(), series };
}

/** One SSE frame; multi-line data is split as the protocol asks. */
export function sseFrame(event: string, data: string, id?: number): string {
  const lines = data.split('\n').map((line) => `data: ${line}\n`);
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines.join('')}\n`;
}

export interface StatusStreamOptions {
  /** Builds one report: the sources are asked here, once per interval. */
  readonly produce: () => Promise<StatusReport>;
  readonly intervalMs: number;
  /** Lag samples kept for new viewers (default 720: two hours at 10 s). */
  readonly historySize?: number;
  /** A viewer whose socket holds more than this many unsent bytes is dropped, not buffered for. */
  readonly maxBufferedBytes?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

interface Latest {
  readonly seq: number;
  readonly json: string;
  readonly frame: string;
}

export class StatusStream {
  readonly #options: StatusStreamOptions;
  readonly #viewers = new Set<ServerResponse>();
  readonly #history: LagSample[] = [];
  #latest: Latest | null = null;
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Reports built so far (the sources were asked this many times). */
  polls = 0;
  /** Bytes written to viewers so far. */
  bytesSent = 0;

  constructor(options: StatusStreamOptions) {
    this.#options = options;
  }

  get viewers(): number {
    return this.#viewers.size;
  }

  /** The latest status as `status --json` prints it (null before the first poll ends). */
  get latestJson(): string | null {
    return this.#latest?.json ?? null;
  }

  /** Polls once now, then once per interval until stop(). */
  async start(): Promise<void> {
    await this.tick();
    this.#heartbeat = setInterval(() => this.#broadcast(': ping\n\n'), 15_000);
    this.#heartbeat.unref();
  }

  /** One poll: build the report, keep its lag sample, send both to every viewer. */
  tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#poll().finally(() => {
      this.#running = null;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void this.tick(), this.#options.intervalMs);
        this.#timer.unref();
      }
    });
    return this.#running;
  }

  async #poll(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    let report: StatusReport;
    try {
      report = await this.#options.produce();
    } catch (error) {
      this.#options.onError?.(error);
      return;
    }
    this.polls += 1;
    const seq = ++this.#seq;
    const sample = lagSample(report, seq, (this.#options.now ?? (() => new Date()))());
    this.#history.push(sample);
    const keep = this.#options.historySize ?? 720;
    if (this.#history.length > keep) this.#history.splice(0, this.#history.length - keep);
    const compact = canonicalJson(report, 0);
    this.#latest = { seq, json: canonicalJson(report), frame: sseFrame('status', compact, seq) };
    this.#broadcast(sseFrame('lag', JSON.stringify(sample)) + this.#latest.frame);
  }

  #broadcast(frame: string): void {
    const limit = this.#options.maxBufferedBytes ?? 8 * 1024 * 1024;
    for (const viewer of this.#viewers) {
      if (viewer.writableLength > limit) {
        // A viewer that does not read must not make the server hold every update for it.
        viewer.destroy();
        this.#viewers.delete(viewer);
        continue;
      }
      viewer.write(frame);
      this.bytesSent += Buffer.byteLength(frame);
    }
  }

  /**
   * Adds a viewer. With the id of the last event it saw, it gets the lag samples since then; without
   * (or when that id is older than the history), the whole history. Then the latest status.
   */
  attach(response: ServerResponse, lastEventId: string | undefined): void {
    const last = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    const oldest = this.#history[0]?.seq ?? 1;
    let opening = 'retry: 2000\n\n';
    if (last !== null && last >= oldest - 1 && last <= this.#seq) {
      for (const sample of this.#history) if (sample.seq > last) opening += sseFrame('lag', JSON.stringify(sample));
    } else {
      opening += sseFrame('history', JSON.stringify({ samples: this.#history }));
    }
    if (this.#latest) opening += this.#latest.frame;
    response.write(opening);
    this.bytesSent += Buffer.byteLength(opening);
    this.#viewers.add(response);
    response.on('close', () => this.#viewers.delete(response));
  }

  /** Stops polling and ends every viewer's stream. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await this.#running;
    for (const viewer of this.#viewers) viewer.end();
    this.#viewers.clear();
  }
}
