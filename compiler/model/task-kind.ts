// What a task's migration_type means, in one place for the compiler, the rules and the diff: a task
// "is CDC" when it captures changes (cdc, full-load-and-cdc), so it has a replication slot and a
// WAL sender on the source; it "has a full load" unless it is cdc only.

import type { Task } from './plan.js';

export function isCdc(task: Pick<Task, 'migration_type'>): boolean {
  return task.migration_type !== 'full-load';
}

export function hasFullLoad(task: Pick<Task, 'migration_type'>): boolean {
  return task.migration_type !== 'cdc';
}
