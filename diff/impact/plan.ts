// Consequences read from the resolved plans themselves, where the compiled requests are too indirect:
// which tables a task selects, which tasks make DMS create (or abandon) a replication slot, and the
// cutover policy.

import type { Plan, Task } from '../../compiler/model/plan.js';
import { isCdc } from '../../compiler/model/task-kind.js';
import { assessmentImpact } from './assessment.js';
import { type Consequence, sameJson } from './consequence.js';
import { leafChanges } from './leaves.js';
import { parameterGroupImpact } from './parameter-group.js';

function tableSelection(before: Task, after: Task): Consequence[] {
  const a = before.tables;
  const b = after.tables;
  if (sameJson(a, b)) return [];
  const details = [
    ...b.include.filter((p) => !a.include.includes(p)).map((p) => `+ include ${p}`),
    ...a.include.filter((p) => !b.include.includes(p)).map((p) => `- include ${p}`),
    ...b.exclude.filter((p) => !a.exclude.includes(p)).map((p) => `+ exclude ${p}`),
    ...a.exclude.filter((p) => !b.exclude.includes(p)).map((p) => `- exclude ${p}`),
  ];
  const gains = details.some((d) => d.startsWith('+ include') || d.startsWith('- exclude'));
  const loses = details.some((d) => d.startsWith('- include') || d.startsWith('+ exclude'));
  const effects = [
    gains ? 'newly selected tables are loaded (ReloadTables, or reload-target)' : null,
    loses ? 'deselected tables stop replicating and keep their rows on the target' : null,
  ].filter((e) => e !== null);
  return [
    {
      severity: 'medium',
      kind: 'table-selection',
      subject: `dms/tasks/${after.id}`,
      message: `task '${after.id}' table selection changes: ${effects.join('; ') || 'rules reordered'}`,
      details,
    },
  ];
}

const usesCdc = (task: Task | undefined): boolean => task !== undefined && isCdc(task);

/** Slots DMS creates itself (slot_name null); named slots are in the source bundle. */
function dmsManagedSlot(before: Task | undefined, after: Task | undefined): Consequence[] {
  const task = (after ?? before)!;
  const oldSlot = usesCdc(before) && before?.slot_name === null;
  const newSlot = usesCdc(after) && after?.slot_name === null;
  if (oldSlot && !newSlot && before !== undefined) {
    return [
      {
        severity: 'high',
        kind: 'slot',
        subject: `dms/tasks/${task.id}`,
        message: `task '${task.id}' no longer uses its DMS-created replication slot on '${before.database}': in-flight CDC changes are lost when it is dropped`,
        details: [],
      },
    ];
  }
  if (!oldSlot && newSlot && after !== undefined) {
    return [
      {
        severity: 'medium',
        kind: 'slot',
        subject: `dms/tasks/${task.id}`,
        message: `task '${task.id}' makes DMS create a logical replication slot on '${after.database}' when it starts: the slot retains WAL until consumed`,
        details: [],
      },
    ];
  }
  return [];
}

function cutoverPolicy(before: Plan, after: Plan): Consequence[] {
  const details = leafChanges(before.cutover, after.cutover, 'cutover');
  if (details.length === 0) return [];
  return [
    { severity: 'medium', kind: 'cutover-policy', subject: 'cutover', message: 'cutover policy changes', details },
  ];
}

export function planImpact(before: Plan, after: Plan): Consequence[] {
  const ids = [...new Set([...before.dms.tasks, ...after.dms.tasks].map((t) => t.id))].sort();
  const out: Consequence[] = [];
  for (const id of ids) {
    const old = before.dms.tasks.find((t) => t.id === id);
    const now = after.dms.tasks.find((t) => t.id === id);
    if (old !== undefined && now !== undefined) out.push(...tableSelection(old, now));
    out.push(...dmsManagedSlot(old, now));
  }
  out.push(...cutoverPolicy(before, after));
  out.push(...parameterGroupImpact(before, after));
  out.push(...assessmentImpact(before, after));
  return out;
}
