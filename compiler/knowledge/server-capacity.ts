// What a catalog snapshot says the source runs now, for sizing the bundle's capacity settings: the
// replication slots and WAL senders other consumers hold (the plan's own slots left out, so a re-run
// during the migration does not count them twice) and the current values of the capacity settings the
// compiler computes. Without a catalog the compiler sizes from the plan's existing_replication alone.

import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { logicalSlotName } from '../model/names.js';
import type { Plan } from '../model/plan.js';

/** The capacity settings the compiler computes (compiler/emit/source-bundle.ts computeSettings). */
export const SIZED_SETTINGS = ['max_replication_slots', 'max_wal_senders'] as const;
export type SizedSetting = (typeof SIZED_SETTINGS)[number];

export interface ServerCapacity {
  /** When the snapshot was taken, for messages. */
  readonly capturedAt: string;
  /** Replication slots that exist and are not the plan's own, by name. */
  readonly slots: readonly string[];
  /** WAL senders connected now (pg_stat_replication), by application_name. */
  readonly walSenders: readonly string[];
  /** Current value of each sized setting the snapshot holds. */
  readonly current: Partial<Readonly<Record<SizedSetting, number>>>;
}

/** Slot names the plan's own tasks use (explicit slot_name, or the logical engine's subscription slot). */
export function planSlotNames(plan: Plan): Set<string> {
  const names = new Set<string>();
  for (const task of plan.dms.tasks) {
    if (plan.engine === 'logical') names.add(logicalSlotName(task));
    else if (task.slot_name !== null) names.add(task.slot_name);
  }
  return names;
}

export function serverCapacity(plan: Plan, catalog: CatalogSnapshot | null): ServerCapacity | null {
  if (catalog === null) return null;
  const own = planSlotNames(plan);
  const current: Partial<Record<SizedSetting, number>> = {};
  for (const name of SIZED_SETTINGS) {
    const setting = catalog.host.settings.find((s) => s.name === name);
    const value = setting === undefined ? Number.NaN : Number(setting.setting);
    if (Number.isInteger(value) && value >= 0) current[name] = value;
  }
  return {
    capturedAt: catalog.capturedAt,
    slots: catalog.host.replicationSlots.filter((slot) => !own.has(slot.name)).map((slot) => slot.name),
    walSenders: catalog.host.walSenders
      .filter((sender) => !own.has(sender.applicationName))
      .map((sender) => sender.applicationName),
    current,
  };
}

/**
 * Slots and WAL senders other consumers hold: the plan's declaration, or what the catalog shows when
 * that is more (a declaration below what runs would size the server too small).
 */
export function replicationInUse(plan: Plan, capacity: ServerCapacity | null): { slots: number; walSenders: number } {
  const declared = plan.source.existing_replication;
  return {
    slots: Math.max(declared.slots, capacity?.slots.length ?? 0),
    walSenders: Math.max(declared.wal_senders, capacity?.walSenders.length ?? 0),
  };
}

/** Whether the plan lets this setting go below the server's current value (source.capacity_may_lower). */
export function mayLower(plan: Plan, name: SizedSetting): boolean {
  return (plan.source.capacity_may_lower ?? []).includes(name);
}
