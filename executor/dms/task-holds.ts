// Run-scoped coordination of plan changes that need a DMS task stopped. One apply may modify a task and
// the endpoints it uses (both of them, perhaps in parallel): the task is stopped by the first of those
// nodes, stays stopped while the others modify, and is resumed once, by the last one. A node that fails
// never releases its hold, so the task stays stopped and the next apply resumes it (the plan has it
// running). Knows nothing of DMS: the caller says how to take (stop) and how to resume.

export interface TaskHold {
  /** Whether the task is to run again once every node holding it is done. */
  readonly resume: boolean;
  /** What taking the hold did, for the node's progress ("stopped task x"); [] when nothing. */
  readonly steps: readonly string[];
}

export type ReleaseOutcome =
  /** No node of the run holds the task. */
  | { readonly kind: 'unheld' }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'not-resumed' }
  | { readonly kind: 'still-held'; readonly by: readonly string[] };

interface Held {
  readonly hold: TaskHold;
  readonly waiting: Set<string>;
}

export class TaskHolds {
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #held = new Map<string, Held>();
  /** Nodes that touched a task without needing it stopped; a hold taken later does not wait for them. */
  readonly #passed = new Map<string, Set<string>>();

  /** Runs `work` after every earlier piece of work on the same task (a per-task mutex). */
  #serial<T>(task: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(task) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#queues.set(
      task,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * Holds the task for `holder`. The first holder in the run calls `take` (which stops the task and
   * decides whether it resumes); later holders share that hold. `participants` are all the nodes of
   * the run that will hold the task (the first holder's list counts; nodes that passed are left out).
   */
  hold(
    task: string,
    holder: string,
    participants: readonly string[],
    take: () => Promise<TaskHold>,
  ): Promise<{ readonly hold: TaskHold; readonly first: boolean }> {
    return this.#serial(task, async () => {
      const current = this.#held.get(task);
      if (current) {
        current.waiting.add(holder);
        return { hold: current.hold, first: false };
      }
      const hold = await take();
      const passed = this.#passed.get(task) ?? new Set<string>();
      const waiting = new Set([...participants, holder].filter((id) => !passed.has(id)));
      this.#held.set(task, { hold, waiting });
      return { hold, first: true };
    });
  }

  /** `holder` is done with the task; the last one resumes it (when the hold says so) with `resume`. */
  release(task: string, holder: string, resume: () => Promise<boolean>): Promise<ReleaseOutcome> {
    return this.#serial(task, async (): Promise<ReleaseOutcome> => {
      const current = this.#held.get(task);
      if (!current) return { kind: 'unheld' };
      current.waiting.delete(holder);
      if (current.waiting.size > 0) return { kind: 'still-held', by: [...current.waiting].sort() };
      this.#held.delete(task);
      if (!current.hold.resume) return { kind: 'not-resumed' };
      return (await resume()) ? { kind: 'resumed' } : { kind: 'not-resumed' };
    });
  }

  /** `holder` touches the task but needs nothing stopped: releases a hold it is counted in, if any. */
  pass(task: string, holder: string, resume: () => Promise<boolean>): Promise<ReleaseOutcome> {
    const passed = this.#passed.get(task) ?? new Set<string>();
    passed.add(holder);
    this.#passed.set(task, passed);
    return this.release(task, holder, resume);
  }
}
