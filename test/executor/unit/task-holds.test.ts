// The per-task coordinator behind "one stop and one resume per task per run": concurrent holders share
// one take, the last release resumes, a holder that never releases keeps the task stopped.

import { describe, expect, it } from 'vitest';
import { TaskHolds } from '../../../executor/dms/task-holds.js';

function recorder() {
  const events: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    events,
    open: () => release(),
    /** A take that waits for `open()`: a second holder arriving meanwhile must not take again. */
    slowTake: async () => {
      events.push('stop');
      await gate;
      return { resume: true, steps: ['stopped'] };
    },
    resume: async () => {
      events.push('resume');
      return true;
    },
  };
}

describe('TaskHolds', () => {
  it('two holders at once: one take, the second waits for it and shares it; the last release resumes', async () => {
    const holds = new TaskHolds();
    const r = recorder();
    const participants = ['a', 'b', 'task'];
    const first = holds.hold('t', 'a', participants, r.slowTake);
    const second = holds.hold('t', 'b', participants, async () => {
      r.events.push('second take');
      return { resume: false, steps: [] };
    });
    r.open();
    expect(await first).toEqual({ hold: { resume: true, steps: ['stopped'] }, first: true });
    expect(await second).toEqual({ hold: { resume: true, steps: ['stopped'] }, first: false });
    expect(await holds.release('t', 'a', r.resume)).toEqual({ kind: 'still-held', by: ['b', 'task'] });
    expect(await holds.release('t', 'b', r.resume)).toEqual({ kind: 'still-held', by: ['task'] });
    await holds.hold('t', 'task', participants, r.slowTake);
    expect(await holds.release('t', 'task', r.resume)).toEqual({ kind: 'resumed' });
    expect(r.events).toEqual(['stop', 'resume']);
  });

  it('a holder that fails (never releases) keeps the task stopped', async () => {
    const holds = new TaskHolds();
    const r = recorder();
    r.open();
    await holds.hold('t', 'a', ['a', 'b'], r.slowTake);
    await holds.hold('t', 'b', ['a', 'b'], r.slowTake);
    expect(await holds.release('t', 'b', r.resume)).toEqual({ kind: 'still-held', by: ['a'] });
    expect(r.events).toEqual(['stop']);
  });

  it('a participant that needed nothing stopped is not waited for, before or after the hold', async () => {
    const holds = new TaskHolds();
    const r = recorder();
    r.open();
    expect(await holds.pass('t', 'early', r.resume)).toEqual({ kind: 'unheld' });
    await holds.hold('t', 'a', ['early', 'a', 'late'], r.slowTake);
    expect(await holds.release('t', 'a', r.resume)).toEqual({ kind: 'still-held', by: ['late'] });
    expect(await holds.pass('t', 'late', r.resume)).toEqual({ kind: 'resumed' });
    expect(r.events).toEqual(['stop', 'resume']);
  });

  it('a hold that says not to resume ends without resuming; tasks are independent', async () => {
    const holds = new TaskHolds();
    const r = recorder();
    await holds.hold('x', 'a', ['a'], async () => ({ resume: false, steps: [] }));
    expect(await holds.release('x', 'a', r.resume)).toEqual({ kind: 'not-resumed' });
    expect(await holds.release('y', 'a', r.resume)).toEqual({ kind: 'unheld' });
    expect(r.events).toEqual([]);
  });
});
