// Identifiers derived from plan names. Every graph node id, DMS identifier and artifact path that
// depends on a name comes from here, so the compiler, the executor and the diff agree on them.

import type { Plan, Task } from './plan.js';
import { isCdc } from './task-kind.js';

/** DMS identifiers allow letters, digits and hyphens only: `orders_db` → `orders-db`. */
export function dmsName(text: string): string {
  return text.replace(/_/g, '-');
}

export function sourceEndpointId(plan: Plan, database: string): string {
  return dmsName(`${plan.name}-${database}-src`);
}

export function targetEndpointId(plan: Plan, database: string): string {
  return dmsName(`${plan.name}-${database}-tgt`);
}

/** Target database a source database maps to (identity unless the plan says otherwise). */
export function targetDatabase(plan: Plan, sourceDatabase: string): string {
  return plan.target.databases[sourceDatabase] ?? sourceDatabase;
}

export function cdcTasks(plan: Plan): Task[] {
  return plan.dms.tasks.filter(isCdc);
}

export function tasksOf(plan: Plan, database: string): Task[] {
  return plan.dms.tasks.filter((task) => task.database === database);
}

/**
 * A source database is migrated with downtime when none of its tasks captures changes: its writes are
 * fenced before the full load starts. Otherwise its writes are fenced at cutover.
 */
export function isDowntimeDatabase(plan: Plan, database: string): boolean {
  const tasks = tasksOf(plan, database);
  return tasks.length > 0 && !tasks.some(isCdc);
}

/** The logical engine's publication and subscription name for a task: `orders-cdc` → `pgferry_orders_cdc`. */
export function logicalIdentifier(task: Task): string {
  return `pgferry_${task.id.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/** The logical engine's slot for a task: the plan's `slot_name` when given, else the subscription's name. */
export function logicalSlotName(task: Task): string {
  return task.slot_name ?? logicalIdentifier(task);
}

/** `test-decoding` (the plan's and DMS's spelling) → `test_decoding` (PostgreSQL's). */
export function pgPluginName(plugin: Task['plugin']): 'test_decoding' | 'pglogical' {
  return plugin === 'pglogical' ? 'pglogical' : 'test_decoding';
}

/** An SSM parameter path as a node-id segment: `/pgferry/orders/x_y` → `pgferry-orders-x-y`. */
export function pathSlug(path: string): string {
  return path
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}
