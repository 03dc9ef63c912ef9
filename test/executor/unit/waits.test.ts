// Waits speak at a steady interval and end: with the plan's per-kind timeout, saying what was last
// seen and what to check; the lag estimate reads the age of the slot's confirmed position.

import { describe, expect, it } from 'vitest';
import { LsnAge } from '../../../executor/handlers/wait.js';
import { formatDuration, speakingWait } from '../../../executor/waits.js';

describe('speakingWait', () => {
  const run = (timeouts: Record<string, number>, maxPolls: number, doneAt = Number.POSITIVE_INFINITY) => {
    const lines: string[] = [];
    let polls = 0;
    const clock = {
      sleep: async () => undefined,
      pollMs: 15_000,
      maxPolls,
      log: (line: string) => lines.push(line),
      timeouts,
    };
    const result = speakingWait(clock, {
      kind: 'slot',
      what: 'the logical slot of task ledger-main on database ledger',
      read: async () => ++polls,
      done: (n) => n >= doneAt,
      show: (n) => `task running, no new logical slot on ledger yet (poll ${n})`,
      check: 'is the task running?',
    });
    return { result, lines, polls: () => polls };
  };

  it('says what it waits for every 30 s and fails after the plan timeout with the last observation', async () => {
    const wait = run({ slot: 1 }, 2880);
    await expect(wait.result).rejects.toThrow(
      'the logical slot of task ledger-main on database ledger: not reached after 1 min (its slot timeout); last seen: task running, no new logical slot on ledger yet (poll 4); is the task running?; run the command again to keep waiting, or pgferry abort',
    );
    expect(wait.polls()).toBe(4);
    expect(wait.lines).toEqual([
      'waiting for the logical slot of task ledger-main on database ledger: task running, no new logical slot on ledger yet (poll 3) (30 s of 1 min)',
    ]);
  });

  it('ends at the poll budget when that comes first, and says so', async () => {
    await expect(run({}, 3).result).rejects.toThrow('not reached after 45 s (the poll budget (3 polls))');
  });

  it('returns the observation that is done, silently when it came quickly', async () => {
    const wait = run({}, 100, 2);
    expect(await wait.result).toBe(2);
    expect(wait.lines).toEqual([]);
  });

  it('hands its latest observation to progress at the first poll and each time it speaks', async () => {
    const progress: string[] = [];
    let polls = 0;
    const wait = speakingWait(
      { sleep: async () => undefined, pollMs: 15_000, maxPolls: 5, progress: (line) => progress.push(line) },
      {
        kind: null,
        what: 'replication instance ri',
        read: async () => ++polls,
        done: () => false,
        show: (n) => `status creating (poll ${n})`,
        check: 'see the DMS console',
      },
    );
    // No kind: no plan timeout, only the poll budget.
    await expect(wait).rejects.toThrow(
      'not reached after 1 min 15 s (the poll budget (5 polls)); last seen: status creating (poll 5)',
    );
    expect(progress).toEqual([
      'waiting for replication instance ri: status creating (poll 1) (0 s)',
      'waiting for replication instance ri: status creating (poll 3) (30 s)',
      'waiting for replication instance ri: status creating (poll 5) (1 min)',
    ]);
  });

  it.each([
    [5_000, '5 s'],
    [600_000, '10 min'],
    [3_690_000, '1 h 1 min'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('LsnAge', () => {
  it.each([
    ['caught up', ['0/100', '0/200'], '0/200', 0],
    ['confirmed what the server had at the first observation', ['0/100', '0/200', '0/300'], '0/150', 20_000],
    ['confirmed what the server had at the second', ['0/100', '0/200', '0/300'], '0/250', 10_000],
    ['older than anything observed', ['0/100', '0/200'], '0/50', null],
  ])('%s', (_name, currents, confirmed, age) => {
    const lsnAge = new LsnAge();
    currents.forEach((lsn, i) => {
      lsnAge.observe(i * 10_000, lsn);
    });
    expect(lsnAge.ageMs((currents.length - 1) * 10_000, confirmed)).toBe(age);
  });
});
