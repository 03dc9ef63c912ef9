// Sizing capacity from a catalog (issue 14 item 7): the bundle's max_replication_slots and
// max_wal_senders come from what the catalog shows in use and never go below the server's current
// values unless source.capacity_may_lower says so; the plan's existing_replication is checked against
// the catalog (PGF5050), an override below the current value is kept at that value (PGF5051), and
// what capacity_may_lower really lowers is said (PGF5052).

import { describe, expect, test } from 'vitest';
import { buildSourceBundle } from '../../../compiler/emit/source-bundle.js';
import { serverCapacity } from '../../../compiler/knowledge/server-capacity.js';
import type { Plan } from '../../../compiler/model/plan.js';
import { catalogCapacityRule } from '../../../compiler/rules/catalog-capacity.js';
import { replicationBudgetRule } from '../../../compiler/rules/replication-budget.js';
import type { CatalogSnapshot } from '../../../contracts/catalog.js';
import {
  catalogTable,
  catalogWith,
  cdcPlan,
  cdcTask,
  cdcWith,
  expectRow,
  planWith,
  type Row,
  withTasks,
} from './builders.js';

interface Host {
  readonly slots?: readonly string[];
  readonly senders?: readonly string[];
  readonly maxSlots?: number;
  readonly maxSenders?: number;
}

/** A catalog of the base plan's database whose host runs `host`. */
function hostCatalog(host: Host): CatalogSnapshot {
  const base = catalogWith([catalogTable({ name: 'orders' })]);
  const settings = [
    ...(host.maxSlots === undefined
      ? []
      : [{ name: 'max_replication_slots', setting: String(host.maxSlots), unit: null }]),
    ...(host.maxSenders === undefined
      ? []
      : [{ name: 'max_wal_senders', setting: String(host.maxSenders), unit: null }]),
  ];
  return {
    ...base,
    host: {
      ...base.host,
      settings,
      replicationSlots: (host.slots ?? []).map((name) => ({
        name,
        type: 'physical' as const,
        plugin: null,
        database: null,
        active: true,
      })),
      walSenders: (host.senders ?? []).map((applicationName) => ({ applicationName, state: 'streaming' })),
    },
  };
}

const withSlot = (slot: string) => withTasks([cdcTask({ slot_name: slot })]);

describe('bundle capacity sized from a catalog', () => {
  // cdcPlan: one CDC task, existing_replication 0/0, so the need is 1 + 2 headroom = 3 of each.
  const rows: {
    name: string;
    plan: Plan;
    host: Host | null;
    slots: number;
    senders: number;
  }[] = [
    { name: 'no catalog: the need and its headroom', plan: cdcPlan, host: null, slots: 3, senders: 3 },
    {
      name: 'an idle server running less than the need: the need',
      plan: cdcPlan,
      host: { maxSlots: 1, maxSenders: 2 },
      slots: 3,
      senders: 3,
    },
    {
      name: 'a server running more keeps its values',
      plan: cdcPlan,
      host: { maxSlots: 10, maxSenders: 12 },
      slots: 10,
      senders: 12,
    },
    {
      name: 'slots and senders in use that the plan does not declare raise the need',
      plan: cdcPlan,
      host: { slots: ['standby_a', 'standby_b', 'debezium'], senders: ['standby_a', 'standby_b'], maxSlots: 4 },
      slots: 6,
      senders: 5,
    },
    {
      name: "the plan's own slot (a re-run mid-migration) is not counted twice",
      plan: withSlot('orders_cdc'),
      host: { slots: ['orders_cdc', 'standby_a'], senders: ['orders_cdc'] },
      slots: 4,
      senders: 3,
    },
    {
      name: 'a declaration above what runs is kept (a standby away when the snapshot was taken)',
      plan: cdcWith({ source: { existing_replication: { slots: 4, wal_senders: 4 } } }),
      host: { slots: ['standby_a'], maxSlots: 5, maxSenders: 5 },
      slots: 7,
      senders: 7,
    },
    {
      name: 'an override below the current value is raised to it',
      plan: cdcWith({ source: { settings: { max_replication_slots: 4, max_wal_senders: 4 } } }),
      host: { maxSlots: 10, maxSenders: 10 },
      slots: 10,
      senders: 10,
    },
    {
      name: 'capacity_may_lower lets the override go below the current value',
      plan: cdcWith({
        source: { settings: { max_wal_senders: 4 }, capacity_may_lower: ['max_wal_senders'] },
      }),
      host: { maxSlots: 10, maxSenders: 10 },
      slots: 10,
      senders: 4,
    },
    {
      name: 'a full-load-only plan sets no replication capacity, whatever the server runs',
      plan: planWith({}),
      host: { maxSlots: 10, maxSenders: 10 },
      slots: Number.NaN,
      senders: Number.NaN,
    },
  ];
  test.each(rows)('$name', ({ plan, host, slots, senders }) => {
    const catalog = host === null ? null : hostCatalog(host);
    const bundle = buildSourceBundle(plan, serverCapacity(plan, catalog));
    expect(bundle.settings.max_replication_slots ?? Number.NaN).toBe(slots);
    expect(bundle.settings.max_wal_senders ?? Number.NaN).toBe(senders);
    // The agent's contract: computed capacity is a floor unless the plan lets it go lower.
    if (!Number.isNaN(senders)) {
      expect(bundle.capacity?.floors.includes('max_replication_slots')).toBe(
        !plan.source.capacity_may_lower.includes('max_replication_slots'),
      );
    }
  });
});

describe('catalog: capacity diagnostics', () => {
  const rows: Row[] = [
    { name: 'declaration and catalog agree', plan: cdcPlan, catalog: hostCatalog({ maxSlots: 10 }), want: [] },
    {
      name: 'undeclared slots and senders in use',
      plan: cdcPlan,
      catalog: hostCatalog({ slots: ['standby_a', 'debezium'], senders: ['standby_a'] }),
      want: ['PGF5050@/source/existing_replication/slots', 'PGF5050@/source/existing_replication/wal_senders'],
      words: ['is 0 but the catalog of 2026-11-25T00:00:00Z shows', 'sized from'],
      hints: ['set existing_replication'],
    },
    {
      name: 'the slot names are listed',
      plan: cdcPlan,
      catalog: hostCatalog({ slots: ['standby_a', 'debezium'] }),
      want: ['PGF5050@/source/existing_replication/slots'],
      words: ['(standby_a, debezium)'],
    },
    {
      name: "the plan's own slot is not a mismatch",
      plan: withSlot('orders_cdc'),
      catalog: hostCatalog({ slots: ['orders_cdc'], senders: ['orders_cdc'] }),
      want: [],
    },
    {
      name: 'more declared than in use is information',
      plan: cdcWith({ source: { existing_replication: { slots: 2, wal_senders: 0 } } }),
      catalog: hostCatalog({}),
      want: ['PGF5050@/source/existing_replication/slots'],
      words: ["sized from the plan's 2"],
    },
    {
      name: 'an override below the current value',
      plan: cdcWith({ source: { settings: { max_replication_slots: 5 } } }),
      catalog: hostCatalog({ maxSlots: 10 }),
      want: ['PGF5051@/source/settings/max_replication_slots'],
      words: ['is 5 in the plan but the server runs 10', 'keeps 10'],
      hints: ['capacity_may_lower'],
    },
    {
      name: 'an override at or above the current value',
      plan: cdcWith({ source: { settings: { max_replication_slots: 10 } } }),
      catalog: hostCatalog({ maxSlots: 10 }),
      want: [],
    },
    {
      name: 'capacity_may_lower that really lowers',
      plan: cdcWith({ source: { settings: { max_wal_senders: 4 }, capacity_may_lower: ['max_wal_senders'] } }),
      catalog: hostCatalog({ maxSenders: 10, senders: [] }),
      want: ['PGF5052@/source/capacity_may_lower/0'],
      words: ['lowers max_wal_senders from 10', 'to 4'],
    },
    {
      name: 'capacity_may_lower that lowers nothing',
      plan: cdcWith({ source: { capacity_may_lower: ['max_wal_senders'] } }),
      catalog: hostCatalog({ maxSenders: 3 }),
      want: [],
    },
    { name: 'without a catalog the rule says nothing', plan: cdcPlan, want: [] },
  ];
  test.each(rows)('$name', (row) => expectRow(catalogCapacityRule, row));

  test('the slot budget counts what the catalog shows in use', () => {
    expectRow(replicationBudgetRule, {
      name: 'an override the declaration allows but the catalog does not',
      plan: cdcWith({ source: { settings: { max_replication_slots: 2 } } }),
      catalog: hostCatalog({ slots: ['standby_a', 'standby_b'] }),
      want: ['PGF3010@/source/settings/max_replication_slots'],
      words: ['is 2', '2 slots already in use need 3'],
    });
  });
});
