// Catalog rules about the source's capacity settings: the plan's existing_replication against the
// slots and WAL senders the catalog shows in use, overrides below what the server runs (kept, since
// capacity is never lowered silently), and what source.capacity_may_lower really lowers. The sizing
// itself is compiler/emit/source-bundle.ts computeSettings, which this reads so both agree.

import { defineCode } from '../diagnostics/codes.js';
import { computeSettings } from '../emit/source-bundle.js';
import {
  mayLower,
  planSlotNames,
  type ServerCapacity,
  SIZED_SETTINGS,
  serverCapacity,
} from '../knowledge/server-capacity.js';
import type { Plan } from '../model/plan.js';
import type { Finding, Rule } from './rule.js';

export const EXISTING_REPLICATION_MISMATCH = defineCode({
  code: 'PGF5050',
  name: 'existing-replication-mismatch',
  severity: 'warning',
  title: 'source.existing_replication disagrees with the slots or WAL senders the catalog shows',
  explanation:
    'The plan declares how many replication slots and WAL senders other consumers (standbys, Debezium, backup ' +
    'tools) hold, and pgferry sizes max_replication_slots and max_wal_senders above them. The catalog snapshot ' +
    'shows more in use than declared: pgferry sizes from what the catalog shows, but the plan should say so, or ' +
    'the next compile without a catalog sizes the server too small. Reported as information when the plan declares ' +
    'more than the catalog shows (a standby disconnected when the snapshot was taken is a good reason).',
});

export const CAPACITY_OVERRIDE_BELOW_CURRENT = defineCode({
  code: 'PGF5051',
  name: 'capacity-override-below-current',
  severity: 'warning',
  title: 'A capacity override is below what the source runs now; the current value is kept',
  explanation:
    'source.settings sets max_replication_slots or max_wal_senders below the value the server runs (as the ' +
    'catalog shows). Lowering capacity can cut off standbys and backup tools already connected, so the bundle ' +
    "keeps the server's value and the agent refuses to go lower (CAPACITY_LOWERED). Remove the override, or list " +
    'the setting in source.capacity_may_lower if lowering it is really intended.',
});

export const CAPACITY_LOWERED = defineCode({
  code: 'PGF5052',
  name: 'capacity-lowered',
  severity: 'info',
  title: 'The bundle lowers a capacity setting, as source.capacity_may_lower allows',
  explanation:
    'source.capacity_may_lower lets the bundle set max_replication_slots or max_wal_senders below what the server ' +
    'runs now. After the restart, consumers beyond the new limit are refused ("all replication slots are in use", ' +
    '"number of requested standby connections exceeds max_wal_senders"). Check the catalog\'s slots and WAL ' +
    'senders before approving the restart.',
});

const FACTS = {
  max_replication_slots: { key: 'slots', noun: 'replication slot(s)', list: (c: ServerCapacity) => c.slots },
  max_wal_senders: { key: 'wal_senders', noun: 'WAL sender(s)', list: (c: ServerCapacity) => c.walSenders },
} as const;

function described(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((name) => (name === '' ? '(unnamed)' : name));
  return names.length === 0 ? '' : ` (${shown.join(', ')}${names.length > shown.length ? ', …' : ''})`;
}

function inUseFindings(plan: Plan, capacity: ServerCapacity): Finding[] {
  const out: Finding[] = [];
  const own = planSlotNames(plan).size > 0 ? " besides this plan's own" : '';
  for (const name of SIZED_SETTINGS) {
    const { key, noun, list } = FACTS[name];
    const declared = plan.source.existing_replication[key];
    const seen = list(capacity);
    if (declared === seen.length) continue;
    const pointer = `/source/existing_replication/${key}`;
    const shows = `the catalog of ${capacity.capturedAt} shows ${seen.length} ${noun} in use${own}${described(seen)}`;
    out.push(
      declared < seen.length
        ? {
            code: EXISTING_REPLICATION_MISMATCH.code,
            pointer,
            message: `existing_replication.${key} is ${declared} but ${shows}; ${name} is sized from ${seen.length}`,
            hint: `set existing_replication.${key} to ${seen.length}`,
          }
        : {
            code: EXISTING_REPLICATION_MISMATCH.code,
            severity: 'info',
            pointer,
            message: `existing_replication.${key} is ${declared}; ${shows}, so ${name} is sized from the plan's ${declared}`,
            hint: `keep ${declared} if consumers were disconnected when the snapshot was taken, else set ${seen.length}`,
          },
    );
  }
  return out;
}

function capacityFindings(plan: Plan, capacity: ServerCapacity): Finding[] {
  const settings = computeSettings(plan, capacity);
  const out: Finding[] = [];
  for (const name of SIZED_SETTINGS) {
    const current = capacity.current[name];
    const value = settings[name];
    if (current === undefined || typeof value !== 'number') continue;
    const override = plan.source.settings[name];
    if (mayLower(plan, name)) {
      if (value < current) {
        const index = plan.source.capacity_may_lower.indexOf(name);
        out.push({
          code: CAPACITY_LOWERED.code,
          pointer: `/source/capacity_may_lower/${index}`,
          message: `the bundle lowers ${name} from ${current} (the server now) to ${value}`,
          hint: `the catalog shows ${FACTS[name].list(capacity).length} ${FACTS[name].noun} in use; consumers beyond ${value} are refused after the restart`,
        });
      }
    } else if (override !== undefined && override < current) {
      out.push({
        code: CAPACITY_OVERRIDE_BELOW_CURRENT.code,
        pointer: `/source/settings/${name}`,
        message: `${name} is ${override} in the plan but the server runs ${current}: the bundle keeps ${current}`,
        hint: `remove the override, or list ${name} in source.capacity_may_lower to lower it`,
      });
    }
  }
  return out;
}

export const catalogCapacityRule = {
  codes: [EXISTING_REPLICATION_MISMATCH, CAPACITY_OVERRIDE_BELOW_CURRENT, CAPACITY_LOWERED],
  needsCatalog: true,
  check({ plan, catalog, report }) {
    const capacity = serverCapacity(plan, catalog);
    if (!capacity) return;
    for (const finding of [...inUseFindings(plan, capacity), ...capacityFindings(plan, capacity)]) report(finding);
  },
} satisfies Rule;
